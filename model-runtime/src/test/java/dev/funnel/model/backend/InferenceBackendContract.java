package dev.funnel.model.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.features.FeatureSchema;
import dev.funnel.model.BackendConfig;
import dev.funnel.model.InferenceBackend;
import dev.funnel.model.InferenceException;
import dev.funnel.model.ModelSession;
import dev.funnel.model.ModelSignature;
import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.ctr.CtrWeights;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link InferenceBackend} must do, subclassed once per backend. A backend that
 * cannot start on this machine (no GPU, no provider) skips every test with the reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class InferenceBackendContract {

    static final CtrModelSpec SPEC = CtrModelSpec.forSchema(FeatureSchema.defaultSchema(16), 4, new int[] {32, 16},
            List.of("click", "like"));
    static final CtrWeights WEIGHTS = CtrWeights.init(SPEC, 99, 0.05);
    /** Looser for GPU backends (TF32 / FP16 kernels). */
    double tolerance = 1e-4;

    private InferenceBackend backend;

    /** The backend under test. */
    abstract BackendConfig config();

    /** The started backend (after the skip check). */
    InferenceBackend backend() {
        return backend;
    }

    @BeforeAll
    void start() throws InferenceException {
        Optional<String> why = Backends.unavailableReason(config());
        Assumptions.assumeTrue(why.isEmpty(), () -> "backend " + config().kind().id() + " cannot run here: " + why.orElse(""));
        backend = Backends.openExactly(config());
    }

    @AfterAll
    void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void reportsTheKindItRuns() {
        assertEquals(config().kind(), backend.kind());
    }

    @Test
    void signatureListsFloatMatricesAndMetadata() throws InferenceException {
        try (ModelSession s = backend.load(CtrModel.toOnnx(WEIGHTS))) {
            ModelSignature sig = s.signature();
            int[] widths = CtrModel.inputWidths(SPEC);
            assertEquals(CtrModel.INPUTS.length, sig.inputs().size());
            for (int i = 0; i < widths.length; i++) {
                assertEquals(new ModelSignature.Tensor(CtrModel.INPUTS[i], widths[i]), sig.inputs().get(i));
            }
            assertEquals(List.of(new ModelSignature.Tensor(CtrModel.PROBS, 2)), sig.outputs());
            assertEquals(SPEC.schemaVersion(), sig.metadata().get(CtrModel.META_SCHEMA));
        }
    }

    @Test
    void matchesTheJavaReferenceAtSeveralBatchSizes() throws InferenceException {
        try (ModelSession s = backend.load(CtrModel.toOnnx(WEIGHTS))) {
            for (int rows : new int[] {1, 7, 300}) {
                float[][] in = randomInputs(rows, rows);
                float[] expected = CtrModel.forward(WEIGHTS, rows, in[0], in[1], in[2], in[3], in[4]);
                float[][] out = {new float[rows * 2]};
                s.run(rows, direct(in), out);
                assertClose(expected, out[0], rows);
            }
        }
    }

    @Test
    void tinyProbabilitiesKeepTheirPrecisionAndOrder() throws InferenceException {
        // A model trained on impressions without clicks predicts ~1e-9..1e-5 for everything; rank,
        // fusion and MMR's min-max scaling still need those predictions apart and in order. ONNX
        // Runtime's float32 Sigmoid kernel returns such probabilities in steps of 2^-25 and 0 below
        // ~3e-8 (the graph used it until 2026-11-27): they tied.
        int rows = 64;
        float[][] in = randomInputs(rows, 5);
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < 2; h++) {
                in[4][r * 2 + h] = -12f - 9f * r / rows - h; // logits from about -12 to -22
            }
        }
        float[] expected = CtrModel.forward(WEIGHTS, rows, in[0], in[1], in[2], in[3], in[4]);
        float[][] out = {new float[rows * 2]};
        try (ModelSession s = backend.load(CtrModel.toOnnx(WEIGHTS))) {
            s.run(rows, direct(in), out);
        }
        double relTolerance = tolerance * 10;
        for (int i = 0; i < rows * 2; i++) {
            assertTrue(expected[i] > 1e-12 && expected[i] < 1e-4, "the test's logits give " + expected[i] + " at " + i);
            double rel = Math.abs(out[0][i] / expected[i] - 1);
            assertTrue(rel < relTolerance, "row " + i / 2 + " head " + i % 2 + ": expected " + expected[i] + ", got "
                    + out[0][i] + " (relative error " + rel + " > " + relTolerance + ")");
        }
    }

    @Test
    void concurrentRunsComputeWhatSequentialRunsDo() throws Exception {
        try (ModelSession s = backend.load(CtrModel.toOnnx(WEIGHTS))) {
            inParallel(4, 16, seed -> {
                int rows = 5 + seed;
                float[][] in = randomInputs(rows, 1000 + seed);
                float[] expected = CtrModel.forward(WEIGHTS, rows, in[0], in[1], in[2], in[3], in[4]);
                float[][] out = {new float[rows * 2]};
                s.run(rows, direct(in), out);
                assertClose(expected, out[0], rows);
            });
        }
    }

    @Test
    void runsOnBuffersItRanOnBeforeReadTheirNewContents() throws InferenceException {
        // A batcher's runner reuses its buffers for every batch: a few batch sizes again and again
        // (a backend may keep values bound to the buffers), then more sizes than it may keep (its
        // bindings are evicted), then the first few again.
        int max = 60;
        int[] widths = CtrModel.inputWidths(SPEC);
        FloatBuffer[] buffers = direct(max, widths);
        try (ModelSession s = backend.load(CtrModel.toOnnx(WEIGHTS))) {
            for (int k = 0; k < 150; k++) {
                int rows = k >= 50 && k < 100 ? 1 + (k * 7) % max : 1 + (k % 5) * 13;
                runOnReusedBuffers(s, buffers, rows, 500 + k);
            }
        }
    }

    @Test
    void threadsRunningOnTheSameBuffersEachGetTheWholeAnswer() throws Exception {
        int rows = 40;
        float[][] in = randomInputs(rows, 77);
        float[] expected = CtrModel.forward(WEIGHTS, rows, in[0], in[1], in[2], in[3], in[4]);
        FloatBuffer[] shared = direct(in);
        try (ModelSession s = backend.load(CtrModel.toOnnx(WEIGHTS))) {
            inParallel(3, 3, t -> {
                for (int k = 0; k < 200; k++) {
                    float[][] out = {new float[rows * 2]};
                    s.run(rows, shared, out);
                    assertClose(expected, out[0], rows);
                }
            });
        }
    }

    @Test
    void refusesBytesThatAreNotAModel() {
        assertThrows(InferenceException.class, () -> backend.load(new byte[] {1, 2, 3, 4, 5}));
    }

    @Test
    void heapBuffersWorkToo() throws InferenceException {
        try (ModelSession s = backend.load(CtrModel.toOnnx(WEIGHTS))) {
            float[][] in = randomInputs(3, 5);
            FloatBuffer[] heap = new FloatBuffer[in.length];
            for (int i = 0; i < in.length; i++) {
                heap[i] = FloatBuffer.wrap(in[i]);
            }
            float[][] out = {new float[6]};
            s.run(3, heap, out);
            assertClose(CtrModel.forward(WEIGHTS, 3, in[0], in[1], in[2], in[3], in[4]), out[0], 3);
        }
    }

    /**
     * Writes fresh random inputs for {@code rows} rows into {@code buffers} (the same buffer objects
     * every time, as a batcher's runner reuses its own), runs the session on them and checks the
     * outputs against the Java forward pass.
     */
    void runOnReusedBuffers(ModelSession s, FloatBuffer[] buffers, int rows, long seed) throws InferenceException {
        float[][] in = randomInputs(rows, seed);
        for (int i = 0; i < in.length; i++) {
            buffers[i].clear();
            buffers[i].put(in[i]);
        }
        float[][] out = {new float[rows * 2]};
        s.run(rows, buffers, out);
        assertClose(CtrModel.forward(WEIGHTS, rows, in[0], in[1], in[2], in[3], in[4]), out[0], rows);
    }

    /** A task that may throw (an inference, an assertion). */
    interface Task {
        void run(int index) throws Exception;
    }

    /** Runs tasks 0..tasks-1 on {@code threads} threads; rethrows the first failure. */
    static void inParallel(int threads, int tasks, Task task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                int index = i;
                fs.add(pool.submit(() -> {
                    task.run(index);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static float[][] randomInputs(int rows, long seed) {
        int[] widths = CtrModel.inputWidths(SPEC);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] in = new float[widths.length][];
        for (int i = 0; i < widths.length; i++) {
            in[i] = new float[rows * widths[i]];
            for (int j = 0; j < in[i].length; j++) {
                in[i][j] = (float) (rnd.nextDouble() * 2 - 1);
            }
        }
        return in;
    }

    static FloatBuffer[] direct(float[][] in) {
        FloatBuffer[] out = new FloatBuffer[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = ByteBuffer.allocateDirect(in[i].length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            out[i].put(in[i]).flip();
        }
        return out;
    }

    /** Empty direct buffers with room for {@code rows} rows of each width. */
    static FloatBuffer[] direct(int rows, int[] widths) {
        FloatBuffer[] out = new FloatBuffer[widths.length];
        for (int i = 0; i < widths.length; i++) {
            out[i] = ByteBuffer.allocateDirect(rows * widths[i] * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
        return out;
    }

    void assertClose(float[] expected, float[] got, int rows) {
        double max = 0;
        for (int i = 0; i < rows * 2; i++) {
            max = Math.max(max, Math.abs(expected[i] - got[i]));
        }
        assertTrue(max < tolerance, "max abs error " + max + " > " + tolerance);
    }

    static void assertSame(float[] a, float[] b) {
        assertArrayEquals(a, b);
    }
}
