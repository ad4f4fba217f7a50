package dev.funnel.model.ctr;

import dev.funnel.features.FeatureBatch;
import dev.funnel.features.ItemAttributes;
import dev.funnel.model.embedding.EmbeddingTable;

/**
 * The five input matrices of a {@code ctr} model for n rows (layout in {@link CtrModelSpec}),
 * assembled from a {@link FeatureBatch}, the item embeddings and the {@code field} and {@code wide}
 * embedding tables. One instance per request; not thread-safe. Serving and training assemble
 * through this class, so both see the same inputs.
 */
public final class CtrInputs {

    private final CtrModelSpec spec;
    private final int rows;
    private final float[] userEmb;
    private final float[] itemEmb;
    private final float[] fieldEmb;
    private final float[] dense;
    private final float[] wide;

    public CtrInputs(CtrModelSpec spec, int rows) {
        this.spec = spec;
        this.rows = rows;
        int[] w = CtrModel.inputWidths(spec);
        userEmb = new float[rows * w[0]];
        itemEmb = new float[rows * w[1]];
        fieldEmb = new float[rows * w[2]];
        dense = new float[rows * w[3]];
        wide = new float[rows * w[4]];
    }

    /**
     * Fills rows [0, batch.size()) from the batch.
     *
     * @param fieldTable width {@code spec.fieldDim()}; unknown ids read as its default vector
     * @param wideTable  width {@code spec.headCount()}; unknown ids add its default vector
     * @throws IllegalArgumentException when the batch's schema or a table's width does not match
     */
    public CtrInputs fill(FeatureBatch batch, ItemAttributes items, EmbeddingTable fieldTable, EmbeddingTable wideTable) {
        if (!batch.schemaVersion().equals(spec.schemaVersion())) {
            throw new IllegalArgumentException("features are schema " + batch.schemaVersion() + ", model wants "
                    + spec.schemaVersion());
        }
        if (fieldTable.dim() != spec.fieldDim() || wideTable.dim() != spec.headCount()) {
            throw new IllegalArgumentException("table widths " + fieldTable.dim() + "/" + wideTable.dim()
                    + " do not match the model's field dim " + spec.fieldDim() + " / heads " + spec.headCount());
        }
        int n = batch.size();
        if (n > rows) {
            throw new IllegalArgumentException(n + " rows do not fit in inputs for " + rows);
        }
        int cd = spec.contentDim();
        int fc = spec.fieldCount();
        int fd = spec.fieldDim();
        int dc = spec.denseCount();
        int h = spec.headCount();
        float[] user = batch.userEmbedding();
        long[] fieldIds = batch.fieldIdArray();
        long[] wideIds = batch.wideIdArray();
        float[] denseIn = batch.denseArray();
        int wc = batch.wideCount();
        copyPadded(user, userEmb, 0, cd);
        for (int r = 1; r < n; r++) {
            System.arraycopy(userEmb, 0, userEmb, r * cd, cd);
        }
        System.arraycopy(denseIn, 0, dense, 0, n * dc);
        // Ids repeat across rows (request-side ids on every row; categories, buckets, tags and
        // their crosses across items): a lossy per-call memo turns each repeat into a copy of the
        // vector already read instead of another probe into the (large, cache-missing) table.
        // Within one request every occurrence of an id therefore reads the same row version.
        LookupMemo fieldMemo = new LookupMemo(n * fc);
        LookupMemo wideMemo = new LookupMemo(n * wc);
        // Looked-up wide vectors, one per (row, slot), so the memo can point back at them.
        float[] wideRows = new float[n * wc * h];
        for (int r = 0; r < n; r++) {
            copyPadded(items.embedding(batch.itemId(r)), itemEmb, r * cd, cd);
            for (int f = 0; f < fc; f++) {
                int at = r * fc + f;
                long id = fieldIds[at];
                int seen = fieldMemo.find(id);
                if (seen >= 0) {
                    System.arraycopy(fieldEmb, seen * fd, fieldEmb, at * fd, fd);
                } else {
                    fieldTable.get(id, fieldEmb, at * fd);
                    fieldMemo.put(id, at);
                }
            }
            int wo = r * h;
            for (int j = 0; j < h; j++) {
                wide[wo + j] = 0f;
            }
            for (int sl = 0; sl < wc; sl++) {
                int at = r * wc + sl;
                long id = wideIds[at];
                if (id == FeatureBatch.EMPTY_ID) {
                    continue;
                }
                int seen = wideMemo.find(id);
                int src;
                if (seen >= 0) {
                    src = seen * h;
                } else {
                    src = at * h;
                    wideTable.get(id, wideRows, src);
                    wideMemo.put(id, at);
                }
                for (int j = 0; j < h; j++) {
                    wide[wo + j] += wideRows[src + j];
                }
            }
        }
        return this;
    }

    private static void copyPadded(float[] src, float[] dst, int off, int width) {
        if (src == null) {
            java.util.Arrays.fill(dst, off, off + width, 0f);
            return;
        }
        int m = Math.min(src.length, width);
        System.arraycopy(src, 0, dst, off, m);
        if (m < width) {
            java.util.Arrays.fill(dst, off + m, off + width, 0f);
        }
    }

    public CtrModelSpec spec() {
        return spec;
    }

    /** Row capacity. */
    public int rows() {
        return rows;
    }

    /** The input arrays in {@link CtrModel#INPUTS} order; live, row-major. */
    public float[][] arrays() {
        return new float[][] {userEmb, itemEmb, fieldEmb, dense, wide};
    }

    public float[] userEmb() {
        return userEmb;
    }

    public float[] itemEmb() {
        return itemEmb;
    }

    public float[] fieldEmb() {
        return fieldEmb;
    }

    public float[] dense() {
        return dense;
    }

    public float[] wide() {
        return wide;
    }

    /**
     * Id → the first position it was read at, direct-mapped and lossy (a collision forgets the
     * older id, which then is only read again from the table). Feature ids are non-negative, so
     * -1 marks an empty slot.
     */
    private static final class LookupMemo {
        private final long[] keys;
        private final int[] positions;
        private final int mask;

        LookupMemo(int expected) {
            int cap = Integer.highestOneBit(Math.max(16, expected) * 2 - 1);
            cap = Math.min(Math.max(cap, 16), 1 << 14);
            keys = new long[cap];
            java.util.Arrays.fill(keys, -1L);
            positions = new int[cap];
            mask = cap - 1;
        }

        int find(long id) {
            int i = slot(id);
            return keys[i] == id ? positions[i] : -1;
        }

        void put(long id, int position) {
            int i = slot(id);
            keys[i] = id;
            positions[i] = position;
        }

        private int slot(long id) {
            long h = id * 0x9e3779b97f4a7c15L;
            return (int) (h >>> 40) & mask;
        }
    }
}
