package dev.funnel.model.batch;

/**
 * When the dynamic batcher runs a batch. Immutable; validated on construction.
 *
 * @param maxBatchRows        run as soon as this many rows are queued
 * @param maxQueueDelayMicros run at the latest this long after the oldest queued row arrived
 * @param queueCapacity       queued submissions (not rows) before {@link DynamicBatcher#offer}
 *                            refuses; a power of two is used at or above it
 */
public record BatcherConfig(int maxBatchRows, long maxQueueDelayMicros, int queueCapacity) {

    public static final int DEFAULT_MAX_BATCH_ROWS = 1024;
    public static final long DEFAULT_MAX_QUEUE_DELAY_MICROS = 500;
    public static final int DEFAULT_QUEUE_CAPACITY = 1024;

    public static final BatcherConfig DEFAULT = new BatcherConfig(DEFAULT_MAX_BATCH_ROWS, DEFAULT_MAX_QUEUE_DELAY_MICROS,
            DEFAULT_QUEUE_CAPACITY);

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
    }
}
