package dev.funnel.model.ctr;

import dev.funnel.features.FeatureSchema;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The shape of the {@code ctr} model that {@code rank.onnx} serves and the trainer trains.
 *
 * <h2>Inputs (all float32, batch dimension N)</h2>
 * <ul>
 *   <li>{@value CtrModel#USER_EMB} [N, contentDim]: the user's real-time content embedding
 *       ({@code UserProfile.embedding()}), zeros when null; first {@code contentDim} values.</li>
 *   <li>{@value CtrModel#ITEM_EMB} [N, contentDim]: the item's content embedding
 *       ({@code ItemAttributes.embedding(id)}), zeros when null.</li>
 *   <li>{@value CtrModel#FIELD_EMB} [N, fieldCount × fieldDim]: for each schema field f in order,
 *       the row of the {@code field} embedding table (width fieldDim) for the row's field id f.</li>
 *   <li>{@value CtrModel#DENSE} [N, denseCount]: the schema's dense values, in order.</li>
 *   <li>{@value CtrModel#WIDE} [N, heads]: for each head, the sum over the row's wide ids
 *       (skipping {@code FeatureBatch.EMPTY_ID}) of the {@code wide} table's row (width heads).</li>
 * </ul>
 * <h2>Output</h2>
 * {@value CtrModel#PROBS} [N, heads] = sigmoid(wide + MLP(concat(user_emb, item_emb, field_emb,
 * dense))), where the MLP is Gemm+Relu per hidden layer and a final Gemm to {@code heads} logits.
 * Column h is the probability of {@code heads().get(h)} (e.g. {@code click}, {@code like}).
 *
 * @param schemaVersion the {@link FeatureSchema#version()} the model reads
 * @param contentDim    user / item content embedding width
 * @param fieldCount    sparse fields
 * @param fieldDim      field embedding width
 * @param denseCount    dense features
 * @param hidden        hidden layer widths (may be empty: then a single Gemm)
 * @param heads         objective names, one output column each
 */
public record CtrModelSpec(String schemaVersion, int contentDim, int fieldCount, int fieldDim, int denseCount,
                           int[] hidden, List<String> heads) {

    /** Default field embedding width. */
    public static final int DEFAULT_FIELD_DIM = 8;
    /** Default hidden layers. */
    public static final int[] DEFAULT_HIDDEN = {64, 32};
    /** Default objectives. */
    public static final List<String> DEFAULT_HEADS = List.of("click", "like");

    public CtrModelSpec {
        Objects.requireNonNull(schemaVersion, "schemaVersion");
        hidden = hidden.clone();
        heads = List.copyOf(heads);
        if (contentDim < 1 || fieldCount < 0 || fieldDim < 1 || denseCount < 0) {
            throw new IllegalArgumentException("bad ctr dims: contentDim=" + contentDim + " fieldCount=" + fieldCount
                    + " fieldDim=" + fieldDim + " denseCount=" + denseCount);
        }
        for (int h : hidden) {
            if (h < 1) {
                throw new IllegalArgumentException("hidden widths must be >= 1, got " + Arrays.toString(hidden));
            }
        }
        if (heads.isEmpty()) {
            throw new IllegalArgumentException("a ctr model needs at least one head");
        }
    }

    /**
     * Hidden layer widths as configuration spells them, {@code 256,128}; blank → {@link #DEFAULT_HIDDEN}.
     * The server's {@code model.ctr.hidden}, the standalone trainer's {@code hidden} and the benches
     * read them here, so all spell and check them alike.
     *
     * @param key   the setting's name, for the message
     * @throws IllegalArgumentException naming {@code key} and the value, for anything but widths in 1..65536
     */
    public static int[] parseHidden(String key, String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_HIDDEN.clone();
        }
        String[] parts = value.split(",", -1);
        int[] widths = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                widths[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                widths[i] = 0;
            }
            if (widths[i] < 1 || widths[i] > 65_536) {
                throw new IllegalArgumentException(key + " must be layer widths in 1..65536 separated by commas"
                        + " (e.g. 256,128), got '" + value + "'");
            }
        }
        return widths;
    }

    /** The spec for a feature schema with default field width, hidden layers and heads. */
    public static CtrModelSpec forSchema(FeatureSchema schema) {
        return forSchema(schema, DEFAULT_FIELD_DIM, DEFAULT_HIDDEN, DEFAULT_HEADS);
    }

    public static CtrModelSpec forSchema(FeatureSchema schema, int fieldDim, int[] hidden, List<String> heads) {
        return new CtrModelSpec(schema.version(), schema.contentDim(), schema.fieldCount(), fieldDim,
                schema.denseCount(), hidden, heads);
    }

    /** Width of the MLP's input: {@code 2 × contentDim + fieldCount × fieldDim + denseCount}. */
    public int mlpInputWidth() {
        return 2 * contentDim + fieldCount * fieldDim + denseCount;
    }

    public int headCount() {
        return heads.size();
    }

    /** Layer widths from input to output: [mlpInputWidth, hidden..., heads]. */
    public int[] layerWidths() {
        int[] w = new int[hidden.length + 2];
        w[0] = mlpInputWidth();
        System.arraycopy(hidden, 0, w, 1, hidden.length);
        w[w.length - 1] = heads.size();
        return w;
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CtrModelSpec s && s.schemaVersion.equals(schemaVersion) && s.contentDim == contentDim
                && s.fieldCount == fieldCount && s.fieldDim == fieldDim && s.denseCount == denseCount
                && Arrays.equals(s.hidden, hidden) && s.heads.equals(heads);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schemaVersion, contentDim, fieldCount, fieldDim, denseCount, Arrays.hashCode(hidden), heads);
    }

    @Override
    public String toString() {
        return "CtrModelSpec{" + schemaVersion + ", contentDim=" + contentDim + ", fields=" + fieldCount + "×" + fieldDim
                + ", dense=" + denseCount + ", hidden=" + Arrays.toString(hidden) + ", heads=" + heads + '}';
    }
}
