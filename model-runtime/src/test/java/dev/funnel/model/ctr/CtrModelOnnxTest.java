package dev.funnel.model.ctr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.funnel.features.FeatureSchema;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CtrModelOnnxTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @Test
    void onnxRuntimeMatchesTheJavaReference() throws Exception {
        CtrModelSpec spec = CtrModelSpec.forSchema(FeatureSchema.defaultSchema(16), 4, new int[] {32, 16}, List.of("click", "like"));
        CtrWeights w = CtrWeights.init(spec, 7, 0.05);
        checkAgainstReference(spec, w, 37);
    }

    @Test
    void aModelWithoutHiddenLayersIsALogisticRegression() throws Exception {
        CtrModelSpec spec = CtrModelSpec.forSchema(FeatureSchema.defaultSchema(8), 2, new int[0], List.of("click"));
        checkAgainstReference(spec, CtrWeights.init(spec, 3, 0.2), 5);
    }

    @Test
    void metadataCarriesTheSchemaVersionAndHeads() throws Exception {
        FeatureSchema schema = FeatureSchema.defaultSchema(8);
        CtrModelSpec spec = CtrModelSpec.forSchema(schema, 2, new int[] {4}, List.of("click", "like"));
        try (OrtSession s = ENV.createSession(CtrModel.toOnnx(CtrWeights.init(spec, 1, 0.1)))) {
            Map<String, String> meta = s.getMetadata().getCustomMetadata();
            assertEquals(schema.version(), meta.get(CtrModel.META_SCHEMA));
            assertEquals("click,like", meta.get(CtrModel.META_HEADS));
            assertEquals("ctr", meta.get(CtrModel.META_ARCH));
            assertEquals(List.of(CtrModel.INPUTS), List.copyOf(s.getInputNames()));
        }
    }

    private static void checkAgainstReference(CtrModelSpec spec, CtrWeights w, int n) throws Exception {
        int[] widths = CtrModel.inputWidths(spec);
        SplittableRandom rnd = new SplittableRandom(11);
        float[][] in = new float[widths.length][];
        for (int i = 0; i < widths.length; i++) {
            in[i] = new float[n * widths[i]];
            for (int j = 0; j < in[i].length; j++) {
                in[i][j] = (float) (rnd.nextDouble() * 2 - 1);
            }
        }
        float[] expected = CtrModel.forward(w, n, in[0], in[1], in[2], in[3], in[4]);
        try (OrtSession s = ENV.createSession(CtrModel.toOnnx(w))) {
            Map<String, OnnxTensor> feeds = new HashMap<>();
            for (int i = 0; i < widths.length; i++) {
                feeds.put(CtrModel.INPUTS[i], OnnxTensor.createTensor(ENV, FloatBuffer.wrap(in[i]), new long[] {n, widths[i]}));
            }
            try (OrtSession.Result r = s.run(feeds)) {
                float[][] got = (float[][]) r.get(CtrModel.PROBS).get().getValue();
                assertEquals(n, got.length);
                double maxErr = 0;
                for (int row = 0; row < n; row++) {
                    for (int h = 0; h < spec.headCount(); h++) {
                        maxErr = Math.max(maxErr, Math.abs(got[row][h] - expected[row * spec.headCount() + h]));
                    }
                }
                assertTrue(maxErr < 1e-5, "max abs error " + maxErr);
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        }
    }
}
