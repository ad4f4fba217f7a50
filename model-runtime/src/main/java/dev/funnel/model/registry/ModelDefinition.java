package dev.funnel.model.registry;

import dev.funnel.model.ModelSignature;
import java.util.Map;
import java.util.Objects;

/**
 * How a named model is served.
 *
 * @param name        the model's name, e.g. {@code ctr}
 * @param expected    the signature every version must have, in the names the server uses (the
 *                    logical names); null to take the first loaded version's
 * @param inputNames  logical input name → the model's own input name, for user-supplied models
 *                    (exported from PyTorch, say); unmapped names are used as they are
 * @param outputNames logical output name → the model's own output name
 * @param history     how many previous versions are kept for rollback (their bytes, not sessions)
 */
public record ModelDefinition(String name, ModelSignature expected, Map<String, String> inputNames,
                              Map<String, String> outputNames, int history) {

    /** Default rollback depth. */
    public static final int DEFAULT_HISTORY = 3;

    public ModelDefinition {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("model name must match [A-Za-z0-9_.-]+, got '" + name + "'");
        }
        inputNames = Map.copyOf(inputNames == null ? Map.of() : inputNames);
        outputNames = Map.copyOf(outputNames == null ? Map.of() : outputNames);
        if (history < 0 || history > 100) {
            throw new IllegalArgumentException("model '" + name + "': history must be in 0..100, got " + history);
        }
    }

    /** A model with this expected signature, no renaming, default history. */
    public static ModelDefinition of(String name, ModelSignature expected) {
        return new ModelDefinition(name, expected, Map.of(), Map.of(), DEFAULT_HISTORY);
    }
}
