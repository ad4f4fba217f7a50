package dev.funnel.server.admission;

import org.junit.jupiter.api.Test;

import dev.funnel.engine.exec.WorkerPool;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the loop and pool probes measure, and the loop probe driving a shedder on a real scheduler. */
class DelayProbesTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** A pool whose tasks run only when the test says. */
    private static final class ManualPool implements Executor {
        final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        boolean full;

        @Override
        public void execute(Runnable task) {
            if (full) {
                throw new RejectedExecutionException("queue full");
            }
            queue.add(task);
        }
    }

    @Test
    void poolProbeReportsTheOutstandingProbesAgeThenItsSojourn() {
        ManualPool pool = new ManualPool();
        PoolDelayProbe probe = new PoolDelayProbe(pool);
        long t0 = System.nanoTime();
        assertEquals(0, probe.delayNanos(t0), "nothing measured yet; a probe goes out");
        assertEquals(1, pool.queue.size());
        assertEquals(7 * MS, probe.delayNanos(t0 + 7 * MS), "still queued: its age so far");
        assertEquals(1, pool.queue.size(), "one probe at a time");
        pool.queue.poll().run();
        long sojourn = probe.lastSojournNanos();
        assertTrue(sojourn >= 0 && sojourn < TimeUnit.SECONDS.toNanos(10), "sojourn " + sojourn);
        long next = System.nanoTime();
        assertEquals(sojourn, probe.delayNanos(next), "done: its sojourn, and the next probe goes out");
        assertEquals(1, pool.queue.size());
    }

    @Test
    void aPoolThatRejectsTheProbeReadsAsOverloaded() {
        ManualPool pool = new ManualPool();
        pool.full = true;
        PoolDelayProbe probe = new PoolDelayProbe(pool);
        assertEquals(PoolDelayProbe.FULL_QUEUE_DELAY_NANOS, probe.delayNanos(System.nanoTime()));
        assertEquals(1, probe.rejectedCount());
        pool.full = false;
        probe.delayNanos(System.nanoTime());
        assertEquals(1, pool.queue.size(), "the next tick tries again");
    }

    @Test
    void aFullWorkerPoolRefusesTheProbeWithoutAnExceptionAndItReadsAsOverloaded() throws Exception {
        WorkerPool pool = new WorkerPool("probe-test-", 1, 1, WorkerPool.Order.ARRIVAL);
        CountDownLatch release = new CountDownLatch(1);
        try {
            CountDownLatch busy = new CountDownLatch(1);
            pool.execute(() -> {
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(busy.await(10, TimeUnit.SECONDS));
            pool.execute(() -> { }); // the one waiting place
            PoolDelayProbe probe = new PoolDelayProbe(pool);
            assertEquals(PoolDelayProbe.FULL_QUEUE_DELAY_NANOS, probe.delayNanos(System.nanoTime()));
            assertEquals(1, probe.rejectedCount());
            release.countDown();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pool.queued() > 0) { // the worker drains the queue: polled, not timed
                assertTrue(System.nanoTime() < until, "the pool did not drain");
                Thread.onSpinWait();
            }
            long delay = probe.delayNanos(System.nanoTime()); // room again: the next probe goes out (and may run at once)
            assertTrue(delay < PoolDelayProbe.FULL_QUEUE_DELAY_NANOS, "delay " + delay);
            assertEquals(1, probe.rejectedCount(), "accepted this time");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void loopProbeSamplesTheLoopsLatenessOrThePoolsDelayWhicheverIsLarger() {
        QueueDelayShedder shedder = new QueueDelayShedder(QueueDelayConfig.ofMillis(5, 100, 5));
        ManualPool pool = new ManualPool();
        PoolDelayProbe poolProbe = new PoolDelayProbe(pool);
        LoopDelayProbe probe = new LoopDelayProbe(shedder, poolProbe);
        long t = System.nanoTime();
        probe.previousTickEndedAt(t);
        probe.tick(t + 5 * MS + 3 * MS); // ran 3 ms late
        assertEquals(3 * MS, probe.lastLoopLagNanos());
        assertEquals(3 * MS, shedder.lastDelayNanos());
        probe.previousTickEndedAt(t + 10 * MS);
        probe.tick(t + 15 * MS); // on time, but the pool probe has waited 7 ms
        assertEquals(0, probe.lastLoopLagNanos());
        assertEquals(7 * MS, shedder.lastDelayNanos());
    }

    @Test
    void onARealLoopTimersDoNotShedAndBusyWorkDoes() throws Exception {
        ScheduledThreadPoolExecutor loop = new ScheduledThreadPoolExecutor(1);
        try {
            // A generous target: this checks the mechanism, not this machine's scheduling latency.
            QueueDelayShedder shedder = new QueueDelayShedder(QueueDelayConfig.ofMillis(20, 60, 2));
            LoopDelayProbe probe = new LoopDelayProbe(shedder, null);
            probe.start(loop);
            // Two thousand requests parked on 500 ms timers (a stalled recall branch): no CPU, no delay.
            for (int i = 0; i < 2_000; i++) {
                loop.schedule(() -> { }, 500 + i % 100, TimeUnit.MILLISECONDS);
            }
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(700);
            while (System.nanoTime() < until) {
                assertFalse(shedder.shedding(), () -> "shed with only timers pending: " + shedder);
                Thread.sleep(5);
            }
            // Now the loop gets CPU work faster than it finishes it: a standing queue of five 8 ms
            // tasks, topped up as they finish (as a saturated event loop always has the next
            // batch of reads waiting), so every tick waits ~40 ms behind it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!shedder.shedding() && System.nanoTime() < deadline) {
                if (loop.getQueue().size() < 6) {
                    loop.execute(() -> spin(8 * MS));
                } else {
                    java.util.concurrent.locks.LockSupport.parkNanos(MS);
                }
            }
            assertTrue(shedder.shedding(), () -> "a busy loop did not shed: " + shedder);
            probe.stop();
        } finally {
            loop.shutdownNow();
        }
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
