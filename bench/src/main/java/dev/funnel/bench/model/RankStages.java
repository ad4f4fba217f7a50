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

/**
 * Where {@code rank.onnx}'s CPU goes, stage by stage, on one thread (no batcher, no second
 * thread, no other process's cache pressure in the figure): per request of {@link RankBench}'s
 * 300 candidates, the thread CPU time of feature extraction, input assembly into direct buffers,
 * and one bare ONNX Runtime run on those buffers — for empty and learned tables.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.funnel.bench.model.RankStages [hidden]
 * [requests]} (defaults {@code 64x32}, 20000 per stage per round, three rounds; the last is warm).
 */
public final class RankStages {

    private RankStages() {
    }

    public static void main(String[] args) throws Exception {
        String hidden = args.length > 0 ? args[0] : "64x32";
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
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
                stages(b, bare, hidden, tables, requests);
                bare.close();
            } finally {
                b.tearDown();
            }
        }
    }

    private static void stages(RankBench b, ModelSession bare, String hidden, String tables, int requests) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        CtrInputs in = CtrInputs.direct(b.model().spec(), 512);
        float[][] out = {new float[b.candidates * b.model().heads().size()]};
        FeatureBatch fb = null;
        for (int round = 0; round < 3; round++) {
            long c0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < requests; i++) {
                fb = b.model().extractor().extract(b.user(), Map.of(), System.currentTimeMillis(), b.attributes(), b.ids(),
                        b.candidates);
            }
            long c1 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < requests; i++) {
                in.fill(fb, b.attributes(), b.model().fieldTable(), b.model().wideTable());
            }
            long c2 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < requests; i++) {
                bare.run(b.candidates, in.buffers(), out);
            }
            long c3 = mx.getCurrentThreadCpuTime();
            System.out.println(String.format(Locale.ROOT,
                    "hidden %s, tables %s, round %d: extract %.1f µs, assemble %.1f µs, bare ORT run %.1f µs (thread CPU per request)",
                    hidden, tables, round, (c1 - c0) / 1e3 / requests, (c2 - c1) / 1e3 / requests, (c3 - c2) / 1e3 / requests));
        }
    }
}
