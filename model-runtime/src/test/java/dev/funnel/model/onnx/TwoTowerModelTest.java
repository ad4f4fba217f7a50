package dev.funnel.model.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TwoTowerModelTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @Test
    void onnxRuntimeMatchesTheJavaReference() throws Exception {
        SplittableRandom rnd = new SplittableRandom(5);
        int[] uw = {12, 16, 8};
        int[] iw = {10, 8};
        float[][][] u = layers(uw, rnd);
        float[][][] it = layers(iw, rnd);
        int n = 9;
        float[] user = random(n * uw[0], rnd);
        float[] item = random(n * iw[0], rnd);
        float[] expected = TwoTowerModel.forward(n, user, item, uw, u[0], u[1], iw, it[0], it[1]);
        byte[] bytes = TwoTowerModel.toOnnx(uw, u[0], u[1], iw, it[0], it[1]);
        try (OrtSession s = ENV.createSession(bytes);
             OnnxTensor ut = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(user), new long[] {n, uw[0]});
             OnnxTensor vt = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(item), new long[] {n, iw[0]});
             OrtSession.Result r = s.run(Map.of(TwoTowerModel.USER, ut, TwoTowerModel.ITEM, vt))) {
            float[][] got = (float[][]) r.get(0).getValue();
            for (int i = 0; i < n; i++) {
                assertEquals(expected[i], got[i][0], 1e-4, "row " + i);
            }
        }
    }

    @Test
    void towersOfDifferentOutputWidthsAreRefused() {
        SplittableRandom rnd = new SplittableRandom(1);
        int[] uw = {4, 3};
        int[] iw = {4, 2};
        float[][][] u = layers(uw, rnd);
        float[][][] it = layers(iw, rnd);
        assertThrows(IllegalArgumentException.class, () -> TwoTowerModel.toOnnx(uw, u[0], u[1], iw, it[0], it[1]));
    }

    @Test
    void aWrongInitializerSizeIsRefusedWithTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxGraph.named("g").initializer("w", new float[5], 2, 3));
        assertEquals("initializer 'w': 5 values for shape [2, 3]", e.getMessage());
    }

    private static float[][][] layers(int[] widths, SplittableRandom rnd) {
        float[][] w = new float[widths.length - 1][];
        float[][] b = new float[widths.length - 1][];
        for (int l = 0; l < w.length; l++) {
            w[l] = random(widths[l] * widths[l + 1], rnd);
            b[l] = random(widths[l + 1], rnd);
        }
        return new float[][][] {w, b};
    }

    private static float[] random(int n, SplittableRandom rnd) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextDouble() - 0.5);
        }
        return a;
    }
}
