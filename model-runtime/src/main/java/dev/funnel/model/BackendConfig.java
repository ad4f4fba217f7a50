package dev.funnel.model;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Which inference backend to run and how. Immutable; validated on construction.
 *
 * @param kind               the backend
 * @param intraOpThreads     ONNX Runtime intra-op threads per session (CPU work per run)
 * @param optimizationLevel  ONNX Runtime graph optimisation: {@code none}, {@code basic},
 *                           {@code extended} or {@code all}
 * @param deviceId           CUDA device for GPU backends
 * @param engineCacheDir     where TensorRT engines are cached (TensorRT EP and direct TensorRT);
 *                           null for a temp directory
 * @param fp16               let TensorRT use FP16 kernels
 * @param maxBatchRows       the largest batch a TensorRT engine is built for (its profile's max)
 */
public record BackendConfig(Kind kind, int intraOpThreads, String optimizationLevel, int deviceId,
                            Path engineCacheDir, boolean fp16, int maxBatchRows) {

    /** The backends. */
    public enum Kind {
        /** ONNX Runtime, CPU execution provider (the default; always available). */
        ORT_CPU("ort-cpu"),
        /** ONNX Runtime with the CUDA execution provider ({@code onnxruntime_gpu}, {@code -Pgpu}). */
        ORT_CUDA("ort-cuda"),
        /** ONNX Runtime with the TensorRT execution provider (falls through to CUDA, then CPU). */
        ORT_TENSORRT("ort-tensorrt"),
        /** TensorRT through the JavaCPP presets: ONNX parser → cached serialized engine. */
        TENSORRT("tensorrt");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        /** The configuration name, e.g. {@code ort-cuda}. */
        public String id() {
            return id;
        }

        /** The kind with this configuration name. */
        public static Kind fromId(String id) {
            for (Kind k : values()) {
                if (k.id.equals(id)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown backend '" + id + "'; known: ort-cpu, ort-cuda, ort-tensorrt, tensorrt");
        }
    }

    public static final int DEFAULT_INTRA_OP_THREADS = 1;
    public static final String DEFAULT_OPTIMIZATION_LEVEL = "all";
    public static final int DEFAULT_MAX_BATCH_ROWS = 4096;

    /** ONNX Runtime on CPU, one intra-op thread, all optimisations. */
    public static final BackendConfig DEFAULT = new BackendConfig(Kind.ORT_CPU, DEFAULT_INTRA_OP_THREADS,
            DEFAULT_OPTIMIZATION_LEVEL, 0, null, false, DEFAULT_MAX_BATCH_ROWS);

    public BackendConfig {
        Objects.requireNonNull(kind, "kind");
        if (intraOpThreads < 1 || intraOpThreads > 256) {
            throw new IllegalArgumentException("intraOpThreads must be in 1..256, got " + intraOpThreads);
        }
        optimizationLevel = optimizationLevel == null ? DEFAULT_OPTIMIZATION_LEVEL : optimizationLevel.toLowerCase(Locale.ROOT);
        if (!java.util.List.of("none", "basic", "extended", "all").contains(optimizationLevel)) {
            throw new IllegalArgumentException("optimizationLevel must be none|basic|extended|all, got '" + optimizationLevel + "'");
        }
        if (deviceId < 0) {
            throw new IllegalArgumentException("deviceId must be >= 0, got " + deviceId);
        }
        if (maxBatchRows < 1) {
            throw new IllegalArgumentException("maxBatchRows must be >= 1, got " + maxBatchRows);
        }
    }

    /** This configuration with another backend. */
    public BackendConfig withKind(Kind k) {
        return new BackendConfig(k, intraOpThreads, optimizationLevel, deviceId, engineCacheDir, fp16, maxBatchRows);
    }

    /** This configuration with another intra-op thread count. */
    public BackendConfig withIntraOpThreads(int n) {
        return new BackendConfig(kind, n, optimizationLevel, deviceId, engineCacheDir, fp16, maxBatchRows);
    }
}
