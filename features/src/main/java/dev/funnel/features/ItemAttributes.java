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
     * All of the above for {@code itemIds[0..n)} into {@code out}'s first {@code n} rows. The
     * default calls the getters; the index's adapter looks each id up once and reads every item
     * from one version of the catalog, so the features of one request are consistent with each
     * other.
     */
    default void read(long[] itemIds, int n, ItemRows out) {
        for (int i = 0; i < n; i++) {
            long id = itemIds[i];
            out.set(i, category(id), author(id), tags(id), createdAtMillis(id), popularity(id), embedding(id));
        }
    }
}
