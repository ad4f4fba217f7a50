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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The proximity graph over item embeddings (jvector's Vamana graph, in memory), with its own node
 * ids: a row ({@link Columns}) points at a node, and {@link #ordOf} maps a node back to the row that
 * currently owns it. An upsert that keeps the embedding (a popularity change) just re-points the
 * node; only a new embedding adds a node.
 *
 * <p>Threads: the index writer adds nodes and re-points them; searches run concurrently on any
 * thread (jvector's on-heap graph supports that), each thread with its own searcher. A node whose
 * item is gone is marked deleted (no longer an entry point) and stays linked as a waypoint:
 * jvector's {@code removeDeletedNodes} must not run concurrently with searches, so purging would
 * need a rebuild beside the live graph, which is not done yet.
 */
final class VectorGraph {

    static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    private final int dim;
    private final VectorSimilarityFunction similarity;
    private final Similarity scoring;
    private final GraphIndexBuilder builder;
    private final OnHeapGraphIndex graph;
    private final ThreadLocal<GraphSearcher> searchers;
    /** Vectors by node; replaced by a grown copy (published before the new node is linked). */
    private volatile VectorFloat<?>[] vectors = new VectorFloat<?>[1024];
    /**
     * The same vectors as plain arrays (shared, not copied), for query-time scoring with
     * {@link VectorMath}; published before {@link #vectors}, so a reader that loads it after
     * {@code vectors} sees every node linked so far.
     */
    private volatile float[][] raw = new float[1024][];
    /** Row ordinal owning each node, or -1; same growth rule. */
    private volatile int[] ordOfNode = filled(1024);
    /** Inverted lists over the same nodes; null until the catalog reaches {@code trainAtNodes}. */
    private volatile PartitionLists partitions;
    private final int trainAtNodes;
    private int nodes;   // writer only: next node id
    private int deleted; // writer only

    VectorGraph(int dim, Similarity similarity, int maxDegree, int beamWidth) {
        this(dim, similarity, maxDegree, beamWidth, PartitionLists.TRAIN_AT_NODES);
    }

    /** @param trainAtNodes node count from which the inverted lists are trained (tests use small ones) */
    VectorGraph(int dim, Similarity similarity, int maxDegree, int beamWidth, int trainAtNodes) {
        this.trainAtNodes = trainAtNodes;
        this.dim = dim;
        this.similarity = similarity.jvector;
        this.scoring = similarity;
        RandomAccessVectorValues ravv = new Ravv();
        BuildScoreProvider bsp = BuildScoreProvider.randomAccessScoreProvider(ravv, this.similarity);
        this.builder = new GraphIndexBuilder(bsp, dim, maxDegree, beamWidth, 1.2f, 1.2f);
        this.graph = builder.getGraph();
        this.searchers = ThreadLocal.withInitial(() -> new GraphSearcher(graph));
    }

    private static int[] filled(int n) {
        int[] a = new int[n];
        Arrays.fill(a, -1);
        return a;
    }

    /** Writer only: stores a vector as a new node owned by {@code ord}, links it; returns the node. */
    int add(float[] v, int ord) {
        int node = store(v, ord);
        builder.addGraphNode(node, vectors[node]);
        PartitionLists p = partitions;
        if (p != null && nodes < 4 * p.trainedNodes) {
            p.add(node, raw[node]);
        } else {
            maybeTrain(); // first time at the threshold, or retrain once the lists are 4× outgrown
        }
        return node;
    }

    /**
     * Writer only, bulk load: nodes for rows [0, rows) with embeddings, linked in parallel on the
     * common pool; writes each row's node into {@code nodeOfOrd}.
     */
    void addAll(int rows, float[][] embeddingsByOrd, int[] nodeOfOrd) {
        int first = nodes;
        for (int ord = 0; ord < rows; ord++) {
            nodeOfOrd[ord] = embeddingsByOrd[ord] == null ? -1 : store(embeddingsByOrd[ord], ord);
        }
        int last = nodes;
        VectorFloat<?>[] vs = vectors;
        ForkJoinPool.commonPool().submit(() -> IntStream.range(first, last).parallel()
                .forEach(node -> builder.addGraphNode(node, vs[node]))).join(); // bulk load: a loader thread, never a loop
        builder.cleanup();
        maybeTrain();
    }

    private int store(float[] v, int ord) {
        if (v.length != dim) {
            throw new IllegalArgumentException("embedding has dimension " + v.length + ", the index has " + dim);
        }
        int node = nodes++;
        VectorFloat<?>[] vs = vectors;
        float[][] rs = raw;
        int[] owners = ordOfNode;
        if (node >= vs.length) {
            vs = Arrays.copyOf(vs, vs.length * 2);
            rs = Arrays.copyOf(rs, vs.length);
            int[] o = Arrays.copyOf(owners, vs.length);
            Arrays.fill(o, owners.length, o.length, -1);
            owners = o;
        }
        VectorFloat<?> wrapped = VTS.createFloatVector(v);
        vs[node] = wrapped;
        rs[node] = wrapped.get() instanceof float[] ? (float[]) wrapped.get() : v.clone();
        owners[node] = ord;
        ordOfNode = owners; // volatile writes: complete arrays, published before the node is linked
        raw = rs;
        vectors = vs;
        return node;
    }

    /** Writer only: the node now belongs to another row (same vector). */
    void repoint(int node, int ord) {
        INTS.setRelease(ordOfNode, node, ord);
    }

    /** Writer only: no row owns the node any more. */
    void markDeleted(int node) {
        INTS.setRelease(ordOfNode, node, -1);
        builder.markNodeDeleted(node);
        deleted++;
    }

    /** The row owning a node, or -1. Any thread. */
    int ordOf(int node) {
        int[] owners = ordOfNode;
        return node < owners.length ? (int) INTS.getAcquire(owners, node) : -1;
    }

    int size() {
        return graph.size();
    }

    /** Nodes marked deleted but still linked. */
    int deletedCount() {
        return deleted;
    }

    /**
     * Approximate search; any thread. Returns nodes best first, only those whose owning row
     * {@code acceptOrd} takes.
     *
     * @param ef search beam width (at least k)
     */
    SearchResult.NodeScore[] search(float[] query, int k, int ef, Bits acceptOrd) {
        if (graph.size() == 0) {
            return new SearchResult.NodeScore[0];
        }
        float[][] rs = raw;
        Similarity fn = scoring;
        // The graph may hand us a node linked after we loaded the array (traversal scores nodes
        // before the accept test); its vector was stored, and the array republished, before linking.
        ScoreFunction.ExactScoreFunction sf = node -> fn.score(query, node < rs.length ? rs[node] : raw[node]);
        // Bits.ALL from the caller means "any live row": the owner check alone says that.
        Bits accept = acceptOrd == Bits.ALL
                ? node -> ordOf(node) >= 0
                : node -> {
                    int ord = ordOf(node);
                    return ord >= 0 && acceptOrd.get(ord);
                };
        SearchResult r = searchers.get().search(new SearchScoreProvider(sf, null), k, Math.max(k, ef), 0f, 0f, accept);
        return r.getNodes();
    }

    /** Exact score of a node's vector against a query vector, on the graph's scale. */
    float score(float[] query, int node) {
        return scoring.score(query, raw[node]);
    }

    /**
     * Writer lock held: writes the graph in the layout {@link GraphIndexBuilder#load} reads (node
     * count, entry node, max degree, then each node's id and neighbours). Written here rather than
     * by jvector's own {@code save}, which refuses graphs with deleted nodes; ours keep them as
     * waypoints and are re-marked deleted on load.
     */
    void save(DataOutput out) throws IOException {
        var view = graph.getView();
        int count = 0;
        for (int node = 0; node < nodes; node++) {
            if (graph.containsNode(node)) {
                count++;
            }
        }
        out.writeInt(count);
        out.writeInt(count == 0 ? -1 : view.entryNode());
        out.writeInt(graph.maxDegree());
        for (int node = 0; node < nodes; node++) {
            if (!graph.containsNode(node)) {
                continue;
            }
            var it = view.getNeighborsIterator(node);
            out.writeInt(node);
            out.writeInt(it.size());
            while (it.hasNext()) {
                out.writeInt(it.nextInt());
            }
        }
    }

    void load(ByteBuffer in, float[][] vectorsByNode, int[] ownerByNode) throws IOException {
        for (int node = 0; node < vectorsByNode.length; node++) {
            int n = store(vectorsByNode[node], ownerByNode[node]);
            assert n == node;
        }
        builder.load(new io.github.jbellis.jvector.disk.ByteBufferReader(in));
        for (int node = 0; node < ownerByNode.length; node++) {
            if (ownerByNode[node] < 0 && graph.containsNode(node)) {
                builder.markNodeDeleted(node);
                deleted++;
            }
        }
        maybeTrain(); // the lists are derived data, rebuilt rather than stored in snapshots
    }

    /** Writer only: (re)builds the inverted lists once the catalog is large enough. */
    private void maybeTrain() {
        if (nodes >= trainAtNodes) {
            partitions = PartitionLists.train(dim, scoring, raw, nodes, node -> ordOf(node) >= 0);
        }
    }

    /** Whether {@link #searchPartitions} is available. */
    boolean hasPartitions() {
        return partitions != null;
    }

    /** Number of inverted lists, 0 before training. */
    int partitionCount() {
        PartitionLists p = partitions;
        return p == null ? 0 : p.lists();
    }

    /**
     * Inverted-file search; any thread; requires {@link #hasPartitions}. Scans the {@code nprobe}
     * lists nearest the query exactly and writes up to k nodes best first, with their scores, whose
     * owning row {@code acceptOrd} takes ({@link Bits#ALL}: any owned node) into {@code outNodes} and
     * {@code outScores} (at least k long); returns how many.
     */
    int searchPartitions(float[] query, int k, int nprobe, Bits acceptOrd, int[] outNodes, float[] outScores) {
        PartitionLists p = partitions;
        TopSelect top = new TopSelect(k);
        java.util.function.IntPredicate accept = acceptOrd == Bits.ALL
                ? node -> ordOf(node) >= 0
                : node -> {
                    int ord = ordOf(node);
                    return ord >= 0 && acceptOrd.get(ord);
                };
        p.search(query, nprobe, top, accept);
        return top.drainDescending(outNodes, outScores);
    }

    int nodeCount() {
        return nodes;
    }

    /** Writer only (snapshots): the vector of a node. */
    float[] vector(int node) {
        VectorFloat<?> v = vectors[node];
        float[] out = new float[dim];
        for (int d = 0; d < dim; d++) {
            out[d] = v.get(d);
        }
        return out;
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
