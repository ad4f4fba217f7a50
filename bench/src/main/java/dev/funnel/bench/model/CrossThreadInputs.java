package dev.funnel.bench.model;

import dev.funnel.features.FeatureBatch;
import dev.funnel.model.BackendConfig;
import dev.funnel.model.InferenceBackend;
import dev.funnel.model.ModelSession;
import dev.funnel.model.backend.Backends;
import dev.funnel.model.ctr.CtrInputs;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * Bare ONNX Runtime on {@link RankBench}'s 300 rows (demo ctr model, 64×32) whose input buffers were
 * just written by the calling thread, by another thread, or read again (hot): whether inputs
 * assembled on a worker and scored on the batcher's runner pay for crossing cores. Then the same
 * call after the thread parked for 0.2, 2 and 10 ms (as the batcher's runner does between batches),
 * and after 8 MB of other memory traffic without parking.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.funnel.bench.model.CrossThreadInputs}.
 */
public final class CrossThreadInputs {

    private CrossThreadInputs() {
    }

    public static void main(String[] args) throws Exception {
        RankBench b = new RankBench();
        b.candidates = 300;
        b.hidden = "64x32";
        b.intraOpThreads = 1;
        b.runners = 1;
        b.tables = "empty";
        b.setUp();
        CtrInputs[] inputs = new CtrInputs[8];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = CtrInputs.direct(b.model().spec(), 512);
        }
        FeatureBatch fb = b.model().extractor().extract(b.user(), Map.of(), System.currentTimeMillis(), b.attributes(), b.ids(), 300);
        float[][] out = {new float[300 * 2]};
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (InferenceBackend backend = Backends.openExactly(BackendConfig.DEFAULT)) {
            ModelSession s = backend.load(b.onnx());
            for (int round = 0; round < 3; round++) {
                long same = 0;
                long cross = 0;
                long hot = 0;
                int n = 2000;
                for (int i = 0; i < n; i++) {
                    CtrInputs mine = inputs[i & 7];
                    mine.fill(fb, b.attributes(), b.model().fieldTable(), b.model().wideTable());
                    long t0 = System.nanoTime();
                    s.run(300, mine.buffers(), out);
                    same += System.nanoTime() - t0;
                    CtrInputs theirs = inputs[(i + 3) & 7];
                    other.submit(() -> theirs.fill(fb, b.attributes(), b.model().fieldTable(), b.model().wideTable())).get();
                    t0 = System.nanoTime();
                    s.run(300, theirs.buffers(), out);
                    cross += System.nanoTime() - t0;
                    t0 = System.nanoTime();
                    s.run(300, theirs.buffers(), out);
                    hot += System.nanoTime() - t0;
                }
                System.out.println(String.format(Locale.ROOT,
                        "round %d: inputs written by this thread %.1f µs, by another thread %.1f µs, read again (hot) %.1f µs",
                        round, same / 1e3 / n, cross / 1e3 / n, hot / 1e3 / n));
            }
            CtrInputs in = inputs[0];
            in.fill(fb, b.attributes(), b.model().fieldTable(), b.model().wideTable());
            byte[] traffic = new byte[8 << 20];
            for (long gapMicros : new long[] {0, 200, 2_000, 10_000}) {
                int n = gapMicros == 0 ? 3_000 : (int) Math.max(100, 300_000 / (gapMicros + 100));
                long parkedThenRun = 0;
                for (int i = 0; i < n; i++) {
                    if (gapMicros > 0) {
                        LockSupport.parkNanos(gapMicros * 1_000);
                    }
                    long t0 = System.nanoTime();
                    s.run(300, in.buffers(), out);
                    parkedThenRun += System.nanoTime() - t0;
                }
                long afterTraffic = 0;
                for (int i = 0; i < 200; i++) {
                    for (int j = 0; j < traffic.length; j += 64) {
                        traffic[j]++;
                    }
                    long t0 = System.nanoTime();
                    s.run(300, in.buffers(), out);
                    afterTraffic += System.nanoTime() - t0;
                }
                System.out.println(String.format(Locale.ROOT, "parked %5d µs before each run: %.1f µs; after 8 MB of traffic instead: %.1f µs",
                        gapMicros, parkedThenRun / 1e3 / n, afterTraffic / 1e3 / 200));
            }
        } finally {
            other.shutdown();
            b.tearDown();
        }
    }
}
