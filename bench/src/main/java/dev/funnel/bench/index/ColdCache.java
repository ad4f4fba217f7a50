package dev.funnel.bench.index;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * What a serving stage costs when it starts with a cold cache: one operator of {@link OperatorCpu}'s
 * set applied on one thread, timed by that thread's CPU clock around {@code apply} only, with either
 * nothing or a fresh array of {@code kb} KB written once per cache line between two calls (what the
 * rest of a served request does to the core's caches: its allocation, the other stages, the other
 * threads). Clean and polluted rounds alternate, so the machine's drift falls on both.
 *
 * <p>Usage: {@code java -Xmx3g -cp bench/target/benchmarks.jar dev.funnel.bench.index.ColdCache [op] [kb]
 * [calls] [rounds]} (defaults {@code prerank.two_tower}, 4096, 3000, 6; 20,000 calls of warm-up).
 */
public final class ColdCache {

    private static final int LINE = 64;
    @SuppressWarnings("unused")
    private static volatile byte sink;

    private ColdCache() {
    }

    public static void main(String[] args) throws Exception {
        String op = args.length > 0 ? args[0] : "prerank.two_tower";
        int kb = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 3000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 6;
        Runnable apply = OperatorCpu.operator(op);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) {
            apply.run();
        }
        for (int r = 0; r < rounds; r++) {
            boolean polluted = r % 2 == 1;
            long cpu = 0;
            for (int i = 0; i < calls; i++) {
                if (polluted) {
                    byte[] garbage = new byte[kb * 1024];
                    for (int j = 0; j < garbage.length; j += LINE) {
                        garbage[j] = 1;
                    }
                    sink = garbage[garbage.length - 1];
                }
                long c0 = threads.getCurrentThreadCpuTime();
                apply.run();
                cpu += threads.getCurrentThreadCpuTime() - c0;
            }
            System.out.println(String.format(Locale.ROOT, "%s round %d, %s: %.1f µs CPU per apply", op, r,
                    polluted ? kb + " KB written between calls" : "nothing between calls", cpu / 1e3 / calls));
        }
        System.exit(0); // the catalog's pools are not daemon threads
    }
}
