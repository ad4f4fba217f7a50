package dev.funnel.index;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;

import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The HNSW-style proximity graph (jvector's Vamana/DiskANN graph, built in memory) over item
 * embeddings, keyed by the index's internal ordinals. Inserts come from the index writer; searches
 * run concurrently on any thread (jvector's on-heap graph is built for that), each thread with its
 * own searcher. Deleted ordinals are excluded by the caller's accept bits and marked deleted in the
 * graph so they stop being entry points; they are purged in bulk by {@link #purgeDeleted()}.
 */
final class VectorGraph {

    static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();

    private final int dim;
    private final VectorSimilarityFunction similarity;
    private final GraphIndexBuilder builder;
    private final OnHeapGraphIndex graph;
    private final ThreadLocal<GraphSearcher> searchers;
    /** Vectors by ordinal; replaced (never mutated in place below the old length) when it grows. */
    private volatile VectorFloat<?>[] vectors = new VectorFloat<?>[1024];
    private int deletedSinceCleanup; // writer only

    VectorGraph(int dim, Similarity similarity, int maxDegree, int beamWidth) {
        this.dim = dim;
        this.similarity = similarity.jvector;
        RandomAccessVectorValues ravv = new Ravv();
        BuildScoreProvider bsp = BuildScoreProvider.randomAccessScoreProvider(ravv, this.similarity);
        this.builder = new GraphIndexBuilder(bsp, dim, maxDegree, beamWidth, 1.2f, 1.2f);
        this.graph = builder.getGraph();
        this.searchers = ThreadLocal.withInitial(() -> new GraphSearcher(graph));
    }

    /** Writer only: stores the vector of an ordinal and links it into the graph. */
    void add(int ord, float[] v) {
        store(ord, v);
        builder.addGraphNode(ord, vectors[ord]);
    }

    /** Writer only: adds ordinals [from, to) in parallel on the common pool (bulk load). */
    void addAll(int from, int to, float[][] embeddingsByOrd) {
        for (int ord = from; ord < to; ord++) {
            if (embeddingsByOrd[ord] != null) {
                store(ord, embeddingsByOrd[ord]);
            }
        }
        VectorFloat<?>[] vs = vectors;
        ForkJoinPool.commonPool().submit(() -> IntStream.range(from, to).parallel().forEach(ord -> {
            if (vs[ord] != null) {
                builder.addGraphNode(ord, vs[ord]);
            }
        })).join();
        builder.cleanup();
    }

    private void store(int ord, float[] v) {
        if (v.length != dim) {
            throw new IllegalArgumentException("embedding has dimension " + v.length + ", the index has " + dim);
        }
        VectorFloat<?>[] vs = vectors;
        if (ord >= vs.length) {
            vs = Arrays.copyOf(vs, Math.max(ord + 1, vs.length * 2));
            vectors = vs; // complete copy published before any search can be given this ordinal
        }
        vs[ord] = VTS.createFloatVector(v);
    }

    /** Writer only. */
    void markDeleted(int ord) {
        if (ord < vectors.length && vectors[ord] != null && graph.containsNode(ord)) {
            builder.markNodeDeleted(ord);
            deletedSinceCleanup++;
        }
    }

    /** Writer only: whether enough deletions piled up that a purge pays. */
    boolean purgeDue() {
        return deletedSinceCleanup > 1_000 && deletedSinceCleanup * 10L > graph.size();
    }

    /** Writer only: unlinks deleted nodes (seconds on a large graph; searches keep running). */
    void purgeDeleted() {
        builder.removeDeletedNodes();
        deletedSinceCleanup = 0;
    }

    int size() {
        return graph.size();
    }

    /**
     * Approximate search; any thread. Returns nodes best first, only ordinals {@code accept} takes.
     *
     * @param ef search beam width (at least k)
     */
    SearchResult.NodeScore[] search(float[] query, int k, int ef, Bits accept) {
        if (graph.size() == 0) {
            return new SearchResult.NodeScore[0];
        }
        VectorFloat<?> q = VTS.createFloatVector(query);
        VectorFloat<?>[] vs = vectors;
        ScoreFunction.ExactScoreFunction sf = node -> similarity.compare(q, vs[node]);
        SearchResult r = searchers.get().search(new SearchScoreProvider(sf, null), k, Math.max(k, ef), 0f, 0f, accept);
        return r.getNodes();
    }

    /** Exact score of an ordinal's vector against a query vector, on the graph's scale. */
    float score(VectorFloat<?> query, int ord) {
        return similarity.compare(query, vectors[ord]);
    }

    VectorFloat<?> wrap(float[] v) {
        return VTS.createFloatVector(v);
    }

    void save(DataOutput out) throws IOException {
        graph.save(out);
    }

    void load(ByteBuffer in, float[][] embeddingsByOrd, int rows) throws IOException {
        for (int ord = 0; ord < rows; ord++) {
            if (embeddingsByOrd[ord] != null) {
                store(ord, embeddingsByOrd[ord]);
            }
        }
        builder.load(new io.github.jbellis.jvector.disk.ByteBufferReader(in));
    }

    long ramBytesUsed() {
        return graph.ramBytesUsed();
    }

    /** The vectors as jvector reads them during construction. */
    private final class Ravv implements RandomAccessVectorValues {
        @Override
        public int size() {
            return vectors.length;
        }

        @Override
        public int dimension() {
            return dim;
        }

        @Override
        public VectorFloat<?> getVector(int node) {
            return vectors[node];
        }

        @Override
        public boolean isValueShared() {
            return false;
        }

        @Override
        public RandomAccessVectorValues copy() {
            return this;
        }
    }
}
