package dev.funnel.bench.index;

import dev.funnel.features.profile.InProcessProfileStore;
import dev.funnel.features.profile.ProfileConfig;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.index.Filter;
import dev.funnel.index.IndexConfig;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemRecord;
import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimItem;
import dev.funnel.sim.SimUser;
import dev.funnel.sim.SimWorld;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ANN benchmark on the sim world's item embeddings (default 100,000 × 64): exact search (the
 * oracle), the index's jvector graph (as {@code recall.ann} calls it) and Lucene 9.12's HNSW, built
 * with the same degree (M=16) and construction beam (100), queried with real-time user embeddings
 * (decayed averages of the sim users' clicks, as the profile store derives them). Reports build
 * time, recall@10 against exact search and single-thread queries per second, all in one run.
 *
 * <p>Not JMH: building two 100k graphs per fork would dominate a JMH run on a shared 2-core box; the
 * timed loops here warm up first and run each measurement for a fixed wall time, one thread.
 *
 * <p>Rows are timed in interleaved rounds (every row once per round), and the speed-up is the
 * median of per-round ratios to exact search, so load drift on a shared machine hits both sides.
 *
 * <p>Run: {@code java -cp bench/target/classes:$(cat bench/target/cp.txt) dev.funnel.bench.index.AnnBenchmark
 * [items] [queries] [secondsPerRow] [rounds] [maxDegree] [beamWidth] [withLucene]}
 */
public final class AnnBenchmark {

    static final int K = 10;

    public static void main(String[] args) throws Exception {
        int items = args.length > 0 ? Integer.parseInt(args[0]) : SimConfig.DEFAULT_ITEMS;
        int nQueries = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 3;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int maxDegree = args.length > 4 ? Integer.parseInt(args[4]) : IndexConfig.DEFAULT_GRAPH_MAX_DEGREE;
        int beamWidth = args.length > 5 ? Integer.parseInt(args[5]) : IndexConfig.DEFAULT_GRAPH_BEAM_WIDTH;
        boolean withLucene = args.length <= 6 || Boolean.parseBoolean(args[6]);
        SimConfig cfg = SimConfig.DEFAULT.withSize(items, Math.max(nQueries, 1000));
        long t0 = System.nanoTime();
        SimWorld world = SimWorld.generate(cfg);
        System.out.printf("sim world %d items x %d dims in %.1f s%n", items, cfg.dim(), (System.nanoTime() - t0) / 1e9);

        List<ItemRecord> records = new ArrayList<>(items);
        List<float[]> vectors = new ArrayList<>(items);
        for (SimItem i : world.items()) {
            records.add(new ItemRecord(i.id(), i.category(), i.author(), i.tags(), i.status(), i.createdAtMillis(), i.popularity(),
                    i.embedding(), Map.of()));
            vectors.add(i.embedding());
        }

        long heap0 = usedHeap();
        t0 = System.nanoTime();
        ItemIndex index = new ItemIndex(IndexConfig.of(cfg.dim()).withGraph(maxDegree, beamWidth), () -> cfg.nowMillis());
        index.bulkLoad(records);
        double jvectorBuild = (System.nanoTime() - t0) / 1e9;
        long heapIndex = usedHeap() - heap0;
        System.out.printf("jvector (via ItemIndex, M=%d, beam=%d) built in %.1f s (%d threads), graph %.1f MB, whole index heap ~%.1f MB%n",
                maxDegree, beamWidth, jvectorBuild, Runtime.getRuntime().availableProcessors(), index.graphBytes() / 1e6, heapIndex / 1e6);

        t0 = System.nanoTime();
        RandomAccessVectorValues.Floats lv = RandomAccessVectorValues.fromFloats(vectors, cfg.dim());
        RandomVectorScorerSupplier supplier = DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorerSupplier(
                VectorSimilarityFunction.DOT_PRODUCT, lv);
        OnHeapHnswGraph lucene = withLucene ? HnswGraphBuilder.create(supplier, maxDegree, beamWidth, 42).build(lv.size()) : null;
        double luceneBuild = (System.nanoTime() - t0) / 1e9;
        if (withLucene) {
            System.out.printf("lucene HNSW built in %.1f s (1 thread), graph %.1f MB%n", luceneBuild, lucene.ramBytesUsed() / 1e6);
        }

        // queries: real-time user embeddings as the profile store derives them
        InProcessProfileStore profiles = new InProcessProfileStore(index::embedding, ProfileConfig.DEFAULT);
        List<float[]> queries = new ArrayList<>();
        for (SimUser u : world.users()) {
            if (queries.size() == nQueries) {
                break;
            }
            profiles.put(new UserProfile(u.id(), Map.of(), Map.of(), u.recentClicks(), null, 0));
            float[] e = profiles.get(u.id()).embedding();
            if (e != null) {
                queries.add(e);
            }
        }
        float[][] q = queries.toArray(new float[0][]);

        long[] ids = new long[1000];
        float[] scores = new float[1000];
        List<Set<Long>> truth = new ArrayList<>();
        for (float[] query : q) {
            int n = index.exactNearest(query, K, Filter.NONE, ids, scores);
            Set<Long> s = new HashSet<>();
            for (int i = 0; i < n; i++) {
                s.add(ids[i]);
            }
            truth.add(s);
        }

        // Every row is timed once per round, rounds interleaved, so each row sees the same load
        // drift; the speed-up is the median over rounds of (row QPS / exact QPS in that round).
        Filter online = Filter.builder().term("status", "online").build();
        List<String> names = new ArrayList<>();
        List<String> efs = new ArrayList<>();
        List<Double> recalls = new ArrayList<>();
        List<Query> runs = new ArrayList<>();
        names.add("exact (brute force, ItemIndex.exactNearest)");
        efs.add("-");
        recalls.add(1.0);
        runs.add(i -> index.exactNearest(q[i], K, Filter.NONE, ids, scores));
        for (int ef : new int[] {40, 80, 160, 320}) {
            names.add("jvector 3.0.6 (ItemIndex.nearest)");
            efs.add(Integer.toString(ef));
            recalls.add(recall(truth, i -> toSet(ids, index.nearest(q[i], K, ef, Filter.NONE, ids, scores))));
            runs.add(i -> index.nearest(q[i], K, ef, Filter.NONE, ids, scores));
        }
        for (int nprobe : new int[] {3, 4, 5, 6, 8}) {
            names.add("IVF, " + index.partitionCount() + " lists (ItemIndex.nearestPartitioned)");
            efs.add("nprobe " + nprobe);
            recalls.add(recall(truth, i -> toSet(ids, index.nearestPartitioned(q[i], K, nprobe, Filter.NONE, ids, scores))));
            runs.add(i -> index.nearestPartitioned(q[i], K, nprobe, Filter.NONE, ids, scores));
        }
        for (int nprobe : new int[] {4, 6}) {
            names.add("IVF, filter status=online inside the scan");
            efs.add("nprobe " + nprobe);
            recalls.add(Double.NaN);
            runs.add(i -> index.nearestPartitioned(q[i], K, nprobe, online, ids, scores));
        }
        for (int ef : new int[] {80, 160}) {
            names.add("jvector, filter status=online inside the search");
            efs.add(Integer.toString(ef));
            recalls.add(Double.NaN);
            runs.add(i -> index.nearest(q[i], K, ef, online, ids, scores));
        }
        if (withLucene) {
            for (int ef : new int[] {10, 20, 40, 80, 160}) {
                names.add("lucene 9.12.3 HNSW (OnHeapHnswGraph)");
                efs.add(Integer.toString(ef));
                recalls.add(recall(truth, i -> toSet(luceneSearch(lucene, lv, q[i], ef), records)));
                runs.add(i -> luceneSearch(lucene, lv, q[i], ef).scoreDocs.length);
            }
        }
        double[][] qpsByRound = new double[runs.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int m = 0; m < runs.size(); m++) {
                qpsByRound[m][r] = qps(seconds, q.length, runs.get(m));
            }
            System.out.printf("round %d of %d done, load average %.1f%n", r + 1, rounds,
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        System.out.println();
        System.out.println("| method | ef | recall@10 | QPS per core (1 thread, per CPU second, median of rounds) | speed-up vs exact (median of per-round ratios) |");
        System.out.println("|---|---|---|---|---|");
        for (int m = 0; m < runs.size(); m++) {
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = qpsByRound[m][r] / qpsByRound[0][r];
            }
            System.out.printf("| %s | %s | %s | %.0f | %.1fx |%n", names.get(m), efs.get(m),
                    Double.isNaN(recalls.get(m)) ? "-" : String.format("%.3f", recalls.get(m)), median(qpsByRound[m]), median(ratio));
        }
        long perItemGraph = index.graphBytes() / items;
        System.out.printf("%nmemory, measured at %d items: graph %d B/item (jvector), %d B/item (lucene); vectors %d B/item%n",
                items, perItemGraph, withLucene ? lucene.ramBytesUsed() / items : 0, cfg.dim() * 4);
        System.out.printf("memory, 1M items x %d dims (extrapolated, linear): vectors %.0f MB + jvector graph %.0f MB = %.0f MB "
                        + "(lucene graph %.0f MB); whole ItemIndex heap at %d items was ~%.0f MB -> ~%.0f MB at 1M%n",
                cfg.dim(), 1e6 * cfg.dim() * 4 / 1e6, 1e6 * perItemGraph / 1e6, (1e6 * cfg.dim() * 4 + 1e6 * perItemGraph) / 1e6,
                withLucene ? 1e6 * lucene.ramBytesUsed() / items / 1e6 : 0, items, heapIndex / 1e6, heapIndex / 1e6 * 1e6 / items);
    }

    static TopDocs luceneSearch(OnHeapHnswGraph g, RandomAccessVectorValues.Floats lv, float[] query, int ef) {
        try {
            TopKnnCollector c = new TopKnnCollector(Math.max(K, ef), Integer.MAX_VALUE);
            HnswGraphSearcher.search(DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorer(VectorSimilarityFunction.DOT_PRODUCT, lv, query),
                    c, g, null);
            return c.topDocs();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Set<Long> toSet(TopDocs td, List<ItemRecord> records) {
        ScoreDoc[] sd = td.scoreDocs.clone();
        java.util.Arrays.sort(sd, (a, b) -> Float.compare(b.score, a.score));
        Set<Long> s = new HashSet<>();
        for (int i = 0; i < Math.min(K, sd.length); i++) {
            s.add(records.get(sd[i].doc).id());
        }
        return s;
    }

    static Set<Long> toSet(long[] ids, int n) {
        Set<Long> s = new HashSet<>();
        for (int i = 0; i < n; i++) {
            s.add(ids[i]);
        }
        return s;
    }

    interface Query {
        Object run(int i);
    }

    interface SetQuery {
        Set<Long> run(int i);
    }

    static double recall(List<Set<Long>> truth, SetQuery f) {
        long hits = 0;
        long total = 0;
        for (int i = 0; i < truth.size(); i++) {
            Set<Long> got = f.run(i);
            for (long id : truth.get(i)) {
                hits += got.contains(id) ? 1 : 0;
            }
            total += truth.get(i).size();
        }
        return (double) hits / total;
    }

    static volatile Object sink;

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * Single-thread queries per CPU second of this thread (QPS per core): a warm-up pass, then
     * queries until {@code seconds} of this thread's CPU time (or 10× that in wall time) are spent.
     * CPU time, not wall time, because on a shared box the thread is descheduled for most of the
     * wall clock and by varying amounts from one row to the next.
     */
    static double qps(double seconds, int n, Query f) {
        long warmEnd = THREADS.getCurrentThreadCpuTime() + (long) (seconds * 0.3e9);
        int i = 0;
        while (THREADS.getCurrentThreadCpuTime() < warmEnd) {
            sink = f.run(i++ % n);
        }
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long cpuEnd = cpu0 + (long) (seconds * 1e9);
        long wallEnd = System.nanoTime() + (long) (seconds * 10e9);
        long count = 0;
        long cpu;
        do {
            for (int j = 0; j < 8; j++) {
                sink = f.run(i++ % n);
            }
            count += 8;
            cpu = THREADS.getCurrentThreadCpuTime();
        } while (cpu < cpuEnd && System.nanoTime() < wallEnd);
        return count / ((cpu - cpu0) / 1e9);
    }

    static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private AnnBenchmark() {
    }
}
