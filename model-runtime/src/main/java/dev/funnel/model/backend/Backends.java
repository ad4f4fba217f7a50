package dev.funnel.model.backend;

import dev.funnel.model.BackendConfig;
import dev.funnel.model.InferenceBackend;
import dev.funnel.model.InferenceException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the configured {@link InferenceBackend}. A GPU backend that fails to start (provider
 * missing, no device, broken CUDA) falls back to ONNX Runtime on CPU with a logged warning and
 * the counter {@value #FALLBACK_METRIC} (tags {@code requested}, {@code actual}). Stateless.
 */
public final class Backends {

    /** Counts fallbacks to CPU. */
    public static final String FALLBACK_METRIC = "funnel.model.backend.fallback";

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private Backends() {
    }

    /**
     * The configured backend, or ONNX Runtime CPU (same threads and optimisation level) when it
     * cannot start.
     *
     * @throws IllegalStateException when even the CPU backend cannot start (no usable ONNX Runtime)
     */
    public static InferenceBackend open(BackendConfig config, MeterRegistry meters) {
        try {
            return openExactly(config);
        } catch (InferenceException e) {
            if (config.kind() == BackendConfig.Kind.ORT_CPU) {
                throw new IllegalStateException("ONNX Runtime CPU backend cannot start: " + e.getMessage(), e);
            }
            LOG.warn("inference backend {} failed to start, falling back to ort-cpu: {}", config.kind().id(), e.getMessage());
            Counter.builder(FALLBACK_METRIC).description("inference backends that fell back to CPU at start")
                    .tag("requested", config.kind().id()).tag("actual", BackendConfig.Kind.ORT_CPU.id())
                    .register(meters).increment();
            try {
                return openExactly(config.withKind(BackendConfig.Kind.ORT_CPU));
            } catch (InferenceException cpu) {
                cpu.addSuppressed(e);
                throw new IllegalStateException("ONNX Runtime CPU backend cannot start: " + cpu.getMessage(), cpu);
            }
        }
    }

    /**
     * Exactly the configured backend, proven by a probe model.
     *
     * @throws InferenceException saying why it cannot start here
     */
    public static InferenceBackend openExactly(BackendConfig config) throws InferenceException {
        switch (config.kind()) {
            case TENSORRT:
                return TensorRtBackend.start(config);
            default:
                return OrtBackend.start(config);
        }
    }

    /** Why this backend cannot start here, or empty when it can (tests use it to skip). */
    public static Optional<String> unavailableReason(BackendConfig config) {
        try (InferenceBackend b = openExactly(config)) {
            return Optional.empty();
        } catch (InferenceException e) {
            return Optional.of(e.getMessage());
        } catch (LinkageError e) {
            return Optional.of(config.kind().id() + ": " + e);
        }
    }
}
