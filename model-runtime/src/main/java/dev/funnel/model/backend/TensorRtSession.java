package dev.funnel.model.backend;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreate;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import dev.funnel.model.InferenceException;
import dev.funnel.model.ModelSession;
import dev.funnel.model.ModelSignature;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.nvinfer.Dims2;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

/**
 * One TensorRT engine with its execution context, device buffers sized for the engine's largest
 * batch, and a CUDA stream. An execution context is single-threaded, so {@link #run} is
 * synchronized: the batcher's runners (one per four cores by default, so several on a GPU host)
 * take turns on it. They are the batcher's own threads, never an event loop, so waiting here blocks
 * no request path.
 */
final class TensorRtSession implements ModelSession {

    private final ICudaEngine engine;
    private final IExecutionContext context;
    private final CUstream_st stream = new CUstream_st();
    private final int maxRows;
    private final ModelSignature signature;
    private final String[] inputNames;
    private final String[] outputNames;
    private final int[] inputWidths;
    private final int[] outputWidths;
    private final Pointer[] inputDevice;
    private final Pointer[] outputDevice;
    private final FloatPointer[] outputHost;
    private boolean closed;

    TensorRtSession(ICudaEngine engine, int maxRows, Map<String, String> metadata) throws InferenceException {
        this.engine = engine;
        this.maxRows = maxRows;
        this.context = engine.createExecutionContext();
        List<ModelSignature.Tensor> ins = new ArrayList<>();
        List<ModelSignature.Tensor> outs = new ArrayList<>();
        for (int i = 0; i < engine.getNbIOTensors(); i++) {
            String name = engine.getIOTensorName(i);
            Dims64 d = engine.getTensorShape(name);
            if (d.nbDims() != 2 || d.d(1) < 1) {
                throw new InferenceException("tensorrt: tensor '" + name + "' is not [N, width]");
            }
            ModelSignature.Tensor t = new ModelSignature.Tensor(name, (int) d.d(1));
            if (engine.getTensorIOMode(name) == nvinfer.TensorIOMode.kINPUT) {
                ins.add(t);
            } else {
                outs.add(t);
            }
        }
        signature = new ModelSignature(ins, outs, metadata);
        inputNames = ins.stream().map(ModelSignature.Tensor::name).toArray(String[]::new);
        outputNames = outs.stream().map(ModelSignature.Tensor::name).toArray(String[]::new);
        inputWidths = ins.stream().mapToInt(ModelSignature.Tensor::width).toArray();
        outputWidths = outs.stream().mapToInt(ModelSignature.Tensor::width).toArray();
        check(cudaStreamCreate(stream), "cudaStreamCreate");
        inputDevice = new Pointer[inputNames.length];
        for (int i = 0; i < inputNames.length; i++) {
            inputDevice[i] = new Pointer();
            check(cudaMalloc(inputDevice[i], 4L * maxRows * inputWidths[i]), "cudaMalloc input");
            context.setTensorAddress(inputNames[i], inputDevice[i]);
        }
        outputDevice = new Pointer[outputNames.length];
        outputHost = new FloatPointer[outputNames.length];
        for (int o = 0; o < outputNames.length; o++) {
            outputDevice[o] = new Pointer();
            check(cudaMalloc(outputDevice[o], 4L * maxRows * outputWidths[o]), "cudaMalloc output");
            context.setTensorAddress(outputNames[o], outputDevice[o]);
            outputHost[o] = new FloatPointer((long) maxRows * outputWidths[o]);
        }
    }

    @Override
    public ModelSignature signature() {
        return signature;
    }

    @Override
    public synchronized void run(int rows, FloatBuffer[] inputs, float[][] outputs) throws InferenceException {
        if (closed) {
            throw new IllegalStateException("session closed");
        }
        if (rows > maxRows) {
            throw new InferenceException("tensorrt: batch of " + rows + " rows exceeds the engine's maximum " + maxRows);
        }
        for (int i = 0; i < inputNames.length; i++) {
            FloatBuffer b = inputs[i].duplicate();
            b.position(0).limit(rows * inputWidths[i]);
            FloatPointer host = b.isDirect() ? new FloatPointer(b) : new FloatPointer(copy(b));
            check(cudaMemcpyAsync(inputDevice[i], host, 4L * rows * inputWidths[i], cudaMemcpyHostToDevice, stream), "H2D");
            if (!context.setInputShape(inputNames[i], new Dims2(rows, inputWidths[i]))) {
                throw new InferenceException("tensorrt: cannot set shape of '" + inputNames[i] + "' to [" + rows + ", "
                        + inputWidths[i] + "]");
            }
        }
        if (!context.enqueueV3(stream)) {
            throw new InferenceException("tensorrt: enqueueV3 failed");
        }
        for (int o = 0; o < outputNames.length; o++) {
            check(cudaMemcpyAsync(outputHost[o], outputDevice[o], 4L * rows * outputWidths[o], cudaMemcpyDeviceToHost, stream), "D2H");
        }
        check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
        for (int o = 0; o < outputNames.length; o++) {
            outputHost[o].position(0).get(outputs[o], 0, rows * outputWidths[o]);
        }
    }

    private static float[] copy(FloatBuffer b) {
        float[] a = new float[b.remaining()];
        b.get(a);
        return a;
    }

    private static void check(int rc, String what) throws InferenceException {
        if (rc != 0) {
            throw new InferenceException("tensorrt: " + what + " failed with CUDA error " + rc);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Pointer p : inputDevice) {
            cudaFree(p);
        }
        for (Pointer p : outputDevice) {
            cudaFree(p);
        }
        for (FloatPointer p : outputHost) {
            p.close();
        }
        cudaStreamDestroy(stream);
        context.close();
        engine.close();
    }
}
