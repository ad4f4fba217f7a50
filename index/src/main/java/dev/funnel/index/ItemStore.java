package dev.funnel.index;

import java.util.List;

/**
 * Read access to item attributes by external item id, as filters, rerankers and the ranker need
 * them. Implemented by the forward index; reads are lock-free and see every update acknowledged
 * before the read began. Any thread.
 */
public interface ItemStore {

    /** Live items (deleted ones excluded). */
    int size();

    /** Whether the item exists and is not deleted. */
    boolean contains(long itemId);

    /** Category, or null when the item is unknown. */
    String category(long itemId);

    /** Author, or null when unknown. */
    String author(long itemId);

    /** Tags (empty when unknown). */
    List<String> tags(long itemId);

    /** {@code online} / {@code offline}, or null when unknown. */
    String status(long itemId);

    /** Creation time in epoch millis, or {@code Long.MIN_VALUE} when unknown. */
    long createdAtMillis(long itemId);

    /** Popularity score (higher is more popular), or 0 when unknown. */
    double popularity(long itemId);

    /** The item's content embedding, or null when unknown; do not modify. */
    float[] embedding(long itemId);

    /**
     * {@link #embedding} of {@code ids[0..n)} into {@code out[0..n)} (null where unknown); do not
     * modify them. For stages that read hundreds of vectors: the index resolves every id before it
     * reads any vector, so their cache misses overlap instead of queueing one after another.
     */
    default void embeddings(long[] ids, int n, float[][] out) {
        for (int i = 0; i < n; i++) {
            out[i] = embedding(ids[i]);
        }
    }

    /**
     * A hint that the attributes of {@code ids[0..n)} are about to be read one item at a time (the
     * ranker's feature extraction): the index loads them in passes whose cache misses overlap.
     * Changes nothing observable; the default does nothing.
     */
    default void prefetch(long[] ids, int n) {
    }

    /** Any attribute by field name (the above, and configured extra fields), or null. */
    Object attribute(long itemId, String field);
}
