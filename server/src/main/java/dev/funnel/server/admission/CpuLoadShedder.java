package dev.funnel.server.admission;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, for the whole process, which share of new requests to shed so that its CPU use stays at
 * a target: the signal for the overload that no queue shows. On a small machine at twice the rate
 * it can serve within its latency target, a server still finishes nearly every request (the
 * machine's throughput is well above that rate), with two or so requests in flight per event loop
 * and no standing queue: what grows is the time every admitted request's stages wait for a core
 * the others are using (BENCHMARKS.md, "Session 6"). In-flight bounds and queueing delay cannot see
 * that; the CPU the process burns can.
 *
 * <p>How: every {@link CpuLoadConfig#intervalNanos()} a probe thread reads the process's CPU time
 * and turns it into a utilization, CPU time over wall time times the cores the JVM may use. Shedding
 * starts after {@link #START_INTERVALS} intervals in a row above the target (one JIT or GC burst
 * sheds nothing). From then on each interval scales the admitted share by target / utilization
 * (CPU use is close to proportional to the requests admitted): at twice the load the first step
 * sheds about a third, the next about a half, and it holds there; when load falls, utilization drops
 * below the target and the admitted share grows back to all within an interval or two. Being
 * multiplicative, the step fits any overload factor without a gain to tune (an additive step fast
 * enough at 2× oscillates at 4×). Each event loop applies the shed share to its own arrivals,
 * spread evenly ({@link AdmissionControl}).
 *
 * <p>Process CPU includes work that is not requests (GC, JIT, applying model deltas), so a burst of
 * those sheds requests too: that is the point (they compete for the same cores). The target is the
 * operator's: it depends on what else runs on the machine (here, the load generator). Nothing is
 * decided before the server is ready: its catalog load and start-up warm-up (whose requests take no
 * permit) keep the cores busy and would otherwise have it shed the first real requests.
 *
 * <p>Threads: {@link #sample} is called by the probe thread only (or a test); {@link #shedFraction()}
 * and the statistics may be read from any thread. Lock-free, allocation-free per sample. Reading the
 * process CPU time is a system call, made on the probe thread, never on an event loop.
 */
public final class CpuLoadShedder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CpuLoadShedder.class);
    /**
     * Intervals in a row above the target before shedding starts: at the sustainable rate on two
     * cores, bursts of 100-200 ms above a target a few points over the mean (GC, JIT) are common, and
     * with 2 they shed 1.5-2% of the requests there (session 12's e2e runs).
     */
    public static final int START_INTERVALS = 3;
    /**
     * Below this utilization (an idle process) a shedding share is dropped at once: target /
     * utilization would be a huge factor of a noisy figure.
     */
    static final double IDLE = 0.01;
    /**
     * The admitted share never goes below this (at most 99% shed): scaling by target / utilization
     * can only grow a share above 0, and a load that shedding cannot lower (work that takes no permit)
     * would otherwise drive it towards 0 until it reads as 0 in a double, and shed everything for good.
     */
    static final double MIN_ADMITTED = 0.01;

    /** The live settings: from the start, the target changed by {@link #setTargetPercent}. */
    private volatile CpuLoadConfig config;
    private final int cores;
    private final LongSupplier cpuNanos;
    private final LongSupplier wallNanos;
    private final BooleanSupplier active;
    // Owned by the sampling thread.
    private boolean started;
    private long lastCpu;
    private long lastWall;
    private int aboveInARow;
    private int targetSeen;
    // Written by the sampling thread, read anywhere.
    private volatile double shedFraction;
    private volatile double utilization;
    private volatile long sheddingEpisodes;
    private ScheduledExecutorService probe;

    /**
     * @param config    target and interval
     * @param cores     the cores the process may use (its utilization's denominator), >= 1
     * @param cpuNanos  the process's CPU time so far, in nanoseconds
     * @param wallNanos a monotonic clock, in nanoseconds
     */
    public CpuLoadShedder(CpuLoadConfig config, int cores, LongSupplier cpuNanos, LongSupplier wallNanos) {
        this(config, cores, cpuNanos, wallNanos, () -> true);
    }

    /**
     * @param active whether to decide at all: while it reads false (a server not yet ready, busy with
     *               its catalog load and start-up warm-up, whose requests take no permit) the share
     *               stays 0 and shedding needs a fresh {@link #START_INTERVALS} run once it reads true
     */
    public CpuLoadShedder(CpuLoadConfig config, int cores, LongSupplier cpuNanos, LongSupplier wallNanos,
                          BooleanSupplier active) {
        if (cores < 1) {
            throw new IllegalArgumentException("cores must be >= 1, got " + cores);
        }
        this.config = config;
        this.targetSeen = config.targetPercent();
        this.cores = cores;
        this.cpuNanos = cpuNanos;
        this.wallNanos = wallNanos;
        this.active = active;
    }

    /** Off, with no probe: never sheds (unless a test sets a target and calls {@link #sample}). */
    public static CpuLoadShedder off() {
        return new CpuLoadShedder(CpuLoadConfig.OFF, 1, () -> 0, () -> 0);
    }

    /**
     * A shedder on this JVM's CPU time and {@link Runtime#availableProcessors()} (container-aware),
     * deciding while {@code active} reads true, its probe thread started whether or not
     * {@code config} is enabled: utilization is measured (and metered) always, and a target set
     * later through {@link #setTargetPercent} acts at once. {@link #close} stops it. Under a
     * fractional CPU quota the JVM rounds the processor count up (1.5 CPUs reads as 2), so the
     * process can never use more than quota / count of it: set the target as a share of the rounded
     * count.
     */
    public static CpuLoadShedder start(CpuLoadConfig config, BooleanSupplier active) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        CpuLoadShedder s = new CpuLoadShedder(config, Runtime.getRuntime().availableProcessors(), os::getProcessCpuTime,
                System::nanoTime, active);
        s.probe = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "funnel-admission-cpu");
            t.setDaemon(true);
            return t;
        });
        s.probe.scheduleAtFixedRate(() -> {
            try {
                s.sample();
            } catch (RuntimeException e) {
                // A periodic task that throws is never run again: log, keep sampling.
                LOG.warn("admission: CPU sample failed; the shed share stays {}", s.shedFraction, e);
            }
        }, 0, config.intervalNanos(), TimeUnit.NANOSECONDS);
        return s;
    }

    /**
     * Changes the target, live (the admin API): 1..99 percent of the cores, 0 turns shedding off
     * (the share drops to 0 at the next interval). A new target acts from the next interval; turning
     * it on needs the usual {@link #START_INTERVALS} run above it before the first shed.
     *
     * @throws IllegalArgumentException outside 0..99, with the setting's name in the message
     */
    public void setTargetPercent(int percent) {
        config = new CpuLoadConfig(percent, config.intervalNanos()); // validates, with the key's name in the message
    }

    /** Reads the clocks and, from the second call on, decides for the interval since the last. */
    public void sample() {
        long cpu = cpuNanos.getAsLong();
        long wall = wallNanos.getAsLong();
        if (!started) {
            started = true;
            lastCpu = cpu;
            lastWall = wall;
            return;
        }
        long dWall = wall - lastWall;
        if (dWall <= 0 || cpu < 0) {
            return; // no time passed, or the platform cannot tell the CPU time (-1): decide nothing
        }
        double util = (cpu - lastCpu) / ((double) dWall * cores);
        lastCpu = cpu;
        lastWall = wall;
        decide(util);
    }

    private void decide(double util) {
        utilization = util;
        CpuLoadConfig c = config;
        if (c.targetPercent() != targetSeen) {
            LOG.info("admission: CPU target now {}% (was {}%; 0 = off)", c.targetPercent(), targetSeen);
            targetSeen = c.targetPercent();
        }
        if (!c.enabled() || !active.getAsBoolean()) {
            shedFraction = 0;
            aboveInARow = 0;
            return;
        }
        double target = c.target();
        double excess = util - target;
        double fraction = shedFraction;
        if (fraction == 0) {
            aboveInARow = excess > 0 ? aboveInARow + 1 : 0;
            if (aboveInARow < START_INTERVALS) {
                return;
            }
        }
        double admitted = util < IDLE ? 1 : (1 - fraction) * target / util;
        double next = Math.min(1 - MIN_ADMITTED, Math.max(0, 1 - admitted));
        next = next < 1e-3 ? 0 : next; // a share that small sheds one request in a thousand: stop
        shedFraction = next;
        if (next == 0) {
            aboveInARow = 0;
        } else if (fraction == 0) {
            sheddingEpisodes = sheddingEpisodes + 1;
        }
    }

    /** The share of new requests to shed now, 0 to 1. */
    public double shedFraction() {
        return shedFraction;
    }

    /** The process's CPU use over the last interval, as a share of its cores (0 before the second sample). */
    public double utilization() {
        return utilization;
    }

    /** Times shedding started, since start. */
    public long sheddingEpisodes() {
        return sheddingEpisodes;
    }

    /** The settings now: the live target and the interval. */
    public CpuLoadConfig config() {
        return config;
    }

    /** Stops the probe thread, if any; the share stays where it was. Idempotent. */
    @Override
    public void close() {
        if (probe != null) {
            probe.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "CpuLoadShedder{shedFraction=" + shedFraction + ", utilization=" + utilization + ", cores=" + cores
                + ", sheddingEpisodes=" + sheddingEpisodes + ", " + config + '}';
    }
}
