package dev.funnel.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * An inverted-file (IVF) view of the graph's vectors: k-means centroids, and per centroid a list
 * of the nodes nearest to it with their vectors copied column-wise (one array per coordinate). A
 * query scores the centroids, scans the {@code nprobe} best lists exactly and keeps the top k. The
 * scan scores a whole list at once ({@link VectorMath#addColumnDots}: multiply-add passes over
 * contiguous floats, which the JIT vectorizes, where a dot product per vector it does not). On clustered
 * embeddings such as the sim catalog's (the true top 10 lie in about one category) this scores a
 * few percent of the catalog, where a graph walk inside a cluster of near-equidistant points
 * visits a large part of it.
 *
 * <p>Threads: one writer ({@link #add}) and any number of concurrent readers ({@link #search}).
 * A list is a {@link Cell} whose arrays are only appended to; its {@code size} is a volatile
 * published after the slot is written, and a full cell is replaced by a grown copy published with
 * a release store, so a reader sees a consistent prefix. Deleted nodes stay in their list and are
 * dropped by the owner check the caller's accept test makes.
 */
final class PartitionLists {

    /** Catalog size (nodes) from which a graph trains partitions. */
    static final int TRAIN_AT_NODES = 10_000;
    /** Average list length the partition count aims at (100k nodes: 160 lists). */
    static final int NODES_PER_LIST = 625;
    static final int TRAIN_SAMPLE = 20_000;
    static final int TRAIN_ITERATIONS = 8;

    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(Cell[].class);

    private final int dim;
    private final Similarity similarity;
    private final float[][] centroids;
    private final Cell[] cells;
    /** Node count the centroids were trained on (the owner retrains when the catalog outgrows it). */
    final int trainedNodes;

    private static final class Cell {
        final int[] nodes;
        /** {@code cols[d][j]}: coordinate d of the list's j-th vector. */
        final float[][] cols;
        /** Squared norm of the j-th vector (for cosine), summed in coordinate order. */
        final float[] norms;
        volatile int size;

        Cell(int capacity, int dim) {
            nodes = new int[capacity];
            cols = new float[dim][capacity];
            norms = new float[capacity];
        }
    }

    private PartitionLists(int dim, Similarity similarity, float[][] centroids, int[] listSizes, int trainedNodes) {
        this.dim = dim;
        this.similarity = similarity;
        this.centroids = centroids;
        this.cells = new Cell[centroids.length];
        for (int c = 0; c < cells.length; c++) {
            cells[c] = new Cell(16 + listSizes[c] + listSizes[c] / 8, dim); // room for some inserts before a copy
        }
        this.trainedNodes = trainedNodes;
    }

    /**
     * Writer only: k-means (fixed seed, on a sample) over nodes [0, n) of {@code vectors}, then
     * every node with a vector that {@code owned} accepts assigned to its list. Parallel on the
     * common pool; takes seconds at 100k × 64 (the caller holds the write lock meanwhile).
     */
    static PartitionLists train(int dim, Similarity similarity, float[][] vectors, int n, IntPredicate owned) {
        int lists = Math.max(16, Math.min(4096, n / NODES_PER_LIST));
        Random r = new Random(42);
        float[][] sample = new float[Math.min(n, TRAIN_SAMPLE)][];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = vectors[r.nextInt(n)];
        }
        float[][] c = new float[lists][];
        for (int i = 0; i < lists; i++) {
            c[i] = sample[r.nextInt(sample.length)].clone();
        }
        for (int it = 0; it < TRAIN_ITERATIONS; it++) {
            float[][] fc = c;
            int[] assign = IntStream.range(0, sample.length).parallel().map(i -> nearest(similarity, fc, sample[i])).toArray();
            double[][] sum = new double[lists][dim];
            int[] count = new int[lists];
            for (int i = 0; i < sample.length; i++) {
                count[assign[i]]++;
                for (int d = 0; d < dim; d++) {
                    sum[assign[i]][d] += sample[i][d];
                }
            }
            for (int l = 0; l < lists; l++) {
                if (count[l] == 0) {
                    continue; // keep an empty centroid where it is
                }
                double norm = 0;
                for (int d = 0; d < dim; d++) {
                    sum[l][d] /= count[l];
                    norm += sum[l][d] * sum[l][d];
                }
                // spherical k-means for angular similarities; plain means for L2
                double scale = similarity == Similarity.L2 || norm == 0 ? 1 : 1 / Math.sqrt(norm);
                for (int d = 0; d < dim; d++) {
                    c[l][d] = (float) (sum[l][d] * scale);
                }
            }
        }
        float[][] fc = c;
        int[] assign = IntStream.range(0, n).parallel()
                .map(i -> vectors[i] == null || !owned.test(i) ? -1 : nearest(similarity, fc, vectors[i])).toArray();
        int[] listSizes = new int[lists];
        for (int a : assign) {
            if (a >= 0) {
                listSizes[a]++;
            }
        }
        PartitionLists p = new PartitionLists(dim, similarity, c, listSizes, n);
        for (int node = 0; node < n; node++) {
            if (assign[node] >= 0) {
                p.append(assign[node], node, vectors[node]);
            }
        }
        return p;
    }

    private static int nearest(Similarity similarity, float[][] centroids, float[] v) {
        int best = 0;
        float bestScore = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < centroids.length; i++) {
            float s = similarity.score(v, centroids[i]);
            if (s > bestScore) {
                bestScore = s;
                best = i;
            }
        }
        return best;
    }

    /** Writer only: lists a new node under its nearest centroid. */
    void add(int node, float[] v) {
        append(nearest(similarity, centroids, v), node, v);
    }

    private void append(int list, int node, float[] v) {
        Cell cell = cells[list];
        int n = cell.size;
        if (n == cell.nodes.length) {
            Cell grown = new Cell(n * 2, dim);
            System.arraycopy(cell.nodes, 0, grown.nodes, 0, n);
            for (int d = 0; d < dim; d++) {
                System.arraycopy(cell.cols[d], 0, grown.cols[d], 0, n);
            }
            System.arraycopy(cell.norms, 0, grown.norms, 0, n);
            grown.size = n;
            CELLS.setRelease(cells, list, grown);
            cell = grown;
        }
        cell.nodes[n] = node;
        float norm = 0;
        for (int d = 0; d < dim; d++) {
            cell.cols[d][n] = v[d];
            norm += v[d] * v[d];
        }
        cell.norms[n] = norm;
        cell.size = n + 1; // volatile: publishes the slot
    }

    /**
     * The scores of the cell's first n vectors (on {@link Similarity}'s scale) in this thread's
     * scratch, valid until its next call: per coordinate one pass over the list, which the JIT
     * vectorizes.
     */
    private float[] scores(float[] query, float queryNorm, Cell cell, int n) {
        // A ThreadLocal read, never blocks; this scan runs on the worker pool (recall.ann is declared
        // CPU-heavy), not on an event loop.
        float[] acc = SCORES.get();
        if (acc.length < n) {
            acc = new float[Math.max(n, acc.length * 2)];
            SCORES.set(acc);
        }
        Arrays.fill(acc, 0, n, 0f);
        float[][] cols = cell.cols;
        if (similarity == Similarity.L2) {
            VectorMath.addColumnSquaredDistances(cols, query, dim, n, acc);
            for (int j = 0; j < n; j++) {
                acc[j] = 1 / (1 + acc[j]);
            }
            return acc;
        }
        VectorMath.addColumnDots(cols, query, dim, n, acc);
        if (similarity == Similarity.DOT) {
            for (int j = 0; j < n; j++) {
                acc[j] = (1 + acc[j]) / 2;
            }
        } else {
            float[] norms = cell.norms;
            for (int j = 0; j < n; j++) {
                acc[j] = (float) ((1 + acc[j] / Math.sqrt((double) queryNorm * norms[j])) / 2);
            }
        }
        return acc;
    }

    /** Per-thread score scratch of {@link #scores} (a ThreadLocal read: never blocks). */
    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[1024]);

    int lists() {
        return cells.length;
    }

    /**
     * Any thread: offers every accepted node of the {@code nprobe} lists nearest to the query to
     * {@code top} (keyed by node); returns how many vectors were scored.
     */
    int search(float[] query, int nprobe, TopSelect top, IntPredicate acceptNode) {
        int probes = Math.min(nprobe, centroids.length);
        TopK lists = new TopK(probes);
        for (int c = 0; c < centroids.length; c++) {
            lists.offer(c, similarity.score(query, centroids[c]));
        }
        int[] chosen = new int[probes];
        double[] unused = new double[probes];
        int m = lists.drainDescending(chosen, unused);
        int scored = 0;
        float queryNorm = VectorMath.dot(query, query);
        for (int i = 0; i < m; i++) {
            Cell cell = (Cell) CELLS.getAcquire(cells, chosen[i]);
            int n = cell.size;
            int[] nodes = cell.nodes;
            float[] s = scores(query, queryNorm, cell, n);
            for (int j = 0; j < n; j++) {
                if (s[j] >= top.threshold() && acceptNode.test(nodes[j])) {
                    top.offer(nodes[j], s[j]);
                }
            }
            scored += n;
        }
        return scored + centroids.length;
    }
}
