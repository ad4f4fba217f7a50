package dev.funnel.model.registry;

import dev.funnel.model.InferenceException;
import dev.funnel.model.ModelSession;
import dev.funnel.model.ModelSignature;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Presents a model under logical input and output names, in the expected order: a user-supplied
 * model whose inputs are called {@code input.1} serves where the server feeds {@code user_emb}.
 */
final class MappedSession implements ModelSession {

    private final ModelSession inner;
    private final ModelSignature signature;
    private final int[] inputIndex;  // logical i → model input
    private final int[] outputIndex; // logical o → model output
    private final int[] modelOutputWidths;

    private MappedSession(ModelSession inner, ModelSignature signature, int[] inputIndex, int[] outputIndex) {
        this.inner = inner;
        this.signature = signature;
        this.inputIndex = inputIndex;
        this.outputIndex = outputIndex;
        this.modelOutputWidths = inner.signature().outputs().stream().mapToInt(ModelSignature.Tensor::width).toArray();
    }

    /**
     * Wraps {@code inner} so that it shows {@code logical}'s names and order.
     *
     * @throws InferenceException naming the first missing mapped tensor
     */
    static ModelSession map(ModelSession inner, ModelSignature logical, Map<String, String> inputNames,
                            Map<String, String> outputNames) throws InferenceException {
        ModelSignature model = inner.signature();
        int[] in = new int[logical.inputs().size()];
        List<ModelSignature.Tensor> ins = new ArrayList<>();
        for (int i = 0; i < in.length; i++) {
            String logicalName = logical.inputs().get(i).name();
            String modelName = inputNames.getOrDefault(logicalName, logicalName);
            in[i] = model.inputIndex(modelName);
            if (in[i] < 0) {
                throw new InferenceException("input '" + logicalName + "' maps to '" + modelName
                        + "', which the model does not have; it has " + names(model.inputs()));
            }
            ins.add(new ModelSignature.Tensor(logicalName, model.inputs().get(in[i]).width()));
        }
        if (model.inputs().size() != in.length) {
            throw new InferenceException("model has " + model.inputs().size() + " inputs " + names(model.inputs())
                    + ", the mapping feeds " + in.length);
        }
        int[] out = new int[logical.outputs().size()];
        List<ModelSignature.Tensor> outs = new ArrayList<>();
        for (int o = 0; o < out.length; o++) {
            String logicalName = logical.outputs().get(o).name();
            String modelName = outputNames.getOrDefault(logicalName, logicalName);
            out[o] = model.outputIndex(modelName);
            if (out[o] < 0) {
                throw new InferenceException("output '" + logicalName + "' maps to '" + modelName
                        + "', which the model does not have; it has " + names(model.outputs()));
            }
            outs.add(new ModelSignature.Tensor(logicalName, model.outputs().get(out[o]).width()));
        }
        return new MappedSession(inner, new ModelSignature(ins, outs, model.metadata()), in, out);
    }

    private static List<String> names(List<ModelSignature.Tensor> ts) {
        return ts.stream().map(ModelSignature.Tensor::name).toList();
    }

    @Override
    public ModelSignature signature() {
        return signature;
    }

    @Override
    public void run(int rows, FloatBuffer[] inputs, float[][] outputs) throws InferenceException {
        FloatBuffer[] modelIn = new FloatBuffer[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            modelIn[inputIndex[i]] = inputs[i];
        }
        float[][] modelOut = new float[modelOutputWidths.length][];
        for (int o = 0; o < outputs.length; o++) {
            modelOut[outputIndex[o]] = outputs[o];
        }
        for (int o = 0; o < modelOut.length; o++) {
            if (modelOut[o] == null) {
                modelOut[o] = new float[rows * modelOutputWidths[o]]; // an output nobody asked for
            }
        }
        inner.run(rows, modelIn, modelOut);
    }

    @Override
    public void close() {
        inner.close();
    }
}
