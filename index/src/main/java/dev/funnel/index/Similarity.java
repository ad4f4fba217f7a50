package dev.funnel.index;

import io.github.jbellis.jvector.vector.VectorSimilarityFunction;

/** Vector similarity of the vector index; scores are "higher is closer" for all three. */
public enum Similarity {
    /** Cosine similarity. */
    COSINE(VectorSimilarityFunction.COSINE),
    /** Dot product (use with unit vectors, or for maximum inner product). */
    DOT(VectorSimilarityFunction.DOT_PRODUCT),
    /** Euclidean distance, scored as {@code 1 / (1 + d²)}. */
    L2(VectorSimilarityFunction.EUCLIDEAN);

    final VectorSimilarityFunction jvector;

    Similarity(VectorSimilarityFunction f) {
        this.jvector = f;
    }

    /** The score on jvector's scale for this function ((1 + dot) / 2, (1 + cos) / 2, 1 / (1 + d²)). */
    float score(float[] a, float[] b) {
        switch (this) {
            case DOT:
                return (1 + VectorMath.dot(a, b)) / 2;
            case COSINE:
                return (1 + VectorMath.cosine(a, b)) / 2;
            default:
                return 1 / (1 + VectorMath.squareDistance(a, b));
        }
    }

    /** {@link #score(float[], float[])} against {@code a.length} floats of {@code block} from {@code off}. */
    float score(float[] a, float[] block, int off) {
        switch (this) {
            case DOT:
                return (1 + VectorMath.dot(a, block, off)) / 2;
            case COSINE:
                float na = VectorMath.dot(a, a);
                float nb = normAt(block, off, a.length);
                return (float) ((1 + VectorMath.dot(a, block, off) / Math.sqrt((double) na * nb)) / 2);
            default:
                return 1 / (1 + VectorMath.squareDistance(a, block, off));
        }
    }

    private static float normAt(float[] block, int off, int dim) {
        float s = 0;
        for (int i = 0; i < dim; i++) {
            s += block[off + i] * block[off + i];
        }
        return s;
    }
}
