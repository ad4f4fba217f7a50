package dev.funnel.model.backend;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.funnel.model.InferenceException;
import dev.funnel.model.ModelSession;
import dev.funnel.model.ModelSignature;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An ONNX Runtime session over float32 [N, width] inputs and outputs. */
final class OrtModelSession implements ModelSession {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelSignature signature;
    private final String[] inputNames;
    private final String[] outputNames;
    private final int[] inputWidths;
    private final int[] outputWidths;

    OrtModelSession(OrtEnvironment env, OrtSession session) throws InferenceException {
        this.env = env;
        this.session = session;
        try {
            List<ModelSignature.Tensor> ins = tensors("input", session.getInputInfo());
            List<ModelSignature.Tensor> outs = tensors("output", session.getOutputInfo());
            this.signature = new ModelSignature(ins, outs, session.getMetadata().getCustomMetadata());
        } catch (OrtException e) {
            throw new InferenceException("cannot read model signature: " + e.getMessage(), e);
        }
        inputNames = signature.inputs().stream().map(ModelSignature.Tensor::name).toArray(String[]::new);
        outputNames = signature.outputs().stream().map(ModelSignature.Tensor::name).toArray(String[]::new);
        inputWidths = signature.inputs().stream().mapToInt(ModelSignature.Tensor::width).toArray();
        outputWidths = signature.outputs().stream().mapToInt(ModelSignature.Tensor::width).toArray();
    }

    private static List<ModelSignature.Tensor> tensors(String kind, Map<String, NodeInfo> infos) throws InferenceException {
        List<ModelSignature.Tensor> out = new ArrayList<>();
        for (NodeInfo n : infos.values()) {
            if (!(n.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT || t.getShape().length != 2
                    || t.getShape()[1] < 1) {
                throw new InferenceException(kind + " '" + n.getName() + "' is " + n.getInfo()
                        + "; only float32 [N, width] tensors with a fixed width are supported");
            }
            out.add(new ModelSignature.Tensor(n.getName(), (int) ((TensorInfo) n.getInfo()).getShape()[1]));
        }
        return out;
    }

    @Override
    public ModelSignature signature() {
        return signature;
    }

    @Override
    public void run(int rows, FloatBuffer[] inputs, float[][] outputs) throws InferenceException {
        if (inputs.length != inputNames.length || outputs.length != outputNames.length) {
            throw new IllegalArgumentException("expected " + inputNames.length + " inputs and " + outputNames.length
                    + " outputs, got " + inputs.length + " and " + outputs.length);
        }
        Map<String, OnnxTensor> feeds = new HashMap<>(inputNames.length * 2);
        try {
            for (int i = 0; i < inputNames.length; i++) {
                FloatBuffer b = inputs[i].duplicate();
                b.position(0).limit(rows * inputWidths[i]);
                feeds.put(inputNames[i], OnnxTensor.createTensor(env, b, new long[] {rows, inputWidths[i]}));
            }
            try (OrtSession.Result r = session.run(feeds)) {
                for (int o = 0; o < outputNames.length; o++) {
                    OnnxValue v = r.get(outputNames[o]).orElseThrow();
                    FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
                    int n = rows * outputWidths[o];
                    if (fb.remaining() < n) {
                        throw new InferenceException("output '" + outputNames[o] + "' has " + fb.remaining()
                                + " values for " + rows + " rows × " + outputWidths[o]);
                    }
                    fb.get(outputs[o], 0, n);
                }
            }
        } catch (OrtException e) {
            throw new InferenceException("inference failed on " + rows + " rows: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : feeds.values()) {
                t.close();
            }
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing ONNX Runtime session failed", e);
        }
    }

    @Override
    public String toString() {
        return "OrtModelSession{inputs=" + Arrays.toString(inputNames) + ", outputs=" + Arrays.toString(outputNames) + '}';
    }
}
