package dev.funnel.model.backend;

import dev.funnel.model.BackendConfig;

/** ONNX Runtime with the CUDA provider: needs {@code -Pgpu} and a GPU, skips otherwise. */
class OrtCudaBackendTest extends InferenceBackendContract {
    OrtCudaBackendTest() {
        tolerance = 2e-3; // TF32 matmuls
    }

    @Override
    BackendConfig config() {
        return BackendConfig.DEFAULT.withKind(BackendConfig.Kind.ORT_CUDA);
    }
}
