package dev.funnel.server.admission;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * Sheds a share of new requests while the machine's CPU stays busier than a target utilisation,
 * shared by all event loops (each spreads its sheds over its own arrivals, see
 * {@link AdmissionControl#tryAcquire}).
 *
 * <p>Why CPU and not only the in-flight bound and the queueing delay: at twice the rate that meets
 * the latency target, a two-core server holds about two requests per event loop and its queues stay
 * short (session 6 of BENCHMARKS.md) — every request is slower because every stage waits on the
 * others' CPU, which neither signal sees. Keeping the cores at the utilisation where the latency
 * target holds is what keeps the admitted requests' latency where it was; the price is that the
 * last fraction of the cores is never used for more throughput. So it is off unless configured
 * ({@code admission.cpu.target.percent}), and the target should be the utilisation the server runs at
 * its sustainable rate.
 *
 * <p>The rule, once per interval: the utilisation sampled over that interval above the target for
 * {@link #SUSTAINED_INTERVALS} intervals in a row (one GC cycle or compile burst is not overload)
 * scales the admitted share by {@code target / utilisation} (what would bring the load back to the
 * target if load follows admissions), not below {@link #MIN_ADMIT_SHARE}; an interval at or below
 * the target gives {@link #RECOVERY_STEP} of it back, so full admission returns within
 * {@code 1 / RECOVERY_STEP} intervals after load falls.
 *
 * <p>Threads: {@link #sample} from one sampling thread (the one {@link #start} makes); the reads
 * from any thread (a volatile read: lock-free, so event loops call {@link #admitShare()} per request).
 */
public final class CpuLoadShedder implements AutoCloseable {
    /** Intervals above the target in a row before the admitted share is cut. */
    public static final int SUSTAINED_INTERVALS = 2;
    /** Share of full admission restored per interval at or below the target. */
    public static final double RECOVERY_STEP = 0.05;
    /** The admitted share never goes below this: some requests always get through to show recovery. */
    public static final double MIN_ADMIT_SHARE = 0.05;

    private final double target;
    private volatile double admitShare = 1.0;
    private volatile double lastLoad = Double.NaN;
    private int aboveInARow; // sampling thread only
    private ScheduledExecutorService sampler;

    /**
     * @param target utilisation of all cores, in (0, 1]; 0 turns shedding off
     * @throws IllegalArgumentException outside [0, 1]
     */
    public CpuLoadShedder(double target) {
        if (!(target >= 0 && target <= 1)) {
            throw new IllegalArgumentException("admission.cpu.target.percent must be in 0..100 (0 = off), got " + target * 100);
        }
        this.target = target;
    }

    /** A shedder that never sheds. */
    public static CpuLoadShedder off() {
        return new CpuLoadShedder(0);
    }

    public boolean enabled() {
        return target > 0;
    }

    public double target() {
        return target;
    }

    /**
     * Records the utilisation of the interval that just ended and adapts the admitted share. A
     * negative or NaN sample (the platform could not tell) changes nothing.
     *
     * @param load utilisation of all cores over the interval, 0 to 1
     */
    public void sample(double load) {
        if (!(load >= 0)) {
            return;
        }
        lastLoad = load;
        if (!enabled()) {
            return;
        }
        double share = admitShare;
        if (load > target) {
            if (++aboveInARow >= SUSTAINED_INTERVALS) {
                share = Math.max(MIN_ADMIT_SHARE, share * target / load);
            }
        } else {
            aboveInARow = 0;
            share = Math.min(1.0, share + RECOVERY_STEP);
        }
        admitShare = share;
    }

    /** The share of new requests to admit now, {@link #MIN_ADMIT_SHARE} to 1 (1 when off). */
    public double admitShare() {
        return admitShare;
    }

    /** The utilisation of the last sampled interval, or NaN before the first sample. */
    public double lastLoad() {
        return lastLoad;
    }

    /**
     * Samples {@code load} every {@code intervalMillis} on a daemon thread of its own (reading the
     * machine's CPU counters is a system call, kept off the event loops). Does nothing when off.
     *
     * @param load the utilisation since its previous call, 0 to 1 (negative when unknown)
     */
    public synchronized void start(long intervalMillis, DoubleSupplier load) {
        if (!enabled() || sampler != null) {
            return;
        }
        if (intervalMillis < 10) {
            throw new IllegalArgumentException("admission.cpu.interval.ms must be >= 10, got " + intervalMillis);
        }
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "funnel-cpu-load");
            t.setDaemon(true);
            return t;
        });
        load.getAsDouble(); // the first reading only sets the baseline
        sampler.scheduleAtFixedRate(() -> sample(load.getAsDouble()), intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /** Stops sampling; the admitted share goes back to 1. Idempotent. */
    @Override
    public synchronized void close() {
        if (sampler != null) {
            sampler.shutdownNow();
            sampler = null;
        }
        admitShare = 1.0;
    }

    @Override
    public String toString() {
        return "CpuLoadShedder{target=" + target + ", admitShare=" + admitShare + ", lastLoad=" + lastLoad + '}';
    }
}
