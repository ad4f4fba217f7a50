package dev.funnel.model.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.features.FeatureSchema;
import dev.funnel.model.InferenceBackend;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.registry.ModelDefinition;
import dev.funnel.model.registry.ModelRegistry;
import dev.funnel.model.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Many threads score through the batcher while another swaps (and rolls back) the model again and
 * again. Version k outputs the constant p(k) for every row, so a task's outputs show which
 * versions computed them: every task must see exactly one version (the one its result names),
 * every task must complete, and the open-session count and the process's resident memory must
 * not grow with the number of swaps.
 */
class BatcherSwapStressTest {

    private static final int PRODUCERS = 6;
    private static final int SWAPS = 300;
    private final CtrModelSpec spec = CtrModelSpec.forSchema(FeatureSchema.defaultSchema(16), 4, new int[] {512, 256},
            java.util.List.of("click", "like"));

    static double p(int version) {
        return 0.01 + 0.98 * (version % 97) / 97.0;
    }

    @Test
    void everyResultComesFromExactlyOneVersionAndNothingLeaks() throws Exception {
        stress(new BatcherConfig(256, 200, 4096));
    }

    @Test
    void twoRunnersKeepEveryInvariant() throws Exception {
        stress(new BatcherConfig(256, 200, 4096).withRunners(2));
    }

    private void stress(BatcherConfig config) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        InferenceBackend cpu = TestModels.backend(); // ort-cpu unless -Dfunnel.test.backend says otherwise
        ExecutorService loader = Executors.newSingleThreadExecutor();
        ModelRegistry registry = new ModelRegistry(cpu, loader, meters);
        registry.define(ModelDefinition.of("ctr", TestModels.ctrSignature(spec)));
        byte[][] models = new byte[97][];
        for (int k = 0; k < models.length; k++) {
            models[k] = TestModels.constantCtr(spec, p(k));
        }
        registry.load("ctr", "0", models[0]).join();
        DynamicBatcher batcher = new DynamicBatcher("ctr", registry, config, System::nanoTime, meters);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicInteger submitted = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        ConcurrentHashMap<String, Boolean> versionsSeen = new ConcurrentHashMap<>();
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            int seed = p;
            producers.add(new Thread(() -> {
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
                while (!stop.get()) {
                    int rows = 1 + rnd.nextInt(32);
                    ScoringTask t = new ScoringTask(rows, TestModels.zeroInputs(spec, rows), System.nanoTime() + 60_000_000_000L, null);
                    if (!batcher.offer(t)) {
                        rejected.incrementAndGet();
                        Thread.onSpinWait();
                        continue;
                    }
                    submitted.incrementAndGet();
                    t.result().whenComplete((s, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, "task failed: " + e);
                            return;
                        }
                        int v = Integer.parseInt(s.modelVersion());
                        float want = (float) p(v % 97);
                        for (float x : s.outputs()[0]) {
                            if (Math.abs(x - want) > 1e-5) {
                                failure.compareAndSet(null, "task labelled version " + v + " has output " + x + " != " + want);
                            }
                        }
                        versionsSeen.put(s.modelVersion(), true);
                        completed.incrementAndGet();
                    });
                    while (submitted.get() - completed.get() > 2_000 && failure.get() == null) {
                        Thread.yield(); // bound what is in flight
                    }
                }
            }, "producer-" + p));
        }
        producers.forEach(Thread::start);

        for (int v = 1; v <= SWAPS; v++) {
            if (v % 25 == 0) {
                registry.rollback("ctr").join(); // pins: the next loads are checked and kept, not live
            } else {
                registry.load("ctr", Integer.toString(v), models[v % 97]).join();
                if (v % 25 == 5 && v > 25) {
                    registry.unpin("ctr").join(); // the newest kept version goes live: one more swap
                }
            }
        }
        stop.set(true);
        for (Thread t : producers) {
            t.join();
        }
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (completed.get() + (failure.get() == null ? 0 : 1) < submitted.get() && System.nanoTime() < waitUntil) {
            Thread.sleep(10); // waiting for real work to finish, not for time to pass
        }
        batcher.close();

        assertEquals(null, failure.get());
        assertEquals(submitted.get(), completed.get(), "every submitted task completed");
        assertTrue(versionsSeen.size() > 20, "swaps interleaved with scoring: saw " + versionsSeen.size() + " versions");
        assertEquals(1, registry.openSessions(), "only the live session is open");
        System.out.printf("stress: %d tasks, %d versions seen, %d rejected offers%n", completed.get(), versionsSeen.size(),
                rejected.get());
        registry.close();
        loader.shutdown();
        cpu.close();
    }

    /**
     * Native memory stays flat across swaps. Runs in a child JVM with a small, pre-touched heap so
     * resident memory moves only with native allocations: 100 swaps of a model whose session holds
     * megabytes (each swap with a batch in flight on the old version) must grow resident memory by
     * far less than leaking the replaced sessions would.
     */
    @Test
    void swapsDoNotLeakNativeMemory() throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch",
                "-cp", System.getProperty("java.class.path"), SwapLeakProbe.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe did not finish");
        assertEquals(0, p.exitValue(), out);
        String last = out.lines().filter(l -> l.startsWith("result ")).findFirst().orElseThrow(() -> new AssertionError(out));
        String[] f = last.split(" ");
        long growthKb = Long.parseLong(f[1]);
        long perSessionKb = Long.parseLong(f[2]);
        int openSessions = Integer.parseInt(f[3]);
        long leakKb = SwapLeakProbe.SWAPS * perSessionKb;
        System.out.printf("memory: RSS grew %d kB over %d swaps; one session holds %d kB, leaking them would add %d kB%n",
                growthKb, SwapLeakProbe.SWAPS, perSessionKb, leakKb);
        assertEquals(1, openSessions);
        assertTrue(perSessionKb > 2_000, "the model must be big enough to show a leak: " + perSessionKb + " kB per session");
        assertTrue(growthKb < leakKb / 5, "resident memory grew by " + growthKb + " kB; leaking would be " + leakKb + " kB");
    }

    /** What one open session of this model adds to resident memory, measured over 10 sessions. */
    static long sessionKbOf(InferenceBackend cpu, byte[] model) throws Exception {
        System.gc();
        long before = rssKb();
        List<dev.funnel.model.ModelSession> open = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            open.add(cpu.load(model));
        }
        long per = (rssKb() - before) / 10;
        open.forEach(dev.funnel.model.ModelSession::close);
        return per;
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
