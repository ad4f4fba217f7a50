package dev.funnel.model.batch;

import dev.funnel.features.FeatureSchema;
import dev.funnel.model.InferenceBackend;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.registry.ModelDefinition;
import dev.funnel.model.registry.ModelRegistry;
import dev.funnel.model.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM body of {@link BatcherSwapStressTest#swapsDoNotLeakNativeMemory}: swaps a large model
 * with a batch in flight each time and prints {@code result <growthKb> <perSessionKb> <openSessions>}.
 */
public final class SwapLeakProbe {

    static final int WARM_UP = 20;
    static final int SWAPS = 100;

    private SwapLeakProbe() {
    }

    public static void main(String[] args) throws Exception {
        CtrModelSpec big = CtrModelSpec.forSchema(FeatureSchema.defaultSchema(16), 4, new int[] {1024, 1024},
                List.of("click", "like"));
        byte[][] models = {TestModels.constantCtr(big, 0.2), TestModels.constantCtr(big, 0.8)};
        InferenceBackend cpu = TestModels.cpu();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ModelRegistry registry = new ModelRegistry(cpu, Runnable::run, meters);
        registry.define(new ModelDefinition("big", TestModels.ctrSignature(big), java.util.Map.of(), java.util.Map.of(), 1));
        registry.load("big", "0", models[0]).join();
        DynamicBatcher batcher = new DynamicBatcher("big", registry, new BatcherConfig(64, 0, 64), System::nanoTime, meters);
        long warm = 0;
        for (int v = 1; v <= WARM_UP + SWAPS; v++) {
            ScoringTask t = new ScoringTask(8, TestModels.zeroInputs(big, 8), System.nanoTime() + 60_000_000_000L, null);
            batcher.offer(t);
            registry.load("big", Integer.toString(v), models[v % 2]).join();
            t.result().get(30, TimeUnit.SECONDS);
            if (v == WARM_UP) {
                System.gc();
                warm = BatcherSwapStressTest.rssKb();
            }
        }
        System.gc();
        long growth = BatcherSwapStressTest.rssKb() - warm;
        batcher.close();
        int open = registry.openSessions();
        long perSession = BatcherSwapStressTest.sessionKbOf(cpu, models[0]);
        System.out.println("result " + growth + " " + perSession + " " + open);
        registry.close();
        cpu.close();
    }
}
