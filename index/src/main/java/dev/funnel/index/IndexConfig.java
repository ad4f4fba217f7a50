package dev.funnel.index;

import java.util.List;

/**
 * Shape of an {@link ItemIndex}. Immutable; validated on construction.
 *
 * @param dim                   embedding dimension every item with an embedding must have ({@code > 0})
 * @param similarity            vector similarity of the ANN index
 * @param indexedFields         extra attribute fields to build inverted indexes for (besides
 *                              category, author, tags and status, which always are)
 * @param graphMaxDegree        HNSW/Vamana max out-degree (jvector's M)
 * @param graphBeamWidth        construction beam width (efConstruction)
 * @param exactSearchBelow      catalogs with fewer live vectors than this are searched exactly
 * @param rankedRebuildEvery    items appended since the last rebuild of the score-ordered lists before
 *                              they are rebuilt (bounds the unsorted tail a query merges)
 */
public record IndexConfig(int dim, Similarity similarity, List<String> indexedFields, int graphMaxDegree,
                          int graphBeamWidth, int exactSearchBelow, int rankedRebuildEvery) {

    public static final Similarity DEFAULT_SIMILARITY = Similarity.DOT;
    public static final int DEFAULT_GRAPH_MAX_DEGREE = 16;
    public static final int DEFAULT_GRAPH_BEAM_WIDTH = 100;
    public static final int DEFAULT_EXACT_SEARCH_BELOW = 2_000;
    public static final int DEFAULT_RANKED_REBUILD_EVERY = 1_024;

    public IndexConfig {
        require(dim > 0, "dim must be > 0, got " + dim);
        require(similarity != null, "similarity must be set");
        indexedFields = indexedFields == null ? List.of() : List.copyOf(indexedFields);
        for (String f : indexedFields) {
            require(!ItemFields.isBuiltIn(f), "indexed field '" + f + "' is built in");
        }
        require(graphMaxDegree >= 4 && graphMaxDegree <= 128, "graphMaxDegree must be in [4,128], got " + graphMaxDegree);
        require(graphBeamWidth >= graphMaxDegree, "graphBeamWidth must be >= graphMaxDegree, got " + graphBeamWidth);
        require(exactSearchBelow >= 0, "exactSearchBelow must be >= 0, got " + exactSearchBelow);
        require(rankedRebuildEvery >= 1, "rankedRebuildEvery must be >= 1, got " + rankedRebuildEvery);
    }

    /** Defaults for embeddings of this dimension. */
    public static IndexConfig of(int dim) {
        return new IndexConfig(dim, DEFAULT_SIMILARITY, List.of(), DEFAULT_GRAPH_MAX_DEGREE, DEFAULT_GRAPH_BEAM_WIDTH,
                DEFAULT_EXACT_SEARCH_BELOW, DEFAULT_RANKED_REBUILD_EVERY);
    }

    public IndexConfig withSimilarity(Similarity s) {
        return new IndexConfig(dim, s, indexedFields, graphMaxDegree, graphBeamWidth, exactSearchBelow, rankedRebuildEvery);
    }

    public IndexConfig withIndexedFields(List<String> fields) {
        return new IndexConfig(dim, similarity, fields, graphMaxDegree, graphBeamWidth, exactSearchBelow, rankedRebuildEvery);
    }

    public IndexConfig withGraph(int maxDegree, int beamWidth) {
        return new IndexConfig(dim, similarity, indexedFields, maxDegree, beamWidth, exactSearchBelow, rankedRebuildEvery);
    }

    public IndexConfig withExactSearchBelow(int n) {
        return new IndexConfig(dim, similarity, indexedFields, graphMaxDegree, graphBeamWidth, n, rankedRebuildEvery);
    }

    public IndexConfig withRankedRebuildEvery(int n) {
        return new IndexConfig(dim, similarity, indexedFields, graphMaxDegree, graphBeamWidth, exactSearchBelow, n);
    }

    private static void require(boolean ok, String msg) {
        if (!ok) {
            throw new IllegalArgumentException("IndexConfig: " + msg);
        }
    }
}
