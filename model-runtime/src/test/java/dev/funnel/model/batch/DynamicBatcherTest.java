package dev.funnel.model.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.ctr.CtrWeights;
import dev.funnel.model.registry.ModelDefinition;
import dev.funnel.model.registry.ModelRegistry;
import dev.funnel.model.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batcher on a virtual clock: flushes by rows and by delay, drops late and cancelled rows. */
class DynamicBatcherTest {

    private static final long SECOND = 1_000_000_000L;
    private final CtrModelSpec spec = TestModels.SPEC;
    private final CtrWeights weights = CtrWeights.init(spec, 5, 0.1);
    private final AtomicLong clock = new AtomicLong(1_000);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final TestModels.GatedBackend backend = new TestModels.GatedBackend(TestModels.cpu());
    private final ModelRegistry registry = new ModelRegistry(backend, Runnable::run, meters);
    private DynamicBatcher batcher;

    DynamicBatcherTest() {
        registry.define(ModelDefinition.of("ctr", TestModels.ctrSignature(spec)));
        registry.load("ctr", "v1", CtrModel.toOnnx(weights)).join();
    }

    @AfterEach
    void close() {
        if (batcher != null) {
            batcher.close();
        }
        registry.close();
        backend.close();
    }

    /** A batcher that waits for rows or the delay (dispatch-when-idle off): the delay policy's tests. */
    private DynamicBatcher batcher(int maxRows, long maxDelayMicros, int capacity) {
        return batcher(new BatcherConfig(maxRows, maxDelayMicros, capacity).withDispatchWhenIdle(false));
    }

    private DynamicBatcher batcher(BatcherConfig config) {
        batcher = new DynamicBatcher("ctr", registry, config, clock::get, meters);
        return batcher;
    }

    @Test
    void anIdleRunnerRunsALoneTaskAtOnce() throws Exception {
        DynamicBatcher b = batcher(new BatcherConfig(1024, 1_000_000, 16)); // the default: dispatch when idle
        ScoringTask t = new ScoringTask(2, TestModels.zeroInputs(spec, 2), clock.get() + SECOND, null);
        assertTrue(b.offer(t));
        assertEquals(2, t.result().get(5, TimeUnit.SECONDS).rows()); // the virtual second of delay never passes
    }

