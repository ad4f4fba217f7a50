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
        // Per wide slot, the last row's looked-up vector: request-side ids (user, demographics,
        // context) repeat on every row, so each is looked up once per request, not once per row.
        float[] slotRows = new float[wc * h];
        for (int r = 0; r < n; r++) {
            if (r == 0) {
                copyPadded(user, userEmb, 0, cd);
            } else {
                System.arraycopy(userEmb, 0, userEmb, r * cd, cd);
            }
            copyPadded(items.embedding(batch.itemId(r)), itemEmb, r * cd, cd);
            for (int f = 0; f < fc; f++) {
                int at = r * fc + f;
                if (r > 0 && fieldIds[at] == fieldIds[at - fc]) {
                    System.arraycopy(fieldEmb, (at - fc) * fd, fieldEmb, at * fd, fd);
                } else {
                    fieldTable.get(fieldIds[at], fieldEmb, at * fd);
                }
            }
            System.arraycopy(denseIn, r * dc, dense, r * dc, dc);
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
                if (r == 0 || id != wideIds[at - wc]) {
                    wideTable.get(id, slotRows, sl * h);
                }
                for (int j = 0; j < h; j++) {
                    wide[wo + j] += slotRows[sl * h + j];
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
}
