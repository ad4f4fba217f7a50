package dev.funnel.server.admission;

/**
 * Decides, for one event loop, whether to shed new requests because work is queueing: CoDel's
 * rule applied to admission. It is fed samples of queueing delay (how late the loop ran a task it
 * had scheduled, how long a task waited in the worker pool: {@link LoopDelayProbe}); each interval
 * of {@link QueueDelayConfig#intervalNanos()} it looks at the <em>smallest</em> delay it saw. If
 * even that stayed above {@link QueueDelayConfig#targetNanos()}, a standing queue has formed (the
 * loop or the pool gets more work than it finishes). Bursts do not count: a burst or a GC pause
 * makes some samples late, not all of them for a whole interval.
 *
 * <p>What it does about a standing queue: it sheds a fraction of the new requests, spread evenly
 * over arrivals (every request while the fraction is 1). Each interval with a standing queue raises
 * the fraction by {@link #INCREASE_STEP}; each interval whose smallest delay is back at or below the
 * target lowers it by {@link #DECREASE_STEP}. Arrivals are open-loop (a shed client does not slow
 * down), so shedding everything for an interval and then admitting everything again would let in a
 * whole interval of excess each time; a fraction that persists across intervals settles near the
 * share of load the server cannot serve, keeping the queue near the target, and falls back to 0
 * within {@code 1 / DECREASE_STEP} intervals once load falls.
 *
 * <p>Why delay rather than in-flight count: a request waiting on a timer (a stalled recall branch
 * until its deadline) is in flight but costs no CPU and delays nobody, and a saturated loop queues
 * new requests in socket buffers before they are counted at all. Queueing delay rises only when
 * CPU work waits for CPU, which is what shedding can shorten.
 *
 * <p>Threads: {@link #sample} and {@link #shedNext} are called by the owning event loop only (its
 * probe, its arrivals); {@link #shedding()}, {@link #shedFraction()} and the statistics may be read
 * from any thread. Lock-free and allocation-free.
 */
public final class QueueDelayShedder {
    /** Added to the shed fraction after each interval with a standing queue: full shedding after four. */
    public static final double INCREASE_STEP = 0.25;
    /** Taken off the shed fraction after each interval without one: from full shedding to none in ten. */
    public static final double DECREASE_STEP = 0.10;

    private final QueueDelayConfig config;
    // Owned by the sampling thread.
    private boolean started;
    private long intervalEndNanos;
    private long minInIntervalNanos = Long.MAX_VALUE;
    private int samplesInInterval;
    /** Owned by the loop's arrivals. */
    private final EvenShare arrivals = new EvenShare();
    // Written by the sampling thread, read anywhere.
    private volatile double shedFraction;
    private volatile long lastIntervalMinNanos;
    private volatile long lastDelayNanos;
    private volatile long sheddingIntervals;
    private volatile long sheddingEpisodes;

    public QueueDelayShedder(QueueDelayConfig config) {
        this.config = config;
    }

    /**
     * Records one queueing-delay sample and, once an interval has passed, decides.
     *
     * @param nowNanos   when it was taken ({@link System#nanoTime()} in production)
     * @param delayNanos the queueing delay it measured (>= 0)
     */
    public void sample(long nowNanos, long delayNanos) {
        if (!config.enabled()) {
            return;
        }
        if (!started) {
            started = true;
            intervalEndNanos = nowNanos + config.intervalNanos();
        }
        lastDelayNanos = delayNanos;
        if (delayNanos < minInIntervalNanos) {
            minInIntervalNanos = delayNanos;
        }
        samplesInInterval++;
        if (nowNanos - intervalEndNanos >= 0) {
            closeInterval(nowNanos);
        }
    }

    private void closeInterval(long nowNanos) {
        long min = minInIntervalNanos;
        boolean above = min > config.targetNanos();
        if (above && samplesInInterval < QueueDelayConfig.MIN_SAMPLES_PER_INTERVAL) {
            return; // too few samples to call it a standing queue: keep collecting
        }
        double fraction = shedFraction;
        if (above) {
            if (fraction == 0) {
                sheddingEpisodes = sheddingEpisodes + 1;
            }
            sheddingIntervals = sheddingIntervals + 1;
            shedFraction = Math.min(1.0, fraction + INCREASE_STEP);
        } else if (fraction > 0) {
            // Round off so that ten decreases from 1.0 reach exactly 0.
            double lower = fraction - DECREASE_STEP;
            shedFraction = lower < 1e-9 ? 0 : lower;
        }
        lastIntervalMinNanos = min;
        minInIntervalNanos = Long.MAX_VALUE;
        samplesInInterval = 0;
        intervalEndNanos = nowNanos + config.intervalNanos();
    }

    /**
     * Whether to shed the request arriving now: true for a {@link #shedFraction()} share of the
     * calls, spread evenly. Call once per arrival, on the owning event loop.
     */
    public boolean shedNext() {
        return arrivals.pick(shedFraction);
    }

    /** Whether any requests are being shed now. */
    public boolean shedding() {
        return shedFraction > 0;
    }

    /** The share of new requests shed now, 0 to 1. */
    public double shedFraction() {
        return shedFraction;
    }

    /** The smallest delay of the last decided interval, in nanoseconds (0 before the first). */
    public long lastIntervalMinNanos() {
        return lastIntervalMinNanos;
    }

    /** The latest sample, in nanoseconds. */
    public long lastDelayNanos() {
        return lastDelayNanos;
    }

    /** Intervals decided as "shed" since start. */
    public long sheddingIntervals() {
        return sheddingIntervals;
    }

    /** Times shedding started (after an interval without it) since start. */
    public long sheddingEpisodes() {
        return sheddingEpisodes;
    }

    public QueueDelayConfig config() {
        return config;
    }

    @Override
    public String toString() {
        return "QueueDelayShedder{shedFraction=" + shedFraction + ", lastIntervalMinMillis=" + lastIntervalMinNanos / 1e6
                + ", sheddingIntervals=" + sheddingIntervals + ", " + config + '}';
    }
}
