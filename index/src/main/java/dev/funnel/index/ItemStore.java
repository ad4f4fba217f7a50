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
     * The attributes a ranker's feature extraction reads, of {@code ids[0..n)}: item {@code i} goes
     * to {@code sink.item(i, …)}, in order, with what the single-item getters would return (an
     * unknown id gets null, null, an empty list, {@code Long.MIN_VALUE}, 0 and null). The index
     * looks each id up once (not once per attribute), reads every item from the same version of
     * the catalog, and resolves all ids before it reads any row, so the cache misses of hundreds of
     * candidates overlap.
     */
    default void read(long[] ids, int n, AttributeSink sink) {
        for (int i = 0; i < n; i++) {
            long id = ids[i];
            sink.item(i, category(id), author(id), tags(id), createdAtMillis(id), popularity(id), embedding(id));
        }
    }

    /** Receives {@link #read}'s items; the values are the store's own (do not modify them). */
    @FunctionalInterface
    interface AttributeSink {
        void item(int i, String category, String author, List<String> tags, long createdAtMillis, double popularity,
                  float[] embedding);
    }

    /** Any attribute by field name (the above, and configured extra fields), or null. */
    Object attribute(long itemId, String field);

    /**
     * {@link #attribute} of {@code ids[0..n)} for one field into {@code out[0..n)}. For stages that
     * test hundreds of candidates (rerank rules): the index resolves every id before it reads any
     * row, from one version of the catalog, so the cache misses overlap.
     */
    default void attributes(long[] ids, int n, String field, Object[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = attribute(ids[i], field);
        }
    }
}
