package dev.funnel.trainer.learn;

import java.util.Arrays;
import java.util.List;

/**
 * The shape of the ctr model as the trainer sees it (mirrors model-runtime's {@code CtrModelSpec}
 * plus the feature schema's wide-id count).
 *
 * @param contentDim user / item content embedding width
 * @param fieldCount sparse fields (one field-embedding row each)
 * @param fieldDim   field embedding width
 * @param wideCount  wide ids per row
 * @param denseCount dense features
 * @param hidden     hidden layer widths
 * @param heads      objectives, one output each
 */
public record CtrShape(int contentDim, int fieldCount, int fieldDim, int wideCount, int denseCount, int[] hidden,
                       List<String> heads) {

    /** Name of the field-embedding table in deltas and in serving. */
    public static final String FIELD_TABLE = "field";
    /** Name of the wide-weight table in deltas and in serving. */
    public static final String WIDE_TABLE = "wide";
    /** Wide id that carries no feature (an empty tag slot). */
    public static final long EMPTY_ID = -1L;

    public CtrShape {
        hidden = hidden.clone();
        heads = List.copyOf(heads);
        if (contentDim < 1 || fieldCount < 0 || fieldDim < 1 || wideCount < 0 || denseCount < 0 || heads.isEmpty()) {
            throw new IllegalArgumentException("bad ctr shape: " + Arrays.toString(new int[]{contentDim, fieldCount, fieldDim,
                    wideCount, denseCount}) + " heads=" + heads);
        }
    }

    /** The shape of the model that {@code rank.onnx} serves for this spec and feature schema. */
    public static CtrShape of(dev.funnel.model.ctr.CtrModelSpec spec, dev.funnel.features.FeatureSchema schema) {
        if (!spec.schemaVersion().equals(schema.version())) {
            throw new IllegalArgumentException("model spec is for schema " + spec.schemaVersion() + ", features are " + schema.version());
        }
        return new CtrShape(spec.contentDim(), spec.fieldCount(), spec.fieldDim(), schema.wideCount(), spec.denseCount(),
                spec.hidden(), spec.heads());
    }

    /** MLP input width: user emb, item emb, field embs, dense. */
    public int inputWidth() {
        return 2 * contentDim + fieldCount * fieldDim + denseCount;
    }

    /** [inputWidth, hidden…, heads]. */
    public int[] layerWidths() {
        int[] w = new int[hidden.length + 2];
        w[0] = inputWidth();
        System.arraycopy(hidden, 0, w, 1, hidden.length);
        w[w.length - 1] = heads.size();
        return w;
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    @Override
    public String toString() {
        return "CtrShape{content=" + contentDim + ", fields=" + fieldCount + "x" + fieldDim + ", wide=" + wideCount
                + ", dense=" + denseCount + ", hidden=" + Arrays.toString(hidden) + ", heads=" + heads + "}";
    }
}
