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
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.funnel.bench.index.AnnBenchmark [items] [queries] [secondsPerRow]}
 */
public final class AnnBenchmark {

    static final int K = 10;

    public static void main(String[] args) throws Exception {
        int items = args.length > 0 ? Integer.parseInt(args[0]) : SimConfig.DEFAULT_ITEMS;
        int nQueries = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 3;
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
        ItemIndex index = new ItemIndex(IndexConfig.of(cfg.dim()), () -> cfg.nowMillis());
        index.bulkLoad(records);
        double jvectorBuild = (System.nanoTime() - t0) / 1e9;
        long heapIndex = usedHeap() - heap0;
        System.out.printf("jvector (via ItemIndex) built in %.1f s (%d threads), graph %.1f MB, whole index heap ~%.1f MB%n",
                jvectorBuild, Runtime.getRuntime().availableProcessors(), index.graphBytes() / 1e6, heapIndex / 1e6);

        t0 = System.nanoTime();
        RandomAccessVectorValues.Floats lv = RandomAccessVectorValues.fromFloats(vectors, cfg.dim());
        RandomVectorScorerSupplier supplier = DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorerSupplier(
                VectorSimilarityFunction.DOT_PRODUCT, lv);
        OnHeapHnswGraph lucene = HnswGraphBuilder.create(supplier, 16, 100, 42).build(lv.size());
        double luceneBuild = (System.nanoTime() - t0) / 1e9;
        System.out.printf("lucene HNSW built in %.1f s (1 thread), graph %.1f MB%n", luceneBuild, lucene.ramBytesUsed() / 1e6);

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

        System.out.println();
        System.out.println("| method | ef | recall@10 | QPS (1 thread) | speed-up vs exact |");
        System.out.println("|---|---|---|---|---|");
        double exactQps = qps(seconds, q.length, i -> index.exactNearest(q[i], K, Filter.NONE, ids, scores));
        row("exact (brute force)", "-", 1.0, exactQps, exactQps);
        Filter online = Filter.builder().term("status", "online").build();
        for (int ef : new int[] {10, 20, 40, 80, 160}) {
            double recall = recall(truth, i -> {
                int n = index.nearest(q[i], K, ef, Filter.NONE, ids, scores);
                return toSet(ids, n);
            });
            double r = qps(seconds, q.length, i -> index.nearest(q[i], K, ef, Filter.NONE, ids, scores));
            row("jvector 3.0.6 (ItemIndex.nearest)", Integer.toString(ef), recall, r, exactQps);
        }
        for (int ef : new int[] {40, 80}) {
            double r = qps(seconds, q.length, i -> index.nearest(q[i], K, ef, online, ids, scores));
            row("jvector, filter status=online inside the search", Integer.toString(ef), Double.NaN, r, exactQps);
        }
        for (int ef : new int[] {10, 20, 40, 80, 160}) {
            double recall = recall(truth, i -> toSet(luceneSearch(lucene, lv, q[i], ef), records));
            double r = qps(seconds, q.length, i -> luceneSearch(lucene, lv, q[i], ef).scoreDocs.length);
            row("lucene 9.12.3 HNSW (OnHeapHnswGraph)", Integer.toString(ef), recall, r, exactQps);
        }
        long perItemGraph = index.graphBytes() / items;
        System.out.printf("%nmemory, measured at %d items: graph %d B/item (jvector), %d B/item (lucene); vectors %d B/item%n",
                items, perItemGraph, lucene.ramBytesUsed() / items, cfg.dim() * 4);
        System.out.printf("memory, 1M items x %d dims (extrapolated, linear): vectors %.0f MB + jvector graph %.0f MB = %.0f MB "
                        + "(lucene graph %.0f MB); whole ItemIndex heap at %d items was ~%.0f MB -> ~%.0f MB at 1M%n",
                cfg.dim(), 1e6 * cfg.dim() * 4 / 1e6, 1e6 * perItemGraph / 1e6, (1e6 * cfg.dim() * 4 + 1e6 * perItemGraph) / 1e6,
                1e6 * lucene.ramBytesUsed() / items / 1e6, items, heapIndex / 1e6, heapIndex / 1e6 * 1e6 / items);
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

    /** Single-thread queries per second: a warm-up pass, then as many queries as fit in the time. */
    static double qps(double seconds, int n, Query f) {
        long warmEnd = System.nanoTime() + (long) (seconds * 0.3e9);
        int i = 0;
        while (System.nanoTime() < warmEnd) {
            sink = f.run(i++ % n);
        }
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long count = 0;
        while (System.nanoTime() < end) {
            for (int j = 0; j < 16; j++) {
                sink = f.run(i++ % n);
            }
            count += 16;
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    static void row(String method, String ef, double recall, double qps, double exactQps) {
        System.out.printf("| %s | %s | %s | %.0f | %.1fx |%n", method, ef, Double.isNaN(recall) ? "-" : String.format("%.3f", recall),
                qps, qps / exactQps);
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
