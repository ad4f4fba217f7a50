package dev.funnel.model.backend;

import dev.funnel.model.BackendConfig;
import dev.funnel.model.ModelSession;
import dev.funnel.model.ctr.CtrModel;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** ONNX Runtime on CPU: runs everywhere. */
class OrtCpuBackendTest extends InferenceBackendContract {
    @Override
    BackendConfig config() {
        return BackendConfig.DEFAULT.withIntraOpThreads(2);
    }

    @Test
    void aSessionWhoseBoundRunsFailRunsOnFreshTensorsAndAnswersRight() throws Exception {
        // As on an execution provider that cannot write pinned outputs: every bound run fails.
        OrtModelSession.failBoundRunsForTests = true;
        try (ModelSession s = backend().load(CtrModel.toOnnx(WEIGHTS))) {
            int rows = 12;
            FloatBuffer[] buffers = direct(rows, CtrModel.inputWidths(SPEC));
            for (int k = 0; k < 6; k++) { // first sight, then bound (fails, runs fresh, stops binding), then fresh
                float[][] in = randomInputs(rows, 900 + k);
                for (int i = 0; i < in.length; i++) {
                    buffers[i].clear();
                    buffers[i].put(in[i]);
                }
                float[][] out = {new float[rows * 2]};
                s.run(rows, buffers, out);
                assertClose(CtrModel.forward(WEIGHTS, rows, in[0], in[1], in[2], in[3], in[4]), out[0], rows);
            }
        } finally {
            OrtModelSession.failBoundRunsForTests = false;
        }
    }
}
