package dev.funnel.trainer;

import dev.funnel.streams.schema.ModelDelta;

import java.util.ArrayList;
import java.util.List;

/**
 * The dense weights as delta rows, next to the ONNX bytes in a dense delta: table {@code mlp.w<l>}
 * holds layer l's [in, out] matrix (row i = input i), {@code mlp.b<l>} its bias as row 0. A Java
 * scorer (tests, a replica without ONNX Runtime) rebuilds the MLP from these.
 */
public final class DenseRows {

    public static final String WEIGHT_PREFIX = "mlp.w";
    public static final String BIAS_PREFIX = "mlp.b";

    private DenseRows() {
    }

    public static List<ModelDelta.Rows> of(float[][] w, float[][] b) {
        List<ModelDelta.Rows> out = new ArrayList<>(2 * w.length);
        for (int l = 0; l < w.length; l++) {
            int nOut = b[l].length;
            int nIn = w[l].length / nOut;
            long[] ids = new long[nIn];
            for (int i = 0; i < nIn; i++) {
                ids[i] = i;
            }
            out.add(new ModelDelta.Rows(WEIGHT_PREFIX + l, nOut, ids, w[l].clone()));
            out.add(new ModelDelta.Rows(BIAS_PREFIX + l, nOut, new long[]{0}, b[l].clone()));
        }
        return out;
    }

    /** Whether a table name is one of the dense tables. */
    public static boolean isDense(String table) {
        return table.startsWith(WEIGHT_PREFIX) || table.startsWith(BIAS_PREFIX);
    }
}
