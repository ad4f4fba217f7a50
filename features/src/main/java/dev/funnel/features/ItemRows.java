package dev.funnel.features;

import java.util.List;

/**
 * The attributes of one batch of candidates, column by column, as {@link ItemAttributes#read}
 * fills them: what feature extraction reads of each item, looked up once per item instead of once
 * per attribute. One writer, then read by the extraction that owns it; values are the store's own
 * (not copied, never modified).
 */
public final class ItemRows {

    final String[] category;
    final String[] author;
    final List<String>[] tags;
    final long[] createdAtMillis;
    final double[] popularity;
    final float[][] embedding;

    /** Room for {@code n} items. */
    @SuppressWarnings("unchecked")
    public ItemRows(int n) {
        category = new String[n];
        author = new String[n];
        tags = (List<String>[]) new List<?>[n];
        createdAtMillis = new long[n];
        popularity = new double[n];
        embedding = new float[n][];
    }

    /**
     * Sets item {@code i}: the {@link ItemAttributes} getters' values for it (null, null, empty,
     * {@code Long.MIN_VALUE}, 0, null for an unknown item).
     */
    public void set(int i, String category, String author, List<String> tags, long createdAtMillis, double popularity,
                    float[] embedding) {
        this.category[i] = category;
        this.author[i] = author;
        this.tags[i] = tags;
        this.createdAtMillis[i] = createdAtMillis;
        this.popularity[i] = popularity;
        this.embedding[i] = embedding;
    }
}
