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
 * Runtime without a copy), or {@link #scratch} for {@link #fillInto} the buffers of a batch (what
 * serving does, on the batcher's runner). Not thread-safe: one fill at a time.
 */
public final class CtrInputs {

    private final CtrModelSpec spec;
    /** {@link CtrModel#inputWidths}, in {@link CtrModel#INPUTS} order. */
    private final int[] widths;
    private final int rows;
    private final float[][] arrays; // null when direct
    private final FloatBuffer[] buffers;
    // Row scratch, reused across fills: what one row writes, and row 0's vectors for reuse.
    private final float[] userRow;
    private final float[] zeros;
    private final float[] fieldRow;
    private float[] wideSums;
    private final LookupMemo fieldMemo;
    private final LookupMemo wideMemo;

    /** Heap-backed inputs for {@code rows} rows; {@link #arrays()} exposes them. */
    public CtrInputs(CtrModelSpec spec, int rows) {
        this(spec, rows, false);
    }

    /**
     * Scratch only, no rows of its own: for {@link #fillInto} another owner's buffers (a batcher
     * runner keeps one per thread).
     */
    public static CtrInputs scratch(CtrModelSpec spec) {
        return new CtrInputs(spec, 0, false);
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
        this.widths = CtrModel.inputWidths(spec);
        int[] w = widths;
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
     * the table's presence bitmap rules out reads as the default vector without a probe. The other
     * ids are read from the (large, mostly cache-missing) table together, each distinct one once (an
     * id repeated across rows — a category, a bucket, a tag, their crosses — is one probe per call),
     * so their cache misses overlap instead of following one another.
     *
     * @param fieldTable width {@code spec.fieldDim()}; unknown ids read as its default vector
     * @param wideTable  width {@code spec.headCount()}; unknown ids add its default vector
     * @throws IllegalArgumentException when the batch's schema or a table's width does not match
     */
    public CtrInputs fill(FeatureBatch batch, ItemAttributes items, EmbeddingTable fieldTable, EmbeddingTable wideTable) {
        check(spec, batch, fieldTable, wideTable);
        int n = batch.size();
        if (n > rows) {
            throw new IllegalArgumentException(n + " rows do not fit in inputs for " + rows);
        }
        fillRows(buffers, 0, batch, items, fieldTable, wideTable);
        return this;
    }

    /**
     * As {@link #fill}, but into rows {@code [rowOffset, rowOffset + batch.size())} of {@code inputs}
     * (the batch's buffers, in {@link CtrModel#INPUTS} order, row-major; absolute puts), using only this
     * object's scratch: what a batcher runner does with a request's features ({@code RowWriter}).
     *
     * @throws IllegalArgumentException as {@link #fill}, or when the rows do not fit in {@code inputs}
     */
    public void fillInto(FloatBuffer[] inputs, int rowOffset, FeatureBatch batch, ItemAttributes items,
                         EmbeddingTable fieldTable, EmbeddingTable wideTable) {
        check(spec, batch, fieldTable, wideTable);
        int[] w = widths;
        if (inputs.length != w.length) {
            throw new IllegalArgumentException(inputs.length + " input buffers, the model takes " + w.length);
        }
        for (int i = 0; i < w.length; i++) {
            if ((long) (rowOffset + batch.size()) * w[i] > inputs[i].capacity()) {
                throw new IllegalArgumentException("input " + i + " holds " + inputs[i].capacity() + " floats, rows up to "
                        + (rowOffset + batch.size()) + " × width " + w[i] + " needed");
            }
        }
        fillRows(inputs, rowOffset, batch, items, fieldTable, wideTable);
    }

    /**
     * Checks that {@code batch} and the tables fit a model of {@code spec} (what {@link #fill} and
     * {@link #fillInto} would reject), so a caller can refuse a request before handing its assembly
     * to another thread.
     *
     * @throws IllegalArgumentException when the batch's schema or a table's width does not match
     */
    public static void check(CtrModelSpec spec, FeatureBatch batch, EmbeddingTable fieldTable, EmbeddingTable wideTable) {
        if (!batch.schemaVersion().equals(spec.schemaVersion())) {
            throw new IllegalArgumentException("features are schema " + batch.schemaVersion() + ", model wants "
                    + spec.schemaVersion());
        }
        if (fieldTable.dim() != spec.fieldDim() || wideTable.dim() != spec.headCount()) {
            throw new IllegalArgumentException("table widths " + fieldTable.dim() + "/" + wideTable.dim()
                    + " do not match the model's field dim " + spec.fieldDim() + " / heads " + spec.headCount());
        }
    }

    private void fillRows(FloatBuffer[] out, int base, FeatureBatch batch, ItemAttributes items, EmbeddingTable fieldTable,
                          EmbeddingTable wideTable) {
        int n = batch.size();
        if (n == 0) {
            return;
        }
        int cd = spec.contentDim();
        int dc = spec.denseCount();
        FloatBuffer userOut = out[0];
        FloatBuffer itemOut = out[1];
        padded(batch.userEmbedding(), userRow, cd);
        out[3].put(base * dc, batch.denseArray(), 0, n * dc);
        // The vectors the dense features were extracted with, where the batch kept them (serving);
        // a batch rebuilt from logs reads them from the items.
        boolean kept = batch.hasItemEmbeddings();
        for (int r = 0; r < n; r++) {
            int at = (base + r) * cd;
            userOut.put(at, userRow, 0, cd);
            float[] e = kept ? batch.itemEmbedding(r) : items.embedding(batch.itemId(r));
            int m = e == null ? 0 : Math.min(e.length, cd);
            if (m > 0) {
                itemOut.put(at, e, 0, m);
            }
            if (m < cd) {
                itemOut.put(at + m, zeros, 0, cd - m);
            }
        }
        fillFields(out[2], base, batch, n, fieldTable);
        fillWide(out[4], base, batch, n, wideTable);
    }

    private void fillFields(FloatBuffer out, int base, FeatureBatch batch, int n, EmbeddingTable table) {
        int fc = spec.fieldCount();
        int fd = spec.fieldDim();
        int width = fc * fd;
        long[] ids = batch.fieldIdArray();
        // Vector f is row 0's field f (read now: all rows see one version of a request-side id),
        // vector fc the default; the other ids' vectors follow once read (fieldMemo.read).
        LookupMemo memo = fieldMemo;
        float[] v = memo.start(fc + 1);
        for (int f = 0; f < fc; f++) {
            table.get(ids[f], v, f * fd);
        }
        int absent = fc;
        table.defaultVectorInto(v, absent * fd);
        out.put(base * width, v, 0, width);
        // Which vector each (row, field) takes; the table is read once, for all distinct ids together.
        int[] refs = memo.refs(n * fc);
        for (int r = 1; r < n; r++) {
            for (int f = 0, i = r * fc; f < fc; f++, i++) {
                long id = ids[i];
                refs[i] = id == ids[f] ? f : !table.mayContain(id) ? absent : memo.ref(id);
            }
        }
        v = memo.read(table);
        for (int r = 1; r < n; r++) {
            for (int f = 0, i = r * fc; f < fc; f++, i++) {
                System.arraycopy(v, refs[i] * fd, fieldRow, f * fd, fd);
            }
            out.put((base + r) * width, fieldRow, 0, width);
        }
    }

    private void fillWide(FloatBuffer out, int base, FeatureBatch batch, int n, EmbeddingTable table) {
        int wc = batch.wideCount();
        int h = spec.headCount();
        long[] ids = batch.wideIdArray();
        if (wideSums.length < n * h) {
            wideSums = new float[n * h];
        }
        float[] sum = wideSums;
        // Vector sl is row 0's slot sl, then the default, then zeros (an empty slot adds them:
        // x + 0f is x for every partial sum from 0f), then the other ids' vectors once read.
        LookupMemo memo = wideMemo;
        float[] v = memo.start(wc + 2);
        for (int sl = 0; sl < wc; sl++) {
            if (ids[sl] != FeatureBatch.EMPTY_ID) {
                table.get(ids[sl], v, sl * h);
            }
        }
        int absent = wc;
        int none = wc + 1;
        table.defaultVectorInto(v, absent * h);
        Arrays.fill(v, none * h, none * h + h, 0f);
        int[] refs = memo.refs(n * wc);
        for (int r = 0; r < n; r++) {
            for (int sl = 0, i = r * wc; sl < wc; sl++, i++) {
                long id = ids[i];
                refs[i] = id == FeatureBatch.EMPTY_ID ? none
                        : id == ids[sl] ? sl : !table.mayContain(id) ? absent : memo.ref(id);
            }
        }
        v = memo.read(table);
        for (int r = 0; r < n; r++) {
            int so = r * h;
            int ri = r * wc;
            // A head at a time, its sum in a register: slot order from 0f, the same float sums as a
            // per-slot read of the table. (Adding each slot's vector into sum[] made every add wait on
            // the store of the one before it.)
            for (int j = 0; j < h; j++) {
                float s = 0f;
                for (int sl = 0; sl < wc; sl++) {
                    s += v[refs[ri + sl] * h + j];
                }
                sum[so + j] = s;
            }
        }
        out.put(base * h, sum, 0, n * h); // one copy of n × heads floats, not a small one per row
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
     * The vectors one fill uses from a table, each read once: a caller's fixed vectors first
     * ({@link #start}), then one per distinct id it hands to {@link #ref} (through a direct-mapped,
     * lossy map: a colliding id gets an index of its own and is read twice), all read in one
     * {@link EmbeddingTable#getAll} by {@link #read} — the table is large and mostly not in cache,
     * and read together the ids' misses overlap. Every (row, slot) then copies or adds vector
     * {@code refs[i]}, without a branch. Map entries are stamped with the call, so nothing is
     * cleared between calls.
     */
    private static final class LookupMemo {
        private final long[] keys;
        private final int[] calls;
        private final int[] index;
        private final int mask;
        private final int dim;
        private int call;
        private long[] ids = new long[256];
        private int fixed;
        private int count;
        private float[] values = new float[0];
        private int[] refs = new int[0];

        LookupMemo(int slots, int dim) {
            this.keys = new long[slots];
            this.calls = new int[slots];
            this.index = new int[slots];
            this.mask = slots - 1;
            this.dim = dim;
        }

        /** Starts a fill whose first {@code fixedVectors} vectors the caller writes into the returned array. */
        float[] start(int fixedVectors) {
            if (++call == 0) { // wrapped after 2^32 calls: forget everything once
                Arrays.fill(calls, 0);
                call = 1;
            }
            fixed = fixedVectors;
            count = 0;
            if (values.length < (fixed + ids.length) * dim) {
                values = new float[(fixed + ids.length) * dim];
            }
            return values;
        }

        /** Scratch for one reference per (row, slot), reused across calls. */
        int[] refs(int n) {
            if (refs.length < n) {
                refs = new int[n];
            }
            return refs;
        }

        /** The index id's vector will have in {@link #read}'s array. */
        int ref(long id) {
            int slot = (int) ((id * 0x9e3779b97f4a7c15L) >>> 40) & mask;
            if (calls[slot] == call) {
                if (keys[slot] == id) {
                    return index[slot];
                }
                return add(id); // the slot holds another id of this call: read this one on its own
            }
            keys[slot] = id;
            calls[slot] = call;
            return index[slot] = add(id);
        }

        private int add(long id) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, count * 2);
                values = Arrays.copyOf(values, (fixed + ids.length) * dim); // keeps the fixed vectors
            }
            ids[count] = id;
            return fixed + count++;
        }

        /** Reads every id handed a {@link #ref} this call; vector i is at {@code i × dim} of the array returned. */
        float[] read(EmbeddingTable table) {
            table.getAll(ids, count, values, fixed * dim);
            return values;
        }
    }

    private float[][] heap() {
        if (arrays == null) {
            throw new IllegalStateException("direct inputs have no arrays; read buffers()");
        }
        return arrays;
    }
}
