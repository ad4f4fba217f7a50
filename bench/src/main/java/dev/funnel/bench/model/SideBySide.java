package dev.funnel.bench.model;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs the model benchmarks' two variants side by side: short rounds that alternate A and B (the
 * order flipping each round), so load from other processes on a shared machine falls on both
 * alike; reports per variant the median over rounds of throughput, p50/p99 latency and process
 * CPU time per op (CPU per op does not move when other processes take the cores), and the ratios.
 * The bodies are {@link BatcherBench}'s and {@link RankBench}'s benchmark methods on their own state.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.funnel.bench.model.SideBySide [rounds] [roundMillis]
 * [a|b|all] [rankIntraOpThreads] [rankRunners] [tables] [backend] [hiddens]}: which targets to run (default all), the ONNX Runtime
 * intra-op threads of the batcher's session in (b) (default 1; bare ORT always runs one intra-op
 * thread on each of its two caller threads), and the batcher's runner threads in (b) (default 1
 * and 2, one after the other), and the state of the model's tables (default {@code empty}; or
 * {@code learned}, see {@link RankBench#tables}), and the inference backend of both targets (default {@code ort-cpu};
 * {@code ort-cuda} on a GPU machine), and the ctr model's hidden layers that (b) runs, comma-separated (default
 * {@code 64x32,256x128}: the demo's and a wider one; {@code 512x256,1024x512} shows where the model's own cost
 * outweighs the feature assembly).
 */
public final class SideBySide {

    private SideBySide() {
    }

    /** One op of a variant, on the calling worker thread {@code t}. */
    interface Op {
        Object run(int t) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        long roundMillis = args.length > 1 ? Long.parseLong(args[1]) : 2000;
        String which = args.length > 2 ? args[2] : "all";
        int rankIntraOp = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int[] rankRunners = args.length > 4 ? new int[] {Integer.parseInt(args[4])} : new int[] {1, 2};
        String tables = args.length > 5 ? args[5] : "empty";
        String backend = args.length > 6 ? args[6] : "ort-cpu";
        String[] hiddens = (args.length > 7 ? args[7] : "64x32,256x128").split(",");
        if (!which.equals("a") && !which.equals("b") && !which.equals("all")) {
            throw new IllegalArgumentException("targets must be a, b or all, got '" + which + "'");
        }
        if (!which.equals("b")) {
            for (int runners : rankRunners) {
                targetA(rounds, roundMillis, runners, backend);
            }
        }
        if (!which.equals("a")) {
            for (int runners : rankRunners) {
                targetB(rounds, roundMillis, rankIntraOp, runners, tables, hiddens, backend);
            }
        }
    }

    private static void targetA(int rounds, long roundMillis, int runners, String backend) throws Exception {

        BatcherBench bb = new BatcherBench();
        bb.rowsPerRequest = 16;
        bb.maxBatchRows = 1024;
        bb.maxQueueDelayMicros = 200;
        bb.runners = runners;
        bb.backend = backend;
        bb.setUp();
        BatcherBench.Request[] reqs = new BatcherBench.Request[64];
        for (int i = 0; i < reqs.length; i++) {
            reqs[i] = new BatcherBench.Request();
            reqs[i].setUp(bb);
        }
        compare("(a) 16 rows/request, 64 in flight, runners " + runners + ", backend " + backend, 64, rounds, roundMillis,
                "batched", t -> bb.batched(), "perRequest", t -> bb.perRequest(reqs[t]));
        bb.tearDown();
    }

    private static void targetB(int rounds, long roundMillis, int rankIntraOp, int runners, String tables, String[] hiddens,
                                String backend) throws Exception {
        for (String hidden : hiddens) {
            RankBench rb = new RankBench();
            rb.candidates = 300;
            rb.hidden = hidden;
            rb.intraOpThreads = rankIntraOp;
            rb.runners = runners;
            rb.tables = tables;
            rb.backend = backend;
            rb.setUp();
            RankBench.Request[] rr = {new RankBench.Request(), new RankBench.Request()};
            for (RankBench.Request r : rr) {
                r.setUp(rb);
            }
            compare("(b) 300 candidates/request, hidden " + hidden + ", 2 threads, rank intra-op " + rankIntraOp + ", runners " + runners + ", tables " + tables + ", backend " + backend, 2, rounds, roundMillis,
                    "rankOnnx", t -> rb.rankOnnx(rr[t]), "bareOrt", t -> rb.bareOrt(rr[t]));
            rb.tearDown();
        }
    }

