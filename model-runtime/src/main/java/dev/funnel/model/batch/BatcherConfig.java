package dev.funnel.model.batch;

/**
 * When the dynamic batcher runs a batch. Immutable; validated on construction.
 *
 * <p>With {@code dispatchWhenIdle} (the default) the batcher batches adaptively: a runner that is
 * free runs whatever is queued at once, so a lone request never waits for company; rows that arrive
 * while an inference runs queue up behind it and form the next batch (up to {@code maxBatchRows}).
 * Their wait is the running inference, and batches grow with load by themselves. Without it, the
 * runner waits for {@code maxBatchRows} rows or {@code maxQueueDelayMicros} after the oldest
 * arrived — bigger batches at the price of that delay on every request (an accelerator whose cost
 * per call dwarfs its cost per row may want that).
 *
 * @param maxBatchRows        run as soon as this many rows are queued; never more rows per batch
 * @param maxQueueDelayMicros without {@code dispatchWhenIdle}: run at the latest this long after
 *                            the oldest queued row arrived; with it, unused
 * @param queueCapacity       queued submissions (not rows) before {@link DynamicBatcher#offer}
 *                            refuses; a power of two is used at or above it
 * @param dispatchWhenIdle    run at once when a runner is free instead of waiting for the delay
 * @param runners             runner threads, each running one batch at a time on the shared
 *                            queue: one (the default) serializes inference; more let batches run
 *                            side by side — on CPU, cores ÷ the session's intra-op threads is the
 *                            most that helps
 */
public record BatcherConfig(int maxBatchRows, long maxQueueDelayMicros, int queueCapacity, boolean dispatchWhenIdle,
                            int runners) {

    public static final int DEFAULT_MAX_BATCH_ROWS = 1024;
    public static final long DEFAULT_MAX_QUEUE_DELAY_MICROS = 500;
    public static final int DEFAULT_QUEUE_CAPACITY = 1024;
    public static final boolean DEFAULT_DISPATCH_WHEN_IDLE = true;
    public static final int DEFAULT_RUNNERS = 1;
    public static final int MAX_RUNNERS = 64;
    /** Cores per runner in {@link #runnersForCores}. */
    static final int CORES_PER_RUNNER = 4;

    public static final BatcherConfig DEFAULT = new BatcherConfig(DEFAULT_MAX_BATCH_ROWS, DEFAULT_MAX_QUEUE_DELAY_MICROS,
            DEFAULT_QUEUE_CAPACITY, DEFAULT_DISPATCH_WHEN_IDLE, DEFAULT_RUNNERS);

    public BatcherConfig {
        if (maxBatchRows < 1) {
            throw new IllegalArgumentException("max_batch_rows must be >= 1, got " + maxBatchRows);
        }
        if (maxQueueDelayMicros < 0 || maxQueueDelayMicros > 1_000_000) {
            throw new IllegalArgumentException("max_queue_delay_us must be in 0..1000000, got " + maxQueueDelayMicros);
        }
        if (queueCapacity < 2 || queueCapacity > (1 << 24)) {
            throw new IllegalArgumentException("queue_capacity must be in 2..16777216, got " + queueCapacity);
        }
        if (runners < 1 || runners > MAX_RUNNERS) {
            throw new IllegalArgumentException("runners must be in 1.." + MAX_RUNNERS + ", got " + runners);
        }
    }

    /** A configuration with {@link #DEFAULT_DISPATCH_WHEN_IDLE adaptive dispatch} and {@link #DEFAULT_RUNNERS one runner}. */
    public BatcherConfig(int maxBatchRows, long maxQueueDelayMicros, int queueCapacity) {
        this(maxBatchRows, maxQueueDelayMicros, queueCapacity, DEFAULT_DISPATCH_WHEN_IDLE, DEFAULT_RUNNERS);
    }

    /**
     * The runners a server on {@code cores} cores wants: one per {@value #CORES_PER_RUNNER} cores, at
     * least one. A runner assembles and scores its batches on one thread, ~15% of a served
     * request's CPU in {@code home_feed}; with one runner on a 16-core host the runner saturated at
     * ~3,200 req/s while the event loops had cores to spare (BENCHMARKS.md, GPU serving, session 18).
     * One up to 7 cores, as on the 2-core machines every other figure was taken on; at most
     * {@value #MAX_RUNNERS}.
     */
    public static int runnersForCores(int cores) {
        return Math.min(MAX_RUNNERS, Math.max(1, cores / CORES_PER_RUNNER));
    }

    /** This configuration with dispatch-when-idle on or off. */
    public BatcherConfig withDispatchWhenIdle(boolean on) {
        return new BatcherConfig(maxBatchRows, maxQueueDelayMicros, queueCapacity, on, runners);
    }

    /** This configuration with {@code n} runner threads. */
    public BatcherConfig withRunners(int n) {
        return new BatcherConfig(maxBatchRows, maxQueueDelayMicros, queueCapacity, dispatchWhenIdle, n);
    }
}
