package dev.funnel.model.backend;

import dev.funnel.model.BackendConfig;

/** ONNX Runtime with the TensorRT provider: needs {@code -Pgpu}, a GPU and TensorRT, skips otherwise. */
class OrtTensorRtBackendTest extends InferenceBackendContract {
    OrtTensorRtBackendTest() {
        tolerance = 2e-3;
    }

    @Override
    BackendConfig config() {
        return BackendConfig.DEFAULT.withKind(BackendConfig.Kind.ORT_TENSORRT);
    }
}
