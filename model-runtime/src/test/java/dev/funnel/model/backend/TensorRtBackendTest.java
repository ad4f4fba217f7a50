package dev.funnel.model.backend;

import dev.funnel.model.BackendConfig;

/** TensorRT through JavaCPP: needs a GPU, TensorRT and the presets' natives, skips otherwise. */
class TensorRtBackendTest extends InferenceBackendContract {
    TensorRtBackendTest() {
        tolerance = 2e-3;
    }

    @Override
    BackendConfig config() {
        return BackendConfig.DEFAULT.withKind(BackendConfig.Kind.TENSORRT);
    }
}
