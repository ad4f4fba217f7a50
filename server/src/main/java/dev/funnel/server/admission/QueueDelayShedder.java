package dev.funnel.server.admission;

/**
 * Decides, for one event loop, whether to shed new requests because work is queueing: CoDel's
 * rule applied to admission. It is fed samples of queueing delay (how late the loop ran a task it
 * had scheduled, how long a task waited in the worker pool: {@link LoopDelayProbe}); each interval
 * of {@link QueueDelayConfig#intervalNanos()} it looks at the <em>smallest</em> delay it saw. If
 * even that stayed above {@link QueueDelayConfig#targetNanos()}, a standing queue has formed (the
 * loop or the pool gets more work than it finishes) and every new request is shed at arrival until
 * an interval's smallest delay is back at or below the target. Bursts do not trigger it: a burst or
 * a GC pause makes some samples late, not all of them for a whole interval.
 *
 * <p>Why delay rather than in-flight count: a request waiting on a timer (a stalled recall branch
 * until its deadline) is in flight but costs no CPU and delays nobody, and a saturated loop queues
 * new requests in socket buffers before they are counted at all. Queueing delay rises only when
 * CPU work waits for CPU, which is what shedding can shorten.
 *
 * <p>Threads: {@link #sample} is called by one thread only (the owning event loop's probe);
 * {@link #shedding()} and the statistics may be read from any thread. Lock-free and allocation-free.
 */
public final class QueueDelayShedder {
    private final QueueDelayConfig config;
    // Owned by the sampling thread.
    private boolean started;
    private long intervalEndNanos;
    private long minInIntervalNanos = Long.MAX_VALUE;
    private int samplesInInterval;
    // Written by the sampling thread, read anywhere.
    private volatile boolean shedding;
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
        if (above) {
            if (!shedding) {
                sheddingEpisodes = sheddingEpisodes + 1;
            }
            sheddingIntervals = sheddingIntervals + 1;
        }
        shedding = above;
        lastIntervalMinNanos = min;
        minInIntervalNanos = Long.MAX_VALUE;
        samplesInInterval = 0;
        intervalEndNanos = nowNanos + config.intervalNanos();
    }

    /** Whether new requests should be shed now. */
    public boolean shedding() {
        return shedding;
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
        return "QueueDelayShedder{shedding=" + shedding + ", lastIntervalMinMillis=" + lastIntervalMinNanos / 1e6
                + ", sheddingIntervals=" + sheddingIntervals + ", " + config + '}';
    }
}
