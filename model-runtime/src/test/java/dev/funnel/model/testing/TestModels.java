package dev.funnel.model.testing;

import dev.funnel.features.FeatureSchema;
import dev.funnel.model.BackendConfig;
import dev.funnel.model.InferenceBackend;
import dev.funnel.model.InferenceException;
import dev.funnel.model.ModelSession;
import dev.funnel.model.ModelSignature;
import dev.funnel.model.backend.Backends;
import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.ctr.CtrWeights;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Models and backends shared by the runtime's tests. */
public final class TestModels {

    public static final CtrModelSpec SPEC = CtrModelSpec.forSchema(FeatureSchema.defaultSchema(16), 4, new int[] {32, 16},
            List.of("click", "like"));

    private TestModels() {
    }

    /** The CPU backend. */
    public static InferenceBackend cpu() {
        try {
            return Backends.openExactly(BackendConfig.DEFAULT);
        } catch (InferenceException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The backend named by {@code -Dfunnel.test.backend} (a {@code BackendConfig.Kind} id; default
     * {@code ort-cpu}), for tests that a GPU machine runs again on {@code ort-cuda}.
     */
    public static InferenceBackend backend() {
        String kind = System.getProperty("funnel.test.backend", BackendConfig.Kind.ORT_CPU.id());
        try {
            return Backends.openExactly(BackendConfig.DEFAULT.withKind(BackendConfig.Kind.fromId(kind)));
        } catch (InferenceException e) {
            throw new IllegalStateException("-Dfunnel.test.backend=" + kind + " cannot start here", e);
        }
    }

    /** A ctr model whose every output is {@code p}, whatever its input: tells versions apart. */
    public static byte[] constantCtr(CtrModelSpec spec, double p) {
        CtrWeights w = CtrWeights.zeros(spec);
        java.util.Arrays.fill(w.bias(w.layers() - 1), (float) Math.log(p / (1 - p)));
        return CtrModel.toOnnx(w);
    }

    /** The expected signature of a ctr model of this spec. */
    public static ModelSignature ctrSignature(CtrModelSpec spec) {
        int[] w = CtrModel.inputWidths(spec);
        List<ModelSignature.Tensor> ins = new java.util.ArrayList<>();
        for (int i = 0; i < w.length; i++) {
            ins.add(new ModelSignature.Tensor(CtrModel.INPUTS[i], w[i]));
        }
        return ModelSignature.of(ins, List.of(new ModelSignature.Tensor(CtrModel.PROBS, spec.headCount())));
    }

    /** Zero inputs for a ctr model of this spec. */
    public static float[][] zeroInputs(CtrModelSpec spec, int rows) {
        int[] w = CtrModel.inputWidths(spec);
        float[][] in = new float[w.length][];
        for (int i = 0; i < w.length; i++) {
            in[i] = new float[rows * w[i]];
        }
        return in;
    }

    /** A backend whose sessions wait at a gate before each run (to hold the batcher's runner). */
    public static final class GatedBackend implements InferenceBackend {
        private final InferenceBackend inner;
        public volatile CountDownLatch gate = new CountDownLatch(0);
        public volatile CountDownLatch entered = new CountDownLatch(1);

        public GatedBackend(InferenceBackend inner) {
            this.inner = inner;
        }

        @Override
        public BackendConfig.Kind kind() {
            return inner.kind();
        }

        @Override
        public ModelSession load(byte[] onnx) throws InferenceException {
            ModelSession s = inner.load(onnx);
            return new ModelSession() {
                @Override
                public ModelSignature signature() {
                    return s.signature();
                }

                @Override
                public void run(int rows, FloatBuffer[] inputs, float[][] outputs) throws InferenceException {
                    entered.countDown();
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    s.run(rows, inputs, outputs);
                }

                @Override
                public void close() {
                    s.close();
                }
            };
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
