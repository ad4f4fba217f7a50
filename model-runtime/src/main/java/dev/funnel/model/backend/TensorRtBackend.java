package dev.funnel.model.backend;

import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;

import dev.funnel.model.BackendConfig;
import dev.funnel.model.InferenceBackend;
import dev.funnel.model.InferenceException;
import dev.funnel.model.ModelSession;
import dev.funnel.model.onnx.OnnxMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvonnxparser;
import org.bytedeco.tensorrt.nvinfer.Dims2;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.IRuntime;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.bytedeco.tensorrt.nvonnxparser.IParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TensorRT through the JavaCPP presets: builds an engine from the ONNX file with TensorRT's ONNX
 * parser (one optimisation profile, batch 1 … {@code maxBatchRows}), caches the serialized engine
 * under {@code engineCacheDir} keyed by the model's SHA-256, and runs it on one CUDA stream.
 * Needs libnvinfer, the ONNX parser and CUDA on the host and the presets' native jars on the
 * class path; {@link #start} fails with the reason otherwise.
 */
final class TensorRtBackend implements InferenceBackend {

    private static final Logger LOG = LoggerFactory.getLogger(TensorRtBackend.class);
    private static final long WORKSPACE_BYTES = 256L << 20;

    private final BackendConfig config;
    private final Path cacheDir;
    private final TrtLogger logger = new TrtLogger();
    private final IRuntime runtime;

    private TensorRtBackend(BackendConfig config, Path cacheDir) {
        this.config = config;
        this.cacheDir = cacheDir;
        this.runtime = nvinfer.createInferRuntime(logger);
    }

    static TensorRtBackend start(BackendConfig config) throws InferenceException {
        TensorRtBackend b;
        try {
            int[] count = new int[1];
            int rc = cudaGetDeviceCount(count);
            if (rc != 0 || count[0] <= config.deviceId()) {
                throw new InferenceException("tensorrt: no CUDA device " + config.deviceId() + " (cudaGetDeviceCount rc="
                        + rc + ", devices=" + count[0] + ")");
            }
            cudaSetDevice(config.deviceId());
            b = new TensorRtBackend(config, OrtBackend.cacheDir(config));
        } catch (LinkageError e) {
            throw new InferenceException("tensorrt: native libraries not loadable (" + e + "); install TensorRT and CUDA"
                    + " and add the presets' linux-x86_64 jars", e);
        }
        ProbeModel.check(b);
        return b;
    }

    @Override
    public BackendConfig.Kind kind() {
        return BackendConfig.Kind.TENSORRT;
    }

    @Override
    public ModelSession load(byte[] onnx) throws InferenceException {
        byte[] engineBytes = cachedOrBuilt(onnx);
        ICudaEngine engine;
        try (BytePointer p = new BytePointer(engineBytes)) {
            engine = runtime.deserializeCudaEngine(p, engineBytes.length);
        }
        if (engine == null || engine.isNull()) {
            throw new InferenceException("tensorrt: cannot deserialize engine: " + logger.lastError());
        }
        return new TensorRtSession(engine, config.maxBatchRows(), OnnxMetadata.read(onnx));
    }

    private byte[] cachedOrBuilt(byte[] onnx) throws InferenceException {
        Path file = cacheDir.resolve(cacheKey(onnx) + ".engine");
        try {
            if (Files.isRegularFile(file)) {
                return Files.readAllBytes(file);
            }
            byte[] built = build(onnx);
            Path tmp = Files.createTempFile(cacheDir, "engine", ".tmp");
            Files.write(tmp, built);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            LOG.info("tensorrt: built and cached engine {} ({} bytes)", file, built.length);
            return built;
        } catch (IOException e) {
            throw new InferenceException("tensorrt: engine cache " + file + ": " + e.getMessage(), e);
        }
    }

    private byte[] build(byte[] onnx) throws InferenceException {
        IBuilder builder = nvinfer.createInferBuilder(logger);
        INetworkDefinition network = builder.createNetworkV2(0);
        IParser parser = nvonnxparser.createParser(network, logger);
        try (BytePointer model = new BytePointer(onnx)) {
            if (!parser.parse(model, onnx.length)) {
                StringBuilder sb = new StringBuilder("tensorrt: ONNX parser refused the model:");
                for (int i = 0; i < parser.getNbErrors(); i++) {
                    sb.append(' ').append(parser.getError(i).desc()).append(';');
                }
                throw new InferenceException(sb.toString());
            }
        }
        IBuilderConfig cfg = builder.createBuilderConfig();
        cfg.setMemoryPoolLimit(nvinfer.MemoryPoolType.kWORKSPACE, WORKSPACE_BYTES);
        if (config.fp16()) {
            cfg.setFlag(nvinfer.BuilderFlag.kFP16);
        }
        IOptimizationProfile profile = builder.createOptimizationProfile();
        int max = config.maxBatchRows();
        for (int i = 0; i < network.getNbInputs(); i++) {
            ITensor t = network.getInput(i);
            Dims64 d = t.getDimensions();
            if (d.nbDims() != 2 || d.d(1) < 1) {
                throw new InferenceException("tensorrt: input '" + t.getName() + "' is not [N, width]");
            }
            long w = d.d(1);
            profile.setDimensions(t.getName(), nvinfer.OptProfileSelector.kMIN, new Dims2(1, w));
            profile.setDimensions(t.getName(), nvinfer.OptProfileSelector.kOPT, new Dims2(Math.min(256, max), w));
            profile.setDimensions(t.getName(), nvinfer.OptProfileSelector.kMAX, new Dims2(max, w));
        }
        cfg.addOptimizationProfile(profile);
        IHostMemory serialized = builder.buildSerializedNetwork(network, cfg);
        if (serialized == null || serialized.isNull()) {
            throw new InferenceException("tensorrt: engine build failed: " + logger.lastError());
        }
        byte[] out = new byte[(int) serialized.size()];
        new BytePointer(serialized.data()).capacity(serialized.size()).get(out);
        return out;
    }

    private String cacheKey(byte[] onnx) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(onnx);
            md.update((config.maxBatchRows() + "/" + config.fp16() + "/" + config.deviceId()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    @Override
    public void close() {
        runtime.close();
    }

    /** Routes TensorRT's log to SLF4J and remembers the last error for exception messages. */
    static final class TrtLogger extends ILogger {
        private volatile String lastError = "(none logged)";

        @Override
        public void log(Severity severity, String msg) {
            if (severity == Severity.kERROR || severity == Severity.kINTERNAL_ERROR) {
                lastError = msg;
                LOG.warn("tensorrt: {}", msg);
            } else if (severity == Severity.kWARNING) {
                LOG.info("tensorrt: {}", msg);
            } else {
                LOG.debug("tensorrt: {}", msg);
            }
        }

        String lastError() {
            return lastError;
        }
    }
}
