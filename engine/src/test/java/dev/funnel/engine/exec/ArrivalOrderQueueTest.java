package dev.funnel.engine.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link ArrivalOrderQueue}: oldest request first whatever the queueing order, bounded, in a real pool. */
class ArrivalOrderQueueTest {

    private record Task(long arrivalNanos, List<Long> ran) implements Runnable, ArrivalOrderQueue.Ordered {
        @Override
        public void run() {
            ran.add(arrivalNanos);
        }
    }

    @Test
    void tasksComeOutOldestRequestFirstAndUnorderedTasksBeforeAll() {
        List<Long> ran = new ArrayList<>();
        ArrivalOrderQueue q = new ArrivalOrderQueue(8);
        for (long arrival : new long[] {30, -5, 20, 10}) {
            assertTrue(q.offer(new Task(arrival, ran)));
        }
        Runnable plain = () -> ran.add(Long.MIN_VALUE);
        assertTrue(q.offer(plain));
        assertSame(plain, q.poll(), "a task that does not say when its work arrived counts as the oldest");
        while (!q.isEmpty()) {
            q.poll().run();
        }
        assertEquals(List.of(-5L, 10L, 20L, 30L), ran);
    }

    @Test
    void aFullQueueRefusesATask() {
        ArrivalOrderQueue q = new ArrivalOrderQueue(2);
        List<Long> ran = new ArrayList<>();
        assertTrue(q.offer(new Task(2, ran)));
        assertEquals(1, q.remainingCapacity());
        assertTrue(q.offer(new Task(3, ran)));
        assertEquals(0, q.remainingCapacity());
        assertFalse(q.offer(new Task(1, ran)), "full: even an older request's task is refused");
        assertEquals(2, q.size());
        assertThrows(IllegalArgumentException.class, () -> new ArrivalOrderQueue(0));
    }

    @Test
    void aPoolOnTheQueueRunsWaitingTasksOldestFirstAndRejectsWhenFull() throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new ArrivalOrderQueue(3),
                new ThreadPoolExecutor.AbortPolicy());
        try {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            pool.execute(() -> { // occupies the only worker while the others queue
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            List<Long> ran = java.util.Collections.synchronizedList(new ArrayList<>());
            pool.execute(new Task(300, ran));
            pool.execute(new Task(100, ran));
            pool.execute(new Task(200, ran));
            assertThrows(RejectedExecutionException.class, () -> pool.execute(new Task(50, ran)));
            release.countDown();
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(List.of(100L, 200L, 300L), ran);
        } finally {
            pool.shutdownNow();
        }
    }
}
