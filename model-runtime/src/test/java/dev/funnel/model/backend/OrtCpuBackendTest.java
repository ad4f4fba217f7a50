package dev.funnel.model.backend;

import dev.funnel.model.BackendConfig;

/** ONNX Runtime on CPU: runs everywhere. */
class OrtCpuBackendTest extends InferenceBackendContract {
    @Override
    BackendConfig config() {
        return BackendConfig.DEFAULT.withIntraOpThreads(2);
    }
}
