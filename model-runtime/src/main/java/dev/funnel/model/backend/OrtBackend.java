package dev.funnel.model.backend;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import dev.funnel.model.BackendConfig;
import dev.funnel.model.InferenceBackend;
import dev.funnel.model.InferenceException;
import dev.funnel.model.ModelSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

/** ONNX Runtime with the CPU, CUDA or TensorRT execution provider. Thread-safe. */
final class OrtBackend implements InferenceBackend {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final BackendConfig config;
    private final Path engineCache;

    private OrtBackend(BackendConfig config, Path engineCache) {
        this.config = config;
        this.engineCache = engineCache;
    }

    /**
     * Starts the backend of {@code config.kind()} and proves it can run a tiny model.
     *
     * @throws InferenceException naming why when the provider is missing or fails
     */
    static OrtBackend start(BackendConfig config) throws InferenceException {
        EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
        Path cache = null;
        switch (config.kind()) {
            case ORT_CPU:
                break;
            case ORT_CUDA:
                require(available, OrtProvider.CUDA);
                break;
            case ORT_TENSORRT:
                require(available, OrtProvider.TENSOR_RT);
                cache = cacheDir(config);
                break;
            default:
                throw new IllegalArgumentException("not an ONNX Runtime backend: " + config.kind());
        }
        OrtBackend b = new OrtBackend(config, cache);
        ProbeModel.check(b);
        return b;
    }

    static boolean providerAvailable(OrtProvider p) {
        return OrtEnvironment.getAvailableProviders().contains(p);
    }

    private static void require(EnumSet<OrtProvider> available, OrtProvider p) throws InferenceException {
        if (!available.contains(p)) {
            throw new InferenceException("ONNX Runtime provider " + p + " is not available (have " + available
                    + "); build with -Pgpu for the onnxruntime_gpu artifact and run where CUDA is installed");
        }
    }

    static Path cacheDir(BackendConfig config) throws InferenceException {
        try {
            Path dir = config.engineCacheDir() != null ? config.engineCacheDir() : Path.of(System.getProperty("java.io.tmpdir"), "funnel-trt-cache");
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new InferenceException("cannot create TensorRT engine cache dir: " + e.getMessage(), e);
        }
    }

    @Override
    public BackendConfig.Kind kind() {
        return config.kind();
    }

    @Override
    public ModelSession load(byte[] onnx) throws InferenceException {
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(config.intraOpThreads());
            opts.setInterOpNumThreads(1);
            opts.setOptimizationLevel(optLevel(config.optimizationLevel()));
            if (config.kind() == BackendConfig.Kind.ORT_TENSORRT) {
                OrtTensorRTProviderOptions trt = new OrtTensorRTProviderOptions(config.deviceId());
                trt.add("trt_engine_cache_enable", "1");
                trt.add("trt_engine_cache_path", engineCache.toString());
                trt.add("trt_fp16_enable", config.fp16() ? "1" : "0");
                opts.addTensorrt(trt);
                opts.addCUDA(config.deviceId());
            } else if (config.kind() == BackendConfig.Kind.ORT_CUDA) {
                opts.addCUDA(config.deviceId());
            }
            OrtSession session = env.createSession(onnx, opts);
            try {
                return new OrtModelSession(env, session);
            } catch (InferenceException | RuntimeException e) {
                closeQuietly(session, e);
                throw e;
            }
        } catch (OrtException e) {
            throw new InferenceException(config.kind().id() + ": cannot load model: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(OrtSession s, Exception primary) {
        try {
            s.close();
        } catch (OrtException e) {
            primary.addSuppressed(e);
        }
    }

    private static OrtSession.SessionOptions.OptLevel optLevel(String level) {
        switch (level) {
            case "none":
                return OrtSession.SessionOptions.OptLevel.NO_OPT;
            case "basic":
                return OrtSession.SessionOptions.OptLevel.BASIC_OPT;
            case "extended":
                return OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
            default:
                return OrtSession.SessionOptions.OptLevel.ALL_OPT;
        }
    }

    @Override
    public void close() {
        // The OrtEnvironment is process-wide and shared; sessions own the native memory.
    }

    @Override
    public String toString() {
        return "OrtBackend{" + config.kind().id() + ", intraOpThreads=" + config.intraOpThreads() + ", opt="
                + config.optimizationLevel() + '}';
    }
}
