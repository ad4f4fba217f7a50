package dev.funnel.bench.index;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Process CPU time per {@code apply} of one operator, on {@link RecallOperatorsBench}'s state (a
 * recall operator, home_feed's parameters, the 100k sim catalog, 256 users in turn) or
 * {@link StagesBench}'s (pre-rank, rank, rerank on 256 random candidate lists). Process CPU, not wall time:
 * an operator that hands work to a pool is charged for it, and other processes on the machine do
 * not move the figure, where JMH's wall-clock samples of the same calls spread by ±50% here.
 *
 * <p>Usage: {@code java -Xmx3g -cp bench/target/benchmarks.jar dev.funnel.bench.index.OperatorCpu
 * [op] [rounds] [callsPerRound]} (defaults {@code recall.ann_ivf}, 5, 10240; 20,000 calls of warm-up);
 * {@code op} is one of {@link RecallOperatorsBench#op}'s or {@link StagesBench#op}'s values.
 */
public final class OperatorCpu {

    private OperatorCpu() {
    }

    public static void main(String[] args) throws Exception {
        String op = args.length > 0 ? args[0] : "recall.ann_ivf";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 10_240;
        Runnable apply = operator(op);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < 20_000; i++) {
            apply.run();
        }
        for (int r = 0; r < rounds; r++) {
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                apply.run();
            }
            long cpu1 = os.getProcessCpuTime();
            long t1 = System.nanoTime();
            System.out.println(String.format(Locale.ROOT, "%s round %d: CPU %.1f µs/op, wall %.1f µs/op", op, r,
                    (cpu1 - cpu0) / 1e3 / calls, (t1 - t0) / 1e3 / calls));
        }
        System.exit(0); // the catalog's pools are not daemon threads
    }

    /** One apply of {@code op} ({@link RecallOperatorsBench#op}'s or {@link StagesBench#op}'s values), set up. */
    static Runnable operator(String op) throws Exception {
        if (op.startsWith("recall.")) {
            RecallOperatorsBench b = new RecallOperatorsBench();
            b.op = op;
            b.setUp();
            return b::apply;
        }
        StagesBench b = new StagesBench();
        b.op = op;
        b.setUp();
        return b::apply;
    }
}
