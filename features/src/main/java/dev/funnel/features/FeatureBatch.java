package dev.funnel.features;

/**
 * The features of one request's candidates, column-wise: per row an item id, {@code fieldCount}
 * field ids, {@code wideCount} wide ids and {@code denseCount} dense values (layout in
 * {@link FeatureSchema}); once per batch the user's content embedding. Filled by
 * {@link FeatureExtractor}; the ranker leaves it in the request's attributes under
 * {@code rank.features} for the impression log, after which it must not change.
 *
 * <p>Not thread-safe: one writer, then read-only. The arrays are exposed for speed; callers must
 * not modify them.
 */
public final class FeatureBatch {

    /** A wide slot with no feature (an item with fewer tags than slots); weighs nothing. */
    public static final long EMPTY_ID = -1L;

    private final String schemaVersion;
    private final int fieldCount;
    private final int wideCount;
    private final int denseCount;
    private int size;
    private long[] itemIds;
    private long[] fieldIds;
    private long[] wideIds;
    private float[] dense;
    private float[] userEmbedding;
    /** Per row the item's content embedding as extracted; null in a batch rebuilt from logs. */
    private float[][] itemEmbeddings;

    /** An empty batch for this schema with room for {@code capacity} rows (grows on demand). */
    public FeatureBatch(FeatureSchema schema, int capacity) {
        this(schema.version(), schema.fieldCount(), schema.wideCount(), schema.denseCount(), capacity);
    }

    /**
     * A batch rebuilt from logged columns (the trainer reading the impression log). Arrays are
     * used as given, not copied.
     */
    public static FeatureBatch of(String schemaVersion, int fieldCount, int wideCount, int denseCount, int size,
                                  long[] itemIds, long[] fieldIds, long[] wideIds, float[] dense, float[] userEmbedding) {
        if (itemIds.length < size || fieldIds.length < size * fieldCount || wideIds.length < size * wideCount
                || dense.length < size * denseCount) {
            throw new IllegalArgumentException("column arrays too short for " + size + " rows");
        }
        FeatureBatch b = new FeatureBatch(schemaVersion, fieldCount, wideCount, denseCount, 0);
        b.size = size;
        b.itemIds = itemIds;
        b.itemEmbeddings = null; // not logged
        b.fieldIds = fieldIds;
        b.wideIds = wideIds;
        b.dense = dense;
        b.userEmbedding = userEmbedding;
        return b;
    }

    private FeatureBatch(String schemaVersion, int fieldCount, int wideCount, int denseCount, int capacity) {
        this.schemaVersion = schemaVersion;
        this.fieldCount = fieldCount;
        this.wideCount = wideCount;
        this.denseCount = denseCount;
        allocate(Math.max(capacity, 0));
    }

    private void allocate(int capacity) {
        itemIds = new long[capacity];
        fieldIds = new long[capacity * fieldCount];
        wideIds = new long[capacity * wideCount];
        dense = new float[capacity * denseCount];
        itemEmbeddings = new float[capacity][];
    }

    /** Empties the batch and makes room for {@code rows} rows. Writer only. */
    void reset(int rows) {
        if (itemIds.length < rows || itemEmbeddings == null) {
            allocate(Math.max(rows, itemIds.length));
        }
        size = 0;
        userEmbedding = null;
    }

    void setSize(int n) {
        size = n;
    }

    void setUserEmbedding(float[] e) {
        userEmbedding = e;
    }

    /** The schema version the batch was extracted under. */
    public String schemaVersion() {
        return schemaVersion;
    }

    public int size() {
        return size;
    }

    public int fieldCount() {
        return fieldCount;
    }

    public int wideCount() {
        return wideCount;
    }

    public int denseCount() {
        return denseCount;
    }

    public long itemId(int row) {
        return itemIds[row];
    }

    public long fieldId(int row, int field) {
        return fieldIds[row * fieldCount + field];
    }

    public long wideId(int row, int slot) {
        return wideIds[row * wideCount + slot];
    }

    public float dense(int row, int feature) {
        return dense[row * denseCount + feature];
    }

    /** The user's content embedding the batch was extracted with, or null when the user had none. */
    public float[] userEmbedding() {
        return userEmbedding;
    }

    /**
     * Whether the batch holds the items' content embeddings it was extracted with (a batch from
     * {@code FeatureExtractor} does; one rebuilt from logged columns does not).
     */
    public boolean hasItemEmbeddings() {
        return itemEmbeddings != null;
    }

    /**
     * The content embedding row {@code row}'s item had when its features were extracted (null when
     * it had none), the one its dense features used; do not modify.
     *
     * @throws IllegalStateException when the batch holds no embeddings (see {@link #hasItemEmbeddings})
     */
    public float[] itemEmbedding(int row) {
        if (itemEmbeddings == null) {
            throw new IllegalStateException("a batch rebuilt from logs holds no item embeddings");
        }
        return itemEmbeddings[row];
    }

    /** Per row the item's embedding, for the extractor. */
    float[][] itemEmbeddingArray() {
        return itemEmbeddings;
    }

    /** Row-major item ids; do not modify. */
    public long[] itemIdArray() {
        return itemIds;
    }

    /** Row-major field ids ({@code size × fieldCount}); do not modify. */
    public long[] fieldIdArray() {
        return fieldIds;
    }

    /** Row-major wide ids ({@code size × wideCount}); do not modify. */
    public long[] wideIdArray() {
        return wideIds;
    }

    /** Row-major dense values ({@code size × denseCount}); do not modify. */
    public float[] denseArray() {
        return dense;
    }

    /** The first row holding this item, or -1. */
    public int rowOf(long itemId) {
        for (int i = 0; i < size; i++) {
            if (itemIds[i] == itemId) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "FeatureBatch{" + schemaVersion + ", rows=" + size + '}';
    }
}
