package dev.funnel.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a model takes and gives: float32 matrices {@code [N, width]} by name, in the model's
 * order, plus its metadata. Immutable. The registry compares a new version's signature with the
 * model's expected one and refuses a mismatch.
 *
 * @param inputs   inputs in the order {@link ModelSession#run} takes them
 * @param outputs  outputs in the order {@link ModelSession#run} fills them
 * @param metadata the model's {@code metadata_props}
 */
public record ModelSignature(List<Tensor> inputs, List<Tensor> outputs, Map<String, String> metadata) {

    /** One named float32 matrix of shape [N, width]. */
    public record Tensor(String name, int width) {
        public Tensor {
            Objects.requireNonNull(name, "name");
            if (width < 1) {
                throw new IllegalArgumentException("tensor '" + name + "': width must be >= 1, got " + width);
            }
        }
    }

    public ModelSignature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        metadata = Map.copyOf(metadata);
    }

    /** A signature without metadata. */
    public static ModelSignature of(List<Tensor> inputs, List<Tensor> outputs) {
        return new ModelSignature(inputs, outputs, Map.of());
    }

    /** The index of the named input, or -1. */
    public int inputIndex(String name) {
        return indexOf(inputs, name);
    }

    /** The index of the named output, or -1. */
    public int outputIndex(String name) {
        return indexOf(outputs, name);
    }

    /**
     * Why this (a loaded model's) signature cannot serve where {@code expected} is required: every
     * expected input and output must exist here with the same width and position, and every
     * expected metadata entry must be equal. Empty when compatible.
     */
    public List<String> problemsAgainst(ModelSignature expected) {
        List<String> problems = new ArrayList<>();
        compare("input", inputs, expected.inputs, problems);
        compare("output", outputs, expected.outputs, problems);
        if (inputs.size() != expected.inputs.size()) {
            problems.add("model has " + inputs.size() + " inputs, expected " + expected.inputs.size());
        }
        for (Map.Entry<String, String> e : expected.metadata.entrySet()) {
            String got = metadata.get(e.getKey());
            if (!e.getValue().equals(got)) {
                problems.add("metadata '" + e.getKey() + "' is " + (got == null ? "absent" : "'" + got + "'")
                        + ", expected '" + e.getValue() + "'");
            }
        }
        return problems;
    }

    private static void compare(String kind, List<Tensor> have, List<Tensor> want, List<String> problems) {
        for (int i = 0; i < want.size(); i++) {
            Tensor w = want.get(i);
            int at = indexOf(have, w.name());
            if (at < 0) {
                problems.add(kind + " '" + w.name() + "' is missing");
            } else if (have.get(at).width() != w.width()) {
                problems.add(kind + " '" + w.name() + "' has width " + have.get(at).width() + ", expected " + w.width());
            } else if (kind.equals("input") && at != i) {
                problems.add(kind + " '" + w.name() + "' is at position " + at + ", expected " + i);
            }
        }
    }

    private static int indexOf(List<Tensor> ts, String name) {
        for (int i = 0; i < ts.size(); i++) {
            if (ts.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
