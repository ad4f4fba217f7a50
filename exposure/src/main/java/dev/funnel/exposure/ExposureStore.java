package dev.funnel.exposure;

import java.util.concurrent.CompletionStage;

/**
 * Per-user exposure: what the server returned (short-term) and what the client reported as shown
 * (long-term, in time windows). Implementations are thread-safe and never block the caller: any
 * thread, an event loop included, may call every method.
 *
 * <p>Reads fail open: when the backing store is unreachable or slow, {@link #seen} completes with
 * nothing marked seen ({@link SeenRows#failedOpen()} true) and {@link ExposureMetrics#failOpen()}
 * rises; it never completes exceptionally. Writes that fail are counted in
 * {@link ExposureMetrics#writeFailures()} and complete normally.
 */
public interface ExposureStore extends AutoCloseable {

    /**
     * Which of {@code itemIds[0..n)} the user has seen, in either record. The array is read before
     * this returns and may be reused afterwards.
     *
     * @return completes (possibly on another thread) with row {@code i} marked when item
     *         {@code itemIds[i]} was seen; Bloom filters give false positives at the configured rate,
     *         never false negatives while a record is kept
     */
    CompletionStage<SeenRows> seen(String userId, long[] itemIds, int n);

    /**
     * Records items the server returned to the user (short-term record, kept
     * {@link ExposureConfig#shortTermTtlSeconds()}). Called after each response, off the critical path.
     */
    CompletionStage<Void> recordServed(String userId, long[] itemIds, int n);

    /**
     * Records items the client reported as shown ({@code expose} feedback): long-term record, kept
     * {@link ExposureConfig#retentionWindows()} windows of {@link ExposureConfig#windowSeconds()}.
     */
    CompletionStage<Void> recordExposed(String userId, long[] itemIds, int n);

    /** Counters and gauges of this store, for the server's metrics. */
    ExposureMetrics metrics();

    /** Releases the store (the in-process one persists itself when configured to). Idempotent. */
    @Override
    void close();
}
