package dev.funnel.bench.streams;

import dev.funnel.features.FeatureSchema;
import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.ctr.CtrWeights;
import dev.funnel.streams.schema.ModelDelta;
import dev.funnel.trainer.DenseRows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Realistic deltas for the default ctr model. */
final class Deltas {

    static final CtrModelSpec SPEC = CtrModelSpec.forSchema(FeatureSchema.DEFAULT);

    private Deltas() {
    }

    /** {@code rows} field rows (width fieldDim) and as many wide rows (width heads). */
    static List<ModelDelta.Rows> sparseRows(int rows, SplittableRandom r) {
        long[] ids = new long[rows];
        float[] field = new float[rows * SPEC.fieldDim()];
        float[] wide = new float[rows * SPEC.headCount()];
        for (int i = 0; i < rows; i++) {
            ids[i] = r.nextLong(1, 2_000_000);
        }
        for (int i = 0; i < field.length; i++) {
            field[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < wide.length; i++) {
            wide[i] = (float) r.nextGaussian();
        }
        return List.of(new ModelDelta.Rows("field", SPEC.fieldDim(), ids, field), new ModelDelta.Rows("wide", SPEC.headCount(), ids.clone(), wide));
    }

    /** A dense snapshot of the default ctr model: its ONNX bytes plus the weights as rows. */
    static ModelDelta dense(long version, long seed) {
        CtrWeights w = CtrWeights.init(SPEC, seed, 0.05);
        float[][] ws = new float[w.layers()][];
        float[][] bs = new float[w.layers()][];
        for (int l = 0; l < w.layers(); l++) {
            ws[l] = w.weights(l);
            bs[l] = w.bias(l);
        }
        List<ModelDelta.Rows> rows = new ArrayList<>(DenseRows.of(ws, bs));
        return new ModelDelta("ctr", version, ModelDelta.Kind.DENSE, System.currentTimeMillis(), rows, CtrModel.toOnnx(w));
    }
}
