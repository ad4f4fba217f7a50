package dev.funnel.bench.model;

import dev.funnel.features.FeatureBatch;
import dev.funnel.model.InferenceBackend;
import dev.funnel.model.ModelSession;
import dev.funnel.model.BackendConfig;
import dev.funnel.model.backend.Backends;
import dev.funnel.model.ctr.CtrInputs;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Where {@code rank.onnx}'s CPU goes, stage by stage, on one thread (no batcher, no second
 * thread, no other process's cache pressure in the figure): per request of {@link RankBench}'s
 * 300 candidates, the thread CPU time of feature extraction, input assembly into direct buffers,
 * and one bare ONNX Runtime run on those buffers — for empty and learned tables.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.funnel.bench.model.RankStages [hidden]
 * [requests] [sets]} (defaults {@code 64x32}, 20000 per stage per round, three rounds; the last is
 * warm). {@code sets} above 1 rotates the requests over that many candidate sets drawn from the
 * 20,000-item catalog (with learned tables, every set's ids have rows), so the tables' slots and the
 * catalog rows a request reads are mostly cold, as in serving, where each request brings other
 * candidates; with 1 (the default, and {@link RankBench}) every request ranks the same 300 and
 * finds them in cache.
 */
public final class RankStages {

    private RankStages() {
    }

    public static void main(String[] args) throws Exception {
        String hidden = args.length > 0 ? args[0] : "64x32";
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int sets = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        if (sets < 1) {
            throw new IllegalArgumentException("sets must be >= 1, got " + sets);
        }
        for (String tables : new String[] {"empty", "learned"}) {
            RankBench b = new RankBench();
            b.candidates = 300;
            b.hidden = hidden;
            b.intraOpThreads = 1;
            b.runners = 1;
            b.tables = tables;
            b.setUp();
            try (InferenceBackend backend = Backends.openExactly(BackendConfig.DEFAULT)) {
                ModelSession bare = backend.load(b.onnx());
                stages(b, bare, hidden, tables, requests, candidateSets(b, sets, tables.equals("learned")));
                bare.close();
            } finally {
                b.tearDown();
            }
        }
    }

    /**
     * The bench's own candidates, then {@code sets - 1} more sets of as many catalog items; with
     * {@code learn}, rows in both tables for every feature id of the extra sets (the bench's own
     * have theirs already), so a learned table is probed, and found, for every set.
     */
    private static long[][] candidateSets(RankBench b, int sets, boolean learn) {
        long[][] out = new long[sets][];
        out[0] = b.ids();
        SplittableRandom rnd = new SplittableRandom(11);
        for (int k = 1; k < sets; k++) {
            out[k] = new long[b.candidates];
            for (int i = 0; i < b.candidates; i++) {
                out[k][i] = 1 + rnd.nextInt(20_000);
            }
            if (learn) {
                b.learnRowsFor(out[k], rnd);
            }
        }
        return out;
    }

    private static void stages(RankBench b, ModelSession bare, String hidden, String tables, int requests, long[][] sets)
            throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        CtrInputs in = CtrInputs.direct(b.model().spec(), 512);
        float[][] out = {new float[b.candidates * b.model().heads().size()]};
        FeatureBatch[] fbs = new FeatureBatch[sets.length];
        for (int round = 0; round < 3; round++) {
            long c0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < requests; i++) {
                int k = i % sets.length;
                fbs[k] = b.model().extractor().extract(b.user(), Map.of(), System.currentTimeMillis(), b.attributes(), sets[k],
                        b.candidates);
            }
            long c1 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < requests; i++) {
                in.fill(fbs[i % sets.length], b.attributes(), b.model().fieldTable(), b.model().wideTable());
            }
            long c2 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < requests; i++) {
                bare.run(b.candidates, in.buffers(), out);
            }
            long c3 = mx.getCurrentThreadCpuTime();
            System.out.println(String.format(Locale.ROOT,
                    "hidden %s, tables %s, %d candidate set(s), round %d: extract %.1f µs, assemble %.1f µs, bare ORT run %.1f µs"
                            + " (thread CPU per request)",
                    hidden, tables, sets.length, round, (c1 - c0) / 1e3 / requests, (c2 - c1) / 1e3 / requests,
                    (c3 - c2) / 1e3 / requests));
        }
    }
}
