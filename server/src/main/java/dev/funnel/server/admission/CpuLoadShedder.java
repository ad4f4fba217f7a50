package dev.funnel.server.admission;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

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
 * sheds nothing); from then on each interval moves the shed share by {@link #GAIN} times the
 * utilization's distance from the target (up when above, down when below), an integral controller
 * that settles where the admitted work plus the cost of answering 503s uses the target, and returns
 * to 0 within a few intervals once load falls. Each event loop applies the share to its own
 * arrivals, spread evenly ({@link AdmissionControl}).
 *
 * <p>Process CPU includes work that is not requests (GC, JIT, applying model deltas), so a burst of
 * those sheds requests too: that is the point (they compete for the same cores). The target is the
 * operator's: it depends on what else runs on the machine (here, the load generator).
 *
 * <p>Threads: {@link #sample} is called by the probe thread only (or a test); {@link #shedFraction()}
 * and the statistics may be read from any thread. Lock-free, allocation-free per sample. Reading the
 * process CPU time is a system call, made on the probe thread, never on an event loop.
 */
public final class CpuLoadShedder implements AutoCloseable {
    /** Intervals in a row above the target before shedding starts. */
    public static final int START_INTERVALS = 2;
    /**
     * Shed share added per unit of utilization above the target, each interval. The loop gain is
     * this times the offered load in cores-per-core: below 2 it converges without oscillating, so 0.5
     * is stable up to 4× overload of a fully used machine, and settles within a few intervals at 2×.
     */
    public static final double GAIN = 0.5;

    private final CpuLoadConfig config;
    private final int cores;
    private final LongSupplier cpuNanos;
    private final LongSupplier wallNanos;
    // Owned by the sampling thread.
    private boolean started;
    private long lastCpu;
    private long lastWall;
    private int aboveInARow;
    // Written by the sampling thread, read anywhere.
    private volatile double shedFraction;
    private volatile double utilization;
    private volatile long sheddingIntervals;
    private volatile long sheddingEpisodes;
    private ScheduledExecutorService probe;

    /**
     * @param config    target and interval
     * @param cores     the cores the process may use (its utilization's denominator), >= 1
     * @param cpuNanos  the process's CPU time so far, in nanoseconds
     * @param wallNanos a monotonic clock, in nanoseconds
     */
    public CpuLoadShedder(CpuLoadConfig config, int cores, LongSupplier cpuNanos, LongSupplier wallNanos) {
        if (cores < 1) {
            throw new IllegalArgumentException("cores must be >= 1, got " + cores);
        }
        this.config = config;
        this.cores = cores;
        this.cpuNanos = cpuNanos;
        this.wallNanos = wallNanos;
    }

    /** Off: never sheds, runs no probe. */
    public static CpuLoadShedder off() {
        return new CpuLoadShedder(CpuLoadConfig.OFF, 1, () -> 0, () -> 0);
    }

    /**
     * A shedder on this JVM's CPU time and {@link Runtime#availableProcessors()} (container-aware),
     * its probe thread started when {@code config} is enabled. {@link #close} stops it.
     */
    public static CpuLoadShedder start(CpuLoadConfig config) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        CpuLoadShedder s = new CpuLoadShedder(config, Runtime.getRuntime().availableProcessors(), os::getProcessCpuTime,
                System::nanoTime);
        if (config.enabled()) {
            s.probe = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "funnel-admission-cpu");
                t.setDaemon(true);
                return t;
            });
            s.probe.scheduleAtFixedRate(s::sample, 0, config.intervalNanos(), TimeUnit.NANOSECONDS);
        }
        return s;
    }

    /** Reads the clocks and, from the second call on, decides for the interval since the last. */
    public void sample() {
        if (!config.enabled()) {
            return;
        }
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
        double excess = util - config.target();
        double fraction = shedFraction;
        if (fraction == 0) {
            aboveInARow = excess > 0 ? aboveInARow + 1 : 0;
            if (aboveInARow < START_INTERVALS) {
                return;
            }
        }
        double next = Math.max(0, Math.min(1, fraction + GAIN * excess));
        next = next < 1e-3 ? 0 : next; // a share that small sheds one request in a thousand: stop
        shedFraction = next;
        if (next > 0) {
            if (fraction == 0) {
                sheddingEpisodes = sheddingEpisodes + 1;
            }
            sheddingIntervals = sheddingIntervals + 1;
        } else {
            aboveInARow = 0;
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

    /** Intervals that ended with a share above 0, since start. */
    public long sheddingIntervals() {
        return sheddingIntervals;
    }

    /** Times shedding started, since start. */
    public long sheddingEpisodes() {
        return sheddingEpisodes;
    }

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
                + ", sheddingIntervals=" + sheddingIntervals + ", " + config + '}';
    }
}
