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
}
