package dev.funnel.features;

import java.util.List;

/**
 * The item attributes feature extraction reads, by external item id. Serving adapts the index's
 * {@code ItemStore} to it; the trainer implements it over the item updates it consumes. Any thread.
 * Method contracts match {@code dev.funnel.index.ItemStore}.
 */
public interface ItemAttributes {

    /** Category, or null when unknown. */
    String category(long itemId);

    /** Author, or null when unknown. */
    String author(long itemId);

    /** Tags (empty when unknown). */
    List<String> tags(long itemId);

    /** Creation time in epoch millis, or {@code Long.MIN_VALUE} when unknown. */
    long createdAtMillis(long itemId);

    /** Popularity (higher is more popular), 0 when unknown. */
    double popularity(long itemId);

    /** Content embedding, or null when unknown; do not modify. */
    float[] embedding(long itemId);

    /**
     * A hint that these items' attributes are about to be read one item at a time: an
     * implementation may load them ahead in bulk (the index does, so that the cache misses of
     * hundreds of candidates overlap). Changes nothing observable; the default does nothing.
     */
    default void prefetch(long[] itemIds, int n) {
    }
}