    @Test
    void rowsArrivingDuringAnInferenceFormTheNextBatchUpToMaxRows() throws Exception {
        DynamicBatcher b = batcher(new BatcherConfig(8, 1_000_000, 16));
        ScoringTask first = holdRunner(b);
        float[][][] inputs = {random(2, 1), random(3, 2), random(4, 3)};
        ScoringTask[] queued = new ScoringTask[3];
        for (int i = 0; i < 3; i++) {
            queued[i] = new ScoringTask(i + 2, inputs[i], clock.get() + SECOND, null);
            assertTrue(b.offer(queued[i]));
        }
        backend.gate.countDown();
        for (int i = 0; i < 3; i++) {
            Scores s = queued[i].result().get(5, TimeUnit.SECONDS);
            float[][] in = inputs[i];
            float[] expected = CtrModel.forward(weights, s.rows(), in[0], in[1], in[2], in[3], in[4]);
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k], s.outputs()[0][k], 1e-5);
            }
        }
        // [1], then 2 + 3 rows together; 4 more would pass max_batch_rows 8, so they run next.
        assertEquals(3, meters.get("funnel.batcher.batch.rows").summary().count());
        assertEquals(5.0, meters.get("funnel.batcher.batch.rows").summary().max());
        assertEquals(10.0, meters.get("funnel.batcher.batch.rows").summary().totalAmount());
    }

    @Test
    void rowsThatOutliveTheirDeadlineBehindARunningInferenceAreDropped() throws Exception {
        DynamicBatcher b = batcher(new BatcherConfig(1024, 500, 16));
        ScoringTask running = holdRunner(b);
        ScoringTask late = new ScoringTask(3, TestModels.zeroInputs(spec, 3), clock.get() + 100_000, null);
        b.offer(late);
        clock.addAndGet(200_000);
        backend.gate.countDown();
        assertEquals(1, running.result().get(5, TimeUnit.SECONDS).rows());
        assertEquals(BatchException.Reason.DEADLINE, failure(late).reason());
        assertEquals(3.0, meters.get("funnel.batcher.rows.dropped").tag("reason", "deadline").counter().count());
    }

    @Test
    void tasksOnDirectBuffersScoreAloneAndMixedWithArrays() throws Exception {
        backend.gate = new CountDownLatch(1);
        backend.entered = new CountDownLatch(1);
        DynamicBatcher b = batcher(new BatcherConfig(1024, 500, 16));
        float[][] alone = random(3, 4);
        ScoringTask direct = new ScoringTask(3, direct(alone), clock.get() + SECOND, null);
        b.offer(direct); // alone in its batch: handed to the backend without a copy
        assertTrue(backend.entered.await(5, TimeUnit.SECONDS));
        float[][] arrays = random(2, 5);
        float[][] buffered = random(4, 6);
        ScoringTask a = new ScoringTask(2, arrays, clock.get() + SECOND, null);
        ScoringTask d = new ScoringTask(4, direct(buffered), clock.get() + SECOND, null);
        b.offer(a);
        b.offer(d);
        backend.gate.countDown();
        assertScores(alone, direct.result().get(5, TimeUnit.SECONDS));
        assertScores(arrays, a.result().get(5, TimeUnit.SECONDS));
        assertScores(buffered, d.result().get(5, TimeUnit.SECONDS));
        assertEquals(2, meters.get("funnel.batcher.batch.rows").summary().count());
    }

    @Test
    void writerTasksWriteTheirRowsAtTheirOffsetMixedWithArraysAndAFailingWriterFailsAlone() throws Exception {
        DynamicBatcher b = batcher(new BatcherConfig(1024, 500, 16));
        ScoringTask running = holdRunner(b);
        float[][] first = random(3, 7);
        float[][] arrays = random(2, 8);
        float[][] last = random(4, 9);
        AtomicReference<String> writerThread = new AtomicReference<>();
        ScoringTask w1 = new ScoringTask(3, widths(), writing(first, writerThread), clock.get() + SECOND, null);
        ScoringTask broken = new ScoringTask(5, widths(), (in, off) -> {
            in[0].put(off * spec.contentDim(), 1f); // a partial write the next task's rows replace
            throw new IllegalStateException("table gone");
        }, clock.get() + SECOND, null);
        ScoringTask a = new ScoringTask(2, arrays, clock.get() + SECOND, null);
        ScoringTask w2 = new ScoringTask(4, widths(), writing(last, writerThread), clock.get() + SECOND, null);
        for (ScoringTask t : new ScoringTask[] {w1, broken, a, w2}) {
            assertTrue(b.offer(t));
        }
        backend.gate.countDown();
        assertScores(first, w1.result().get(5, TimeUnit.SECONDS));
        assertScores(arrays, a.result().get(5, TimeUnit.SECONDS));
        assertScores(last, w2.result().get(5, TimeUnit.SECONDS));
        BatchException e = failure(broken);
        assertEquals(BatchException.Reason.BAD_INPUT, e.reason());
        assertTrue(e.getMessage().contains("table gone"), e.getMessage());
        assertEquals(5.0, meters.get("funnel.batcher.rows.failed").counter().count());
        assertEquals(9.0, meters.get("funnel.batcher.batch.rows").summary().max()); // 3 + 2 + 4: the broken rows left out
        assertTrue(writerThread.get().startsWith("batcher-ctr"), writerThread.get());
    }

    @Test
    void aLateWriterTaskIsNeverWrittenAndAWrongWidthFailsWithTheReason() throws Exception {
        DynamicBatcher b = batcher(new BatcherConfig(1024, 500, 16));
        ScoringTask running = holdRunner(b);
        AtomicLong writes = new AtomicLong();
        ScoringTask late = new ScoringTask(3, widths(), (in, off) -> writes.incrementAndGet(), clock.get() + 100_000, null);
        int[] wrong = widths();
        wrong[2]++;
        ScoringTask misfit = new ScoringTask(2, wrong, (in, off) -> writes.incrementAndGet(), clock.get() + SECOND, null);
        b.offer(late);
        b.offer(misfit);
        clock.addAndGet(200_000);
        backend.gate.countDown();
        assertEquals(BatchException.Reason.DEADLINE, failure(late).reason());
        BatchException e = failure(misfit);
        assertEquals(BatchException.Reason.BAD_INPUT, e.reason());
        assertTrue(e.getMessage().contains("input 2 is written " + wrong[2] + " wide"), e.getMessage());
        assertEquals(0, writes.get());
    }

    /**
     * Offers a one-row task and returns once the runner is inside its inference, held there until
     * {@code backend.gate} counts down: what is offered meanwhile forms the next batch.
     */
    private ScoringTask holdRunner(DynamicBatcher b) throws InterruptedException {
        backend.gate = new CountDownLatch(1);
        backend.entered = new CountDownLatch(1);
        ScoringTask running = new ScoringTask(1, TestModels.zeroInputs(spec, 1), clock.get() + SECOND, null);
        b.offer(running);
        assertTrue(backend.entered.await(5, TimeUnit.SECONDS), "the runner is held inside inference");
        return running;
    }

    private int[] widths() {
        return CtrModel.inputWidths(spec);
    }

    /** A writer that puts {@code rows} at the batch's offset, recording the thread it ran on. */
    private RowWriter writing(float[][] rows, AtomicReference<String> thread) {
        int[] w = widths();
        return (in, off) -> {
            thread.set(Thread.currentThread().getName());
            for (int i = 0; i < w.length; i++) {
                in[i].put(off * w[i], rows[i], 0, rows[i].length);
            }
        };
    }

    private void assertScores(float[][] in, Scores s) {
        float[] expected = CtrModel.forward(weights, s.rows(), in[0], in[1], in[2], in[3], in[4]);
        assertEquals(expected.length, s.rows() * spec.headCount());
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], s.outputs()[0][k], 1e-5);
        }
    }

    /** Direct buffers holding the arrays, with a non-zero position the batcher must ignore. */
    private static java.nio.FloatBuffer[] direct(float[][] arrays) {
        java.nio.FloatBuffer[] out = new java.nio.FloatBuffer[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = java.nio.ByteBuffer.allocateDirect(arrays[i].length * 4 + 64).order(java.nio.ByteOrder.nativeOrder())
                    .asFloatBuffer();
            out[i].put(arrays[i]).position(1);
        }
        return out;
    }

    @Test
    void runsOneBatchWhenMaxRowsAreQueuedAndSplitsResultsPerTask() throws Exception {
        DynamicBatcher b = batcher(8, 1_000_000, 16); // 1 s of virtual delay never passes: only rows flush
        float[][][] inputs = {random(3, 1), random(3, 2), random(2, 3)};
        ScoringTask[] tasks = new ScoringTask[3];
        for (int i = 0; i < 3; i++) {
            tasks[i] = new ScoringTask(inputs[i][0].length / spec.contentDim(), inputs[i], clock.get() + SECOND, null);
            assertTrue(b.offer(tasks[i]));
        }
        for (int i = 0; i < 3; i++) {
            Scores s = tasks[i].result().get(5, TimeUnit.SECONDS);
            assertEquals("v1", s.modelVersion());
            float[][] in = inputs[i];
            float[] expected = CtrModel.forward(weights, s.rows(), in[0], in[1], in[2], in[3], in[4]);
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k], s.outputs()[0][k], 1e-5);
            }
        }
        assertEquals(1, meters.get("funnel.batcher.batch.rows").summary().count());
        assertEquals(8.0, meters.get("funnel.batcher.batch.rows").summary().totalAmount());
    }

    @Test
    void runsAPartialBatchOnceTheOldestRowWaitedMaxDelay() throws Exception {
        DynamicBatcher b = batcher(1024, 500, 16);
        ScoringTask t = new ScoringTask(2, TestModels.zeroInputs(spec, 2), clock.get() + SECOND, null);
        assertTrue(b.offer(t));
        assertFalse(awaitQuietly(t, 100), "ran before the virtual delay passed");
        clock.addAndGet(500_000);
        assertEquals(2, t.result().get(5, TimeUnit.SECONDS).rows());
    }

    @Test
    void rowsPastTheirDeadlineAreDroppedBeforeInference() throws Exception {
        DynamicBatcher b = batcher(1024, 500, 16);
        ScoringTask late = new ScoringTask(3, TestModels.zeroInputs(spec, 3), clock.get() + 100_000, null);
        ScoringTask onTime = new ScoringTask(4, TestModels.zeroInputs(spec, 4), clock.get() + SECOND, null);
        b.offer(late);
        b.offer(onTime);
        clock.addAndGet(600_000); // past the delay and past the first deadline
        assertEquals(4, onTime.result().get(5, TimeUnit.SECONDS).rows());
        assertEquals(BatchException.Reason.DEADLINE, failure(late).reason());
        assertEquals(3.0, meters.get("funnel.batcher.rows.dropped").tag("reason", "deadline").counter().count());
        assertEquals(4.0, meters.get("funnel.batcher.batch.rows").summary().totalAmount());
    }

    @Test
    void cancelledTasksAreDropped() throws Exception {
        DynamicBatcher b = batcher(1024, 500, 16);
        ScoringTask t = new ScoringTask(2, TestModels.zeroInputs(spec, 2), clock.get() + SECOND, null);
        b.offer(t);
        t.cancel();
        clock.addAndGet(600_000);
        assertEquals(BatchException.Reason.CANCELLED, failure(t).reason());
    }

    @Test
    void aFullQueueRejectsAtOnce() throws Exception {
        DynamicBatcher b = batcher(1, 0, 2);
        ScoringTask running = holdRunner(b);
        assertTrue(b.offer(new ScoringTask(1, TestModels.zeroInputs(spec, 1), clock.get() + SECOND, null)));
        assertTrue(b.offer(new ScoringTask(1, TestModels.zeroInputs(spec, 1), clock.get() + SECOND, null)));
        ScoringTask rejected = new ScoringTask(5, TestModels.zeroInputs(spec, 5), clock.get() + SECOND, null);
        assertFalse(b.offer(rejected));
        assertEquals(BatchException.Reason.QUEUE_FULL, failure(rejected).reason());
        assertEquals(5.0, meters.get("funnel.batcher.rows.rejected").counter().count());
        backend.gate.countDown();
        assertEquals(1, running.result().get(5, TimeUnit.SECONDS).rows());
    }

    @Test
    void resultsCompleteOnTheSubmittersExecutor() throws Exception {
        DynamicBatcher b = batcher(1, 0, 16);
        ExecutorService loop = Executors.newSingleThreadExecutor(r -> new Thread(r, "loop-7"));
        try {
            ScoringTask t = new ScoringTask(1, TestModels.zeroInputs(spec, 1), clock.get() + SECOND, loop);
            AtomicReference<String> thread = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            t.result().whenComplete((s, e) -> {
                thread.set(Thread.currentThread().getName());
                done.countDown();
            });
            b.offer(t);
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertEquals("loop-7", thread.get());
        } finally {
            loop.shutdownNow();
        }
    }

    @Test
    void aTaskOfTheWrongShapeFailsAloneWithTheReason() throws Exception {
        DynamicBatcher b = batcher(4, 1_000_000, 16);
        ScoringTask bad = new ScoringTask(2, new float[][] {new float[1]}, clock.get() + SECOND, null);
        ScoringTask good = new ScoringTask(2, TestModels.zeroInputs(spec, 2), clock.get() + SECOND, null);
        b.offer(bad);
        b.offer(good);
        assertEquals(2, good.result().get(5, TimeUnit.SECONDS).rows());
        BatchException e = failure(bad);
        assertEquals(BatchException.Reason.BAD_INPUT, e.reason());
        assertEquals("task has 1 inputs, model takes 5", e.getMessage());
    }

    @Test
    void twoRunnersRunTwoBatchesSideBySide() throws Exception {
        backend.gate = new CountDownLatch(1);
        backend.entered = new CountDownLatch(2);
        DynamicBatcher b = batcher(new BatcherConfig(1024, 500, 16).withRunners(2));
        float[][] first = random(2, 7);
        float[][] second = random(3, 8);
        ScoringTask t1 = new ScoringTask(2, first, clock.get() + SECOND, null);
        b.offer(t1);
        assertTrue(awaitCount(backend.entered, 1)); // runner A is held inside inference with t1
        ScoringTask t2 = new ScoringTask(3, second, clock.get() + SECOND, null);
        b.offer(t2);
        assertTrue(backend.entered.await(5, TimeUnit.SECONDS), "the second runner did not start while the first was busy");
        backend.gate.countDown();
        assertScores(first, t1.result().get(5, TimeUnit.SECONDS));
        assertScores(second, t2.result().get(5, TimeUnit.SECONDS));
        assertEquals(2, meters.get("funnel.batcher.batch.rows").summary().count());
    }

    private static boolean awaitCount(CountDownLatch latch, long remaining) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (latch.getCount() > remaining) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    @Test
    void configIsValidatedWithTheBadValue() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new BatcherConfig(0, 100, 16));
        assertEquals("max_batch_rows must be >= 1, got 0", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new BatcherConfig(8, 100, 16).withRunners(0));
        assertEquals("runners must be in 1..64, got 0", e.getMessage());
    }

    private static boolean awaitQuietly(ScoringTask t, long millis) throws Exception {
        try {
            t.result().get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    private static BatchException failure(ScoringTask t) throws Exception {
        try {
            t.result().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return (BatchException) e.getCause();
        }
        throw new AssertionError("task succeeded");
    }

    private float[][] random(int rows, long seed) {
        int[] w = CtrModel.inputWidths(spec);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] in = new float[w.length][];
        for (int i = 0; i < w.length; i++) {
            in[i] = new float[rows * w[i]];
            for (int j = 0; j < in[i].length; j++) {
                in[i][j] = (float) rnd.nextDouble(-1, 1);
            }
        }
        return in;
    }
}
