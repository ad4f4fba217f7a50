package dev.funnel.model.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.model.BackendConfig;
import dev.funnel.model.InferenceBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class BackendsTest {

    @Test
    void aGpuBackendThatCannotStartFallsBackToCpuAndCountsIt() {
        BackendConfig cuda = BackendConfig.DEFAULT.withKind(BackendConfig.Kind.ORT_CUDA);
        Assumptions.assumeTrue(Backends.unavailableReason(cuda).isPresent(), "CUDA works here: nothing falls back");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (InferenceBackend b = Backends.open(cuda, meters)) {
            assertEquals(BackendConfig.Kind.ORT_CPU, b.kind());
        }
        assertEquals(1.0, meters.get(Backends.FALLBACK_METRIC).tag("requested", "ort-cuda").counter().count());
    }

    @Test
    void tensorRtWithoutNativesFallsBackToo() {
        BackendConfig trt = BackendConfig.DEFAULT.withKind(BackendConfig.Kind.TENSORRT);
        Assumptions.assumeTrue(Backends.unavailableReason(trt).isPresent(), "TensorRT works here");
        assertTrue(Backends.unavailableReason(trt).get().startsWith("tensorrt:"), Backends.unavailableReason(trt).get());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (InferenceBackend b = Backends.open(trt, meters)) {
            assertEquals(BackendConfig.Kind.ORT_CPU, b.kind());
        }
    }

    @Test
    void configIsValidatedWithTheBadValue() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new BackendConfig(BackendConfig.Kind.ORT_CPU, 1, "fastest", 0, null, false, 16));
        assertEquals("optimizationLevel must be none|basic|extended|all, got 'fastest'", e.getMessage());
        assertEquals(BackendConfig.Kind.ORT_TENSORRT, BackendConfig.Kind.fromId("ort-tensorrt"));
    }
}
