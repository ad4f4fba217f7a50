package dev.funnel.trainer.learn;

import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.ctr.CtrWeights;
import dev.funnel.streams.schema.ModelDelta;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CtrLearnerTest {

    static final CtrShape SHAPE = new CtrShape(4, 2, 3, 3, 2, new int[]{8}, List.of("click", "like"));
    static final CtrModelSpec SPEC = new CtrModelSpec("test@1", 4, 2, 3, 2, new int[]{8}, List.of("click", "like"));

    static CtrLearner newLearner(LearnerConfig cfg) {
        CtrWeights init = CtrWeights.init(SPEC, 7, 0.1);
        float[][] w = new float[init.layers()][];
        float[][] b = new float[init.layers()][];
        for (int l = 0; l < init.layers(); l++) {
            w[l] = init.weights(l);
            b[l] = init.bias(l);
        }
        return new CtrLearner(SHAPE, cfg, w, b);
    }

    /** Users 0..9 like items of their own parity: learnable only through field and wide ids. */
    static Sample sample(SplittableRandom r, boolean withLabel) {
        long user = r.nextInt(10);
        long item = 100 + r.nextInt(20);
        boolean pos = (user % 2) == (item % 2) ? r.nextDouble() < 0.6 : r.nextDouble() < 0.05;
        float[] emb = {(float) r.nextGaussian(), 0, 0, 0};
        return new Sample("r", item, emb, emb, new long[]{user, item}, new long[]{user, item, (user % 2) * 1000 + item % 2},
                new float[]{1f, 0.5f}, new float[]{pos ? 1 : 0, 0}, withLabel ? 1 : 0);
    }

    @Test
    void learnsAnInteractionAndLossFalls() {
        CtrLearner learner = newLearner(LearnerConfig.DEFAULT.withAdam(new dev.funnel.trainer.optim.Adam(0.01, 0.9, 0.999, 1e-8)));
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 2_000; i++) {
            learner.train(sample(r, true), i);
        }
        double early = learner.takeMeanLoss();
        for (int i = 0; i < 20_000; i++) {
            learner.train(sample(r, true), i);
        }
        learner.takeMeanLoss();
        for (int i = 0; i < 2_000; i++) {
            learner.train(sample(r, true), i);
        }
        double late = learner.takeMeanLoss();
        assertTrue(late < early * 0.85, "loss falls: " + early + " -> " + late);
        float[] match = learner.predict(new Sample("r", 102, new float[4], new float[4], new long[]{4, 102},
                new long[]{4, 102, 0}, new float[]{1, 0.5f}, new float[2], 1));
        float[] mismatch = learner.predict(new Sample("r", 103, new float[4], new float[4], new long[]{4, 103},
                new long[]{4, 103, 1}, new float[]{1, 0.5f}, new float[2], 1));
        assertTrue(match[0] > 0.4 && mismatch[0] < 0.15, "learned the parity interaction: " + match[0] + " vs " + mismatch[0]);
    }

    /** The learner's prediction equals model-runtime's reference forward (what ONNX serves) fed from published rows. */
    @Test
    void predictionEqualsTheServedModelFromPublishedRows() {
        CtrLearner learner = newLearner(LearnerConfig.DEFAULT.withAdmitAfter(1));
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 3_000; i++) {
            learner.train(sample(r, true), i);
        }
        learner.flush();
        Map<String, Map<Long, float[]>> tables = new HashMap<>();
        for (ModelDelta.Rows rows : learner.allRows()) {
            Map<Long, float[]> t = tables.computeIfAbsent(rows.table(), k -> new HashMap<>());
            for (int i = 0; i < rows.size(); i++) {
                t.put(rows.ids()[i], java.util.Arrays.copyOfRange(rows.values(), i * rows.dim(), (i + 1) * rows.dim()));
            }
        }
        CtrWeights weights = CtrWeights.of(SPEC, learner.weights(), learner.biases());
        for (int k = 0; k < 50; k++) {
            Sample s = sample(r, false);
            float[] fieldEmb = new float[6];
            for (int f = 0; f < 2; f++) {
                float[] row = tables.get(CtrShape.FIELD_TABLE).get(s.fieldIds()[f]);
                if (row != null) {
                    System.arraycopy(row, 0, fieldEmb, f * 3, 3);
                }
            }
            float[] wide = new float[2];
            for (long id : s.wideIds()) {
                float[] row = tables.get(CtrShape.WIDE_TABLE).get(id);
                for (int h = 0; row != null && h < 2; h++) {
                    wide[h] += row[h];
                }
            }
            float[] ref = CtrModel.forward(weights, 1, s.userEmbedding(), s.itemEmbedding(), fieldEmb, s.dense(), wide);
            float[] mine = learner.predict(s);
            assertEquals(ref[0], mine[0], 1e-5);
            assertEquals(ref[1], mine[1], 1e-5);
        }
    }

    @Test
    void admissionKeepsOneOffIdsOutAndRowsExpire() {
        CtrLearner learner = newLearner(LearnerConfig.DEFAULT.withAdmitAfter(3));
        Sample once = new Sample("r", 1, new float[4], new float[4], new long[]{77, 78}, new long[]{77}, new float[2],
                new float[]{1, 0}, 1);
        learner.train(once, 0);
        learner.train(once, 0);
        assertEquals(0, learner.fieldRows(), "two updates: not admitted yet");
        learner.train(once, 0);
        assertEquals(2, learner.fieldRows());
        assertEquals(1, learner.wideRows());
        List<ModelDelta.Rows> touched = learner.takeTouchedRows();
        assertEquals(2, touched.get(0).size());
        assertEquals(0, learner.takeTouchedRows().get(0).size(), "touched set is cleared");
        assertEquals(3, learner.expire(LearnerConfig.DEFAULT_ROW_TTL_MILLIS + 1));
        assertEquals(0, learner.fieldRows());
    }
}
