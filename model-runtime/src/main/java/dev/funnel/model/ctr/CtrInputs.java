package dev.funnel.model.ctr;

import dev.funnel.features.FeatureBatch;
import dev.funnel.features.ItemAttributes;
import dev.funnel.model.embedding.EmbeddingTable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The five input matrices of a {@code ctr} model for up to {@code rows} rows (layout in
 * {@link CtrModelSpec}), assembled from a {@link FeatureBatch}, the item embeddings and the
 * {@code field} and {@code wide} embedding tables. Serving and training assemble through this
 * class, so both see the same inputs. Heap-backed ({@link #CtrInputs(CtrModelSpec, int)}: the
 * arrays are readable) or backed by direct buffers ({@link #direct}: what the batcher hands to ONNX
 * Runtime without a copy; serving reuses them across requests). Not thread-safe: one request at a
 * time.
 */
public final class CtrInputs {

    private final CtrModelSpec spec;
    private final int rows;
    private final float[][] arrays; // null when direct
    private final FloatBuffer[] buffers;
    // Row scratch, reused across fills: what one row writes, and row 0's vectors for reuse.
    private final float[] userRow;
    private final float[] zeros;
    private final float[] fieldRow;
    private final float[] firstFieldRow;
    private final float[] wideSums;
    private float[] firstWideRows = new float[0];
    private final LookupMemo fieldMemo;
    private final LookupMemo wideMemo;

    /** Heap-backed inputs for {@code rows} rows; {@link #arrays()} exposes them. */
    public CtrInputs(CtrModelSpec spec, int rows) {
        this(spec, rows, false);
    }

    /** Inputs in native-order direct buffers for {@code rows} rows; {@link #buffers()} exposes them. */
    public static CtrInputs direct(CtrModelSpec spec, int rows) {
        return new CtrInputs(spec, rows, true);
    }

    private CtrInputs(CtrModelSpec spec, int rows, boolean direct) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        this.spec = spec;
        this.rows = rows;
        int[] w = CtrModel.inputWidths(spec);
        buffers = new FloatBuffer[w.length];
        if (direct) {
            arrays = null;
            for (int i = 0; i < w.length; i++) {
                buffers[i] = ByteBuffer.allocateDirect(Math.max(1, rows * w[i]) * Float.BYTES).order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
            }
        } else {
            arrays = new float[w.length][];
            for (int i = 0; i < w.length; i++) {
                arrays[i] = new float[rows * w[i]];
                buffers[i] = FloatBuffer.wrap(arrays[i]);
            }
        }
        userRow = new float[spec.contentDim()];
        zeros = new float[spec.contentDim()];
        fieldRow = new float[spec.fieldCount() * spec.fieldDim()];
        firstFieldRow = new float[fieldRow.length];
        wideSums = new float[rows * spec.headCount()];
        fieldMemo = new LookupMemo(FIELD_MEMO_SLOTS, spec.fieldDim());
        wideMemo = new LookupMemo(WIDE_MEMO_SLOTS, spec.headCount());
    }

    private static final int FIELD_MEMO_SLOTS = 2048;
    private static final int WIDE_MEMO_SLOTS = 4096;

    /**
     * Fills rows [0, batch.size()) from the batch. Every float of those rows is written. An id
     * equal to row 0's in the same field or wide slot (a request-side id: user, demographics,
     * context) is read from the table once per call, so all rows see the same version of it. An id
     * the table's presence bitmap rules out reads as the default vector without a probe; other ids
     * go through a lossy per-call memo, so an id repeated across rows (a category, a bucket, a tag,
     * their crosses) is mostly one probe of the (large, cache-missing) table per call.
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
        if (n == 0) {
            return this;
        }
        int cd = spec.contentDim();
        int dc = spec.denseCount();
        FloatBuffer userOut = buffers[0];
        FloatBuffer itemOut = buffers[1];
        padded(batch.userEmbedding(), userRow, cd);
        buffers[3].put(0, batch.denseArray(), 0, n * dc);
        // The vectors the dense features were extracted with, where the batch kept them (serving);
        // a batch rebuilt from logs reads them from the items.
        boolean kept = batch.hasItemEmbeddings();
        for (int r = 0; r < n; r++) {
            userOut.put(r * cd, userRow, 0, cd);
            float[] e = kept ? batch.itemEmbedding(r) : items.embedding(batch.itemId(r));
            int m = e == null ? 0 : Math.min(e.length, cd);
            if (m > 0) {
                itemOut.put(r * cd, e, 0, m);
            }
            if (m < cd) {
                itemOut.put(r * cd + m, zeros, 0, cd - m);
            }
        }
        fieldMemo.nextCall();
        wideMemo.nextCall();
        fillFields(batch, n, fieldTable);
        fillWide(batch, n, wideTable);
        return this;
    }

    private void fillFields(FeatureBatch batch, int n, EmbeddingTable table) {
        int fc = spec.fieldCount();
        int fd = spec.fieldDim();
        int width = fc * fd;
        long[] ids = batch.fieldIdArray();
        FloatBuffer out = buffers[2];
        float[] absent = table.defaultVector();
        LookupMemo memo = fieldMemo;
        for (int f = 0; f < fc; f++) {
            table.get(ids[f], firstFieldRow, f * fd);
        }
        out.put(0, firstFieldRow, 0, width);
        for (int r = 1; r < n; r++) {
            int base = r * fc;
            for (int f = 0; f < fc; f++) {
                long id = ids[base + f];
                if (id == ids[f]) {
                    System.arraycopy(firstFieldRow, f * fd, fieldRow, f * fd, fd);
                } else if (!table.mayContain(id)) {
                    System.arraycopy(absent, 0, fieldRow, f * fd, fd);
                } else {
                    System.arraycopy(memo.values, memo.lookup(id, table, absent), fieldRow, f * fd, fd);
                }
            }
            out.put(r * width, fieldRow, 0, width);
        }
    }

    private void fillWide(FeatureBatch batch, int n, EmbeddingTable table) {
        int wc = batch.wideCount();
        int h = spec.headCount();
        long[] ids = batch.wideIdArray();
        FloatBuffer out = buffers[4];
        if (firstWideRows.length < wc * h) {
            firstWideRows = new float[wc * h];
        }
        float[] first = firstWideRows;
        float[] sum = wideSums;
        float[] absent = table.defaultVector();
        LookupMemo memo = wideMemo;
        for (int sl = 0; sl < wc; sl++) {
            if (ids[sl] != FeatureBatch.EMPTY_ID) {
                table.get(ids[sl], first, sl * h);
            }
        }
        for (int r = 0; r < n; r++) {
            int so = r * h;
            Arrays.fill(sum, so, so + h, 0f);
            int base = r * wc;
            for (int sl = 0; sl < wc; sl++) {
                long id = ids[base + sl];
                if (id == FeatureBatch.EMPTY_ID) {
                    continue;
                }
                float[] v;
                int off;
                if (id == ids[sl]) {
                    v = first;
                    off = sl * h;
                } else if (!table.mayContain(id)) {
                    v = absent; // the table's default vector, held for this call
                    off = 0;
                } else {
                    v = memo.values;
                    off = memo.lookup(id, table, absent);
                }
                // Slot order, from 0f: the same float sums as a per-slot read of the table.
                for (int j = 0; j < h; j++) {
                    sum[so + j] += v[off + j];
                }
            }
        }
        out.put(0, sum, 0, n * h); // one copy of n × heads floats, not a small one per row
    }

    private static void padded(float[] src, float[] dst, int width) {
        int m = src == null ? 0 : Math.min(src.length, width);
        if (m > 0) {
            System.arraycopy(src, 0, dst, 0, m);
        }
        Arrays.fill(dst, m, width, 0f);
    }

    public CtrModelSpec spec() {
        return spec;
    }

    /** Row capacity. */
    public int rows() {
        return rows;
    }

    /** Whether the inputs live in direct buffers (no arrays to read). */
    public boolean isDirect() {
        return arrays == null;
    }

    /**
     * The inputs in {@link CtrModel#INPUTS} order, row-major from index 0 (positions and limits
     * are not used); live.
     */
    public FloatBuffer[] buffers() {
        return buffers.clone();
    }

    /**
     * The input arrays in {@link CtrModel#INPUTS} order; live, row-major.
     *
     * @throws IllegalStateException for {@link #direct} inputs
     */
    public float[][] arrays() {
        return heap().clone();
    }

    public float[] userEmb() {
        return heap()[0];
    }

    public float[] itemEmb() {
        return heap()[1];
    }

    public float[] fieldEmb() {
        return heap()[2];
    }

    public float[] dense() {
        return heap()[3];
    }

    public float[] wide() {
        return heap()[4];
    }

    /**
     * Id → its table vector (the row, or the default), read once per call: direct-mapped and lossy
     * (a colliding id evicts the older, which is then read from the table again), stamped with the
     * call so an entry never outlives the fill that read it and nothing is cleared between calls.
     */
    private static final class LookupMemo {
        final float[] values;
        private final long[] keys;
        private final int[] calls;
        private final int mask;
        private final int dim;
        private int call;

        LookupMemo(int slots, int dim) {
            this.values = new float[slots * dim];
            this.keys = new long[slots];
            this.calls = new int[slots];
            this.mask = slots - 1;
            this.dim = dim;
        }

        void nextCall() {
            if (++call == 0) { // wrapped after 2^32 calls: forget everything once
                Arrays.fill(calls, 0);
                call = 1;
            }
        }

        /** The offset in {@link #values} of id's vector, read from the table unless already read this call. */
        int lookup(long id, EmbeddingTable table, float[] absent) {
            int slot = (int) ((id * 0x9e3779b97f4a7c15L) >>> 40) & mask;
            int at = slot * dim;
            if (calls[slot] != call || keys[slot] != id) {
                if (!table.getIfPresent(id, values, at)) {
                    System.arraycopy(absent, 0, values, at, dim);
                }
                keys[slot] = id;
                calls[slot] = call;
            }
            return at;
        }
    }

    private float[][] heap() {
        if (arrays == null) {
            throw new IllegalStateException("direct inputs have no arrays; read buffers()");
        }
        return arrays;
    }
}
