package dev.funnel.bench.index;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Process CPU time per {@code apply} of one recall operator, on {@link RecallOperatorsBench}'s state
 * (home_feed's parameters, the 100k sim catalog, 256 users in turn). Process CPU, not wall time:
 * an operator that hands work to a pool is charged for it, and other processes on the machine do
 * not move the figure, where JMH's wall-clock samples of the same calls spread by ±50% here.
 *
 * <p>Usage: {@code java -Xmx3g -cp bench/target/benchmarks.jar dev.funnel.bench.index.RecallOperatorCpu
 * [op] [rounds] [callsPerRound]} (defaults {@code recall.ann_ivf}, 5, 10240; 20,000 calls of warm-up).
 */
public final class RecallOperatorCpu {

    private RecallOperatorCpu() {
    }

    public static void main(String[] args) throws Exception {
        RecallOperatorsBench b = new RecallOperatorsBench();
        b.op = args.length > 0 ? args[0] : "recall.ann_ivf";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 10_240;
        b.setUp();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < 20_000; i++) {
            b.apply();
        }
        for (int r = 0; r < rounds; r++) {
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                b.apply();
            }
            long cpu1 = os.getProcessCpuTime();
            long t1 = System.nanoTime();
            System.out.println(String.format(Locale.ROOT, "%s round %d: CPU %.1f µs/op, wall %.1f µs/op", b.op, r,
                    (cpu1 - cpu0) / 1e3 / calls, (t1 - t0) / 1e3 / calls));
        }
        System.exit(0); // the catalog's pools are not daemon threads
    }
}
