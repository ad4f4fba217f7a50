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
                runOnReusedBuffers(s, buffers, rows, 900 + k);
            }
        } finally {
            OrtModelSession.failBoundRunsForTests = false;
        }
    }
}