    static void compare(String title, int threads, int rounds, long roundMillis, String nameA, Op a, String nameB, Op b)
            throws Exception {
        run(a, threads, 1000); // warm-up
        run(b, threads, 1000);
        List<double[]> ra = new ArrayList<>();
        List<double[]> rb = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            if (r % 2 == 0) {
                ra.add(run(a, threads, roundMillis));
                rb.add(run(b, threads, roundMillis));
            } else {
                rb.add(run(b, threads, roundMillis));
                ra.add(run(a, threads, roundMillis));
            }
        }
        double[] ma = medians(ra);
        double[] mb = medians(rb);
        System.out.println("== " + title + ", " + rounds + " alternating rounds of " + roundMillis + " ms");
        System.out.println(String.format(Locale.ROOT, "%-12s %12s %10s %10s %12s", "variant", "ops/s", "p50 µs", "p99 µs", "CPU µs/op"));
        print(nameA, ma);
        print(nameB, mb);
        System.out.println(String.format(Locale.ROOT, "ratio %s/%s: throughput %.2fx, p99 %.2fx, CPU per op %.2fx",
                nameA, nameB, ma[0] / mb[0], ma[2] / mb[2], mb[3] / ma[3]));
    }

    private static void print(String name, double[] m) {
        System.out.println(String.format(Locale.ROOT, "%-12s %12.0f %10.1f %10.1f %12.2f", name, m[0], m[1], m[2], m[3]));
    }

    /** Medians over rounds of ops/s, p50 µs, p99 µs, CPU µs per op. */
    private static double[] medians(List<double[]> rounds) {
        double[] out = new double[4];
        for (int k = 0; k < 4; k++) {
            double[] v = new double[rounds.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = rounds.get(i)[k];
            }
            Arrays.sort(v);
            out[k] = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
        return out;
    }

    /** Runs op on {@code threads} closed-loop threads for {@code millis}; returns ops/s, p50 µs, p99 µs, CPU µs/op. */
    static double[] run(Op op, int threads, long millis) throws Exception {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[][] lat = new long[threads][1 << 18];
        int[] counts = new int[threads];
        Exception[] failure = new Exception[1];
        Thread[] ts = new Thread[threads];
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long end = t0 + millis * 1_000_000;
        for (int i = 0; i < threads; i++) {
            int t = i;
            ts[i] = new Thread(() -> {
                try {
                    long now = System.nanoTime();
                    while (now < end) {
                        op.run(t);
                        long after = System.nanoTime();
                        lat[t][counts[t] & ((1 << 18) - 1)] = after - now;
                        counts[t]++;
                        now = after;
                    }
                } catch (Exception e) {
                    failure[0] = e;
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        long wall = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - cpu0;
        if (failure[0] != null) {
            throw failure[0];
        }
        long total = 0;
        int kept = 0;
        for (int i = 0; i < threads; i++) {
            total += counts[i];
            kept += Math.min(counts[i], 1 << 18);
        }
        long[] all = new long[kept];
        int o = 0;
        for (int i = 0; i < threads; i++) {
            int n = Math.min(counts[i], 1 << 18);
            System.arraycopy(lat[i], 0, all, o, n);
            o += n;
        }
        Arrays.sort(all);
        double p50 = all.length == 0 ? 0 : all[(int) (all.length * 0.50)] / 1e3;
        double p99 = all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e3;
        return new double[] {total * 1e9 / wall, p50, p99, total == 0 ? 0 : cpu / 1e3 / total};
    }
}
