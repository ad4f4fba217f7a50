package dev.funnel.trainer.learn;

import dev.funnel.streams.schema.ModelDelta;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One-pass online learner of the ctr model. Per sample: forward exactly as serving, logistic loss
 * on the sample's heads; the wide rows (FTRL) and field-embedding rows (AdaGrad) are updated at once,
 * the MLP gradient is accumulated and applied by Adam every {@code batchSize} samples. Deterministic:
 * the same samples in the same order give the same weights. Single-threaded (the trainer's loop).
 */
public final class CtrLearner {

    private final CtrShape shape;
    private final LearnerConfig config;
    private final int heads;
    private final int layers;
    private final float[][] w;
    private final float[][] b;
    private final float[][] gw;
    private final float[][] gb;
    private final float[][] mw;
    private final float[][] vw;
    private final float[][] mb;
    private final float[][] vb;
    private final RowStore wide;
    private final RowStore field;
    private final float[][] acts;
    private final float[][] deltas;
    private final float[] fieldGrad;
    private final float[][] fieldRowsUsed;
    private long adamSteps;
    private int pendingInBatch;
    private long samplesSeen;
    private double lossSum;
    private long lossCount;

    /**
     * @param shape        model shape
     * @param config       optimizers and tables
     * @param initialW     starting MLP weights per layer ([in, out] row-major), copied
     * @param initialB     starting biases per layer, copied
     */
    public CtrLearner(CtrShape shape, LearnerConfig config, float[][] initialW, float[][] initialB) {
        this.shape = shape;
        this.config = config;
        this.heads = shape.heads().size();
        int[] widths = shape.layerWidths();
        this.layers = widths.length - 1;
        if (initialW.length != layers || initialB.length != layers) {
            throw new IllegalArgumentException("expected " + layers + " layers of weights for " + shape + ", got " + initialW.length);
        }
        w = new float[layers][];
        b = new float[layers][];
        gw = new float[layers][];
        gb = new float[layers][];
        mw = new float[layers][];
        vw = new float[layers][];
        mb = new float[layers][];
        vb = new float[layers][];
        for (int l = 0; l < layers; l++) {
            if (initialW[l].length != widths[l] * widths[l + 1] || initialB[l].length != widths[l + 1]) {
                throw new IllegalArgumentException("layer " + l + " of " + shape + ": expected " + widths[l] + "x" + widths[l + 1]
                        + " weights, got " + initialW[l].length + " weights and " + initialB[l].length + " biases");
            }
            w[l] = initialW[l].clone();
            b[l] = initialB[l].clone();
            gw[l] = new float[w[l].length];
            gb[l] = new float[b[l].length];
            mw[l] = new float[w[l].length];
            vw[l] = new float[w[l].length];
            mb[l] = new float[b[l].length];
            vb[l] = new float[b[l].length];
        }
        wide = new RowStore(CtrShape.WIDE_TABLE, 2 * heads, heads, config.admitAfter(), config.maxRows(), config.rowTtlMillis());
        field = new RowStore(CtrShape.FIELD_TABLE, 2 * shape.fieldDim(), shape.fieldDim(), config.admitAfter(),
                config.maxRows(), config.rowTtlMillis());
        acts = CtrMath.scratch(shape);
        deltas = CtrMath.scratch(shape);
        fieldGrad = new float[shape.fieldDim()];
        fieldRowsUsed = new float[shape.fieldCount()][];
    }

    public CtrShape shape() {
        return shape;
    }

    public long samplesSeen() {
        return samplesSeen;
    }

    /** Mean log loss since the last call (NaN when no sample), then resets. */
    public double takeMeanLoss() {
        double m = lossCount == 0 ? Double.NaN : lossSum / lossCount;
        lossSum = 0;
        lossCount = 0;
        return m;
    }

    /** Rows in the field-embedding and wide tables. */
    public int fieldRows() {
        return field.size();
    }

    public int wideRows() {
        return wide.size();
    }

    /** Predicted probabilities per head for the sample's features (labels ignored). */
    public float[] predict(Sample s) {
        float[] out = new float[heads];
        forward(s);
        float[] logits = acts[layers];
        for (int h = 0; h < heads; h++) {
            out[h] = (float) CtrMath.sigmoid(logits[h] + wideWeight(s.wideIds(), h));
        }
        return out;
    }

    private float wideWeight(long[] ids, int h) {
        float sum = 0f;
        for (long id : ids) {
            if (id == CtrShape.EMPTY_ID) {
                continue;
            }
            float[] row = wide.get(id);
            if (row != null) {
                sum += config.ftrl().weight(row[h], row[heads + h]);
            }
        }
        return sum;
    }

    private void forward(Sample s) {
        float[] x = acts[0];
        int cd = shape.contentDim();
        int fd = shape.fieldDim();
        CtrMath.put(x, 0, s.userEmbedding(), cd);
        CtrMath.put(x, cd, s.itemEmbedding(), cd);
        int off = 2 * cd;
        long[] fids = s.fieldIds();
        for (int f = 0; f < shape.fieldCount(); f++) {
            float[] row = f < fids.length ? field.get(fids[f]) : null;
            fieldRowsUsed[f] = row;
            CtrMath.put(x, off, row, fd);
            off += fd;
        }
        CtrMath.put(x, off, s.dense(), shape.denseCount());
        CtrMath.mlp(w, b, acts);
    }

    /** Learns from one sample; {@code nowMillis} stamps row expiry. */
    public void train(Sample s, long nowMillis) {
        forward(s);
        samplesSeen++;
        float[] logits = acts[layers];
        float[] dOut = deltas[layers];
        boolean any = false;
        for (int h = 0; h < heads; h++) {
            if (!s.trains(h)) {
                dOut[h] = 0f;
                continue;
            }
            double p = CtrMath.sigmoid(logits[h] + wideWeight(s.wideIds(), h));
            float y = s.labels()[h];
            lossSum += -(y * Math.log(Math.max(p, 1e-7)) + (1 - y) * Math.log(Math.max(1 - p, 1e-7)));
            lossCount++;
            dOut[h] = (float) (p - y);
            any = true;
        }
        if (!any) {
            return;
        }
        // Wide part: d loss / d w_id,h = dOut[h] for every present id.
        for (long id : s.wideIds()) {
            if (id == CtrShape.EMPTY_ID) {
                continue;
            }
            float[] row = wide.forUpdate(id, nowMillis, (i, r) -> { });
            if (row != null) {
                for (int h = 0; h < heads; h++) {
                    if (s.trains(h)) {
                        config.ftrl().update(row, h, heads + h, dOut[h]);
                    }
                }
            }
        }
        // MLP backward, accumulating weight gradients.
        for (int l = layers - 1; l >= 0; l--) {
            float[] in = acts[l];
            float[] d = deltas[l + 1];
            float[] wl = w[l];
            float[] gwl = gw[l];
            float[] gbl = gb[l];
            int nOut = d.length;
            for (int j = 0; j < nOut; j++) {
                gbl[j] += d[j];
            }
            float[] dIn = deltas[l];
            for (int i = 0; i < in.length; i++) {
                float xi = in[i];
                int base = i * nOut;
                float acc = 0f;
                for (int j = 0; j < nOut; j++) {
                    float dj = d[j];
                    gwl[base + j] += xi * dj;
                    acc += wl[base + j] * dj;
                }
                // ReLU derivative for hidden activations (acts[l] is post-ReLU for l >= 1).
                dIn[i] = (l > 0 && xi <= 0f) ? 0f : acc;
            }
        }
        // Field embeddings: gradient is the input delta's slice for each field.
        float[] dx = deltas[0];
        int fd = shape.fieldDim();
        int off = 2 * shape.contentDim();
        long[] fids = s.fieldIds();
        for (int f = 0; f < shape.fieldCount() && f < fids.length; f++) {
            float[] row = field.forUpdate(fids[f], nowMillis, this::initFieldRow);
            if (row != null) {
                System.arraycopy(dx, off + f * fd, fieldGrad, 0, fd);
                config.adaGrad().update(row, 0, row, fd, fieldGrad, 0, fd);
            }
        }
        if (++pendingInBatch >= config.batchSize()) {
            flush();
        }
    }

    private void initFieldRow(long id, float[] row) {
        // Deterministic in the id, so a replay after restart makes the same rows.
        long x = id * 0x9E3779B97F4A7C15L;
        int fd = shape.fieldDim();
        for (int i = 0; i < fd; i++) {
            x ^= x >>> 31;
            x *= 0xBF58476D1CE4E5B9L;
            x ^= x >>> 29;
            double u = (x >>> 11) * 0x1.0p-53;
            row[i] = (float) ((u * 2 - 1) * config.initScale());
            row[fd + i] = (float) config.adaGrad().initialAccumulator();
        }
    }

    /** Applies the accumulated MLP gradient (mean over the batch) with one Adam step. */
    public void flush() {
        if (pendingInBatch == 0) {
            return;
        }
        float scale = 1f / pendingInBatch;
        adamSteps++;
        for (int l = 0; l < layers; l++) {
            scaleInPlace(gw[l], scale);
            scaleInPlace(gb[l], scale);
            config.adam().step(w[l], gw[l], mw[l], vw[l], adamSteps);
            config.adam().step(b[l], gb[l], mb[l], vb[l], adamSteps);
            java.util.Arrays.fill(gw[l], 0f);
            java.util.Arrays.fill(gb[l], 0f);
        }
        pendingInBatch = 0;
    }

    private static void scaleInPlace(float[] a, float s) {
        for (int i = 0; i < a.length; i++) {
            a[i] *= s;
        }
    }

    /** Drops rows not updated within the TTL; returns how many. */
    public int expire(long nowMillis) {
        return wide.expire(nowMillis) + field.expire(nowMillis);
    }

    /** The serving values of rows touched since the last call: field rows and wide weights. */
    public List<ModelDelta.Rows> takeTouchedRows() {
        List<ModelDelta.Rows> out = new ArrayList<>(2);
        out.add(publishedRows(field, field.takeTouched()));
        out.add(publishedRows(wide, wide.takeTouched()));
        return out;
    }

    /** The serving values of every row (a full table dump, e.g. for a replica that starts cold). */
    public List<ModelDelta.Rows> allRows() {
        return List.of(publishedRows(field, field.ids()), publishedRows(wide, wide.ids()));
    }

    private ModelDelta.Rows publishedRows(RowStore store, long[] ids) {
        int pw = store.publishedWidth();
        float[] values = new float[ids.length * pw];
        for (int i = 0; i < ids.length; i++) {
            float[] row = store.get(ids[i]);
            if (store == wide) {
                for (int h = 0; h < heads; h++) {
                    values[i * pw + h] = config.ftrl().weight(row[h], row[heads + h]);
                }
            } else {
                System.arraycopy(row, 0, values, i * pw, pw);
            }
        }
        return new ModelDelta.Rows(store.name(), pw, ids, values);
    }

    /** Copies of the MLP weights per layer ([in, out] row-major). */
    public float[][] weights() {
        float[][] c = new float[layers][];
        for (int l = 0; l < layers; l++) {
            c[l] = w[l].clone();
        }
        return c;
    }

    /** Copies of the MLP biases per layer. */
    public float[][] biases() {
        float[][] c = new float[layers][];
        for (int l = 0; l < layers; l++) {
            c[l] = b[l].clone();
        }
        return c;
    }

    /** Writes the whole learner state (weights, optimizer state, tables). */
    public void writeState(DataOutputStream out) throws IOException {
        flush();
        out.writeInt(layers);
        for (int l = 0; l < layers; l++) {
            writeFloats(out, w[l]);
            writeFloats(out, b[l]);
            writeFloats(out, mw[l]);
            writeFloats(out, vw[l]);
            writeFloats(out, mb[l]);
            writeFloats(out, vb[l]);
        }
        out.writeLong(adamSteps);
        out.writeLong(samplesSeen);
        wide.write(out);
        field.write(out);
    }

    /** Restores state written by {@link #writeState} for the same shape. */
    public void readState(DataInputStream in) throws IOException {
        int l0 = in.readInt();
        if (l0 != layers) {
            throw new IOException("checkpoint has " + l0 + " layers, model " + layers);
        }
        for (int l = 0; l < layers; l++) {
            readFloats(in, w[l]);
            readFloats(in, b[l]);
            readFloats(in, mw[l]);
            readFloats(in, vw[l]);
            readFloats(in, mb[l]);
            readFloats(in, vb[l]);
            java.util.Arrays.fill(gw[l], 0f);
            java.util.Arrays.fill(gb[l], 0f);
        }
        pendingInBatch = 0;
        adamSteps = in.readLong();
        samplesSeen = in.readLong();
        wide.read(in);
        field.read(in);
    }

    private static void writeFloats(DataOutputStream out, float[] a) throws IOException {
        out.writeInt(a.length);
        for (float f : a) {
            out.writeFloat(f);
        }
    }

    private static void readFloats(DataInputStream in, float[] a) throws IOException {
        int n = in.readInt();
        if (n != a.length) {
            throw new IOException("checkpoint array of " + n + " floats, model expects " + a.length);
        }
        for (int i = 0; i < n; i++) {
            a[i] = in.readFloat();
        }
    }
}
