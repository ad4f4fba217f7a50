package dev.funnel.engine.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link WorkerPool}: run order (oldest request first, or FIFO), an exact bound, shutdown, and
 * submission that never takes the workers' lock; a stress test that no accepted task is lost or
 * run twice.
 */
class WorkerPoolTest {

    private record Task(long arrivalNanos, List<Long> ran) implements Runnable, WorkerPool.Ordered {
        @Override
        public void run() {
            ran.add(arrivalNanos);
        }
    }

    /** Occupies the pool's only worker until {@code release} counts down. */
    static CountDownLatch occupy(WorkerPool pool, CountDownLatch release) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        pool.execute(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(started.await(10, TimeUnit.SECONDS), "the worker took the first task");
        return started;
    }

    private static List<Long> runThreeBehindABusyWorker(WorkerPool.Order order) throws Exception {
        WorkerPool pool = new WorkerPool("test-", 1, 3, order);
        try {
            CountDownLatch release = new CountDownLatch(1);
            occupy(pool, release);
            List<Long> ran = Collections.synchronizedList(new ArrayList<>());
            pool.execute(new Task(300, ran));
            pool.execute(new Task(100, ran));
            pool.execute(new Task(200, ran));
            assertEquals(3, pool.queued());
            assertFalse(pool.offer(new Task(50, ran)), "full: even an older request's task is refused");
            assertThrows(RejectedExecutionException.class, () -> pool.execute(new Task(50, ran)));
            assertEquals(2, pool.refusedCount(), "both refusals counted");
            release.countDown();
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
            assertTrue(pool.isTerminated());
            assertEquals(0, pool.queued());
            return ran;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void arrivalOrderRunsTheOldestRequestsTaskFirstWhateverTheSubmissionOrder() throws Exception {
        assertEquals(List.of(100L, 200L, 300L), runThreeBehindABusyWorker(WorkerPool.Order.ARRIVAL));
    }

    @Test
    void fifoRunsTasksInSubmissionOrder() throws Exception {
        assertEquals(List.of(300L, 100L, 200L), runThreeBehindABusyWorker(WorkerPool.Order.FIFO));
    }

    @Test
    void tasksThatAreNotOrderedRunBeforeOrderedOnes() throws Exception {
        WorkerPool pool = new WorkerPool("test-", 1, 8, WorkerPool.Order.ARRIVAL);
        try {
            CountDownLatch release = new CountDownLatch(1);
            occupy(pool, release);
            List<Long> ran = Collections.synchronizedList(new ArrayList<>());
            pool.execute(new Task(100, ran));
            pool.execute(() -> ran.add(-1L));
            release.countDown();
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(List.of(-1L, 100L), ran);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSubmissionCompletesWhileTheWorkersLockIsHeld() throws Exception {
        WorkerPool pool = new WorkerPool("test-", 2, 16, WorkerPool.Order.ARRIVAL);
        try {
            CountDownLatch ran = new CountDownLatch(1);
            pool.workersLock().lock(); // as a worker preempted while moving tasks into the run order
            try {
                // An event loop's hand-off: it must not wait for the lock (a queue with a lock on offer would).
                CompletableFuture<Boolean> submitted = CompletableFuture.supplyAsync(() -> pool.offer(ran::countDown));
                assertTrue(submitted.get(10, TimeUnit.SECONDS), "accepted while the lock was held");
                assertEquals(1, pool.queued());
                assertEquals(1, ran.getCount(), "no worker can take it while the lock is held");
            } finally {
                pool.workersLock().unlock();
            }
            assertTrue(ran.await(10, TimeUnit.SECONDS), "a worker ran it once the lock was free");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTaskThatThrowsDoesNotStopItsWorker() throws Exception {
        WorkerPool pool = new WorkerPool("test-", 1, 8, WorkerPool.Order.FIFO);
        try {
            CountDownLatch after = new CountDownLatch(1);
            pool.execute(() -> {
                throw new IllegalStateException("a bug in one task");
            });
            pool.execute(after::countDown);
            assertTrue(after.await(10, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shutdownNowReturnsTheWaitingTasksAndRefusesNewOnes() throws Exception {
        WorkerPool pool = new WorkerPool("test-", 1, 8, WorkerPool.Order.ARRIVAL);
        CountDownLatch release = new CountDownLatch(1);
        occupy(pool, release);
        List<Long> ran = Collections.synchronizedList(new ArrayList<>());
        Task a = new Task(2, ran);
        Task b = new Task(1, ran);
        pool.execute(a);
        pool.execute(b);
        List<Runnable> left = pool.shutdownNow(); // interrupts the occupying task
        assertEquals(List.of(b, a), left, "the waiting tasks, in run order");
        assertTrue(pool.isShutdown());
        assertFalse(pool.offer(new Task(0, ran)));
        assertThrows(RejectedExecutionException.class, () -> pool.execute(new Task(0, ran)));
        assertEquals(2, pool.refusedCount(), "refused after shutdown, counted");
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(List.of(), ran, "nothing that waited ran");
        assertEquals(0, pool.queued());
    }

    @Test
    void badSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool("t-", 0, 1, WorkerPool.Order.FIFO));
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool("t-", 1, 0, WorkerPool.Order.FIFO));
    }

    /**
     * Stress: eight submitters against three workers and a small bound, tasks that take from nothing
     * to a few microseconds. Every accepted task runs exactly once, every refused one never; the
     * bound is never exceeded; nothing is left waiting.
     */
    @Test
    void stressEveryAcceptedTaskRunsExactlyOnce() throws Exception {
        for (WorkerPool.Order order : WorkerPool.Order.values()) {
            WorkerPool pool = new WorkerPool("stress-", 3, 32, order);
            int submitters = 8;
            int perSubmitter = 20_000;
            AtomicInteger[] runs = new AtomicInteger[submitters * perSubmitter];
            for (int i = 0; i < runs.length; i++) {
                runs[i] = new AtomicInteger();
            }
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger maxQueued = new AtomicInteger();
            AtomicLong spin = new AtomicLong();
            boolean[] acceptedTask = new boolean[runs.length];
            Thread[] ts = new Thread[submitters];
            for (int s = 0; s < submitters; s++) {
                int base = s * perSubmitter;
                ts[s] = new Thread(() -> {
                    for (int i = 0; i < perSubmitter; i++) {
                        int id = base + i;
                        long arrival = System.nanoTime();
                        Runnable r = new OrderedWork(arrival, () -> {
                            runs[id].incrementAndGet();
                            for (int k = 0; k < (id & 63); k++) {
                                spin.incrementAndGet();
                            }
                        });
                        boolean ok = pool.offer(r);
                        acceptedTask[id] = ok;
                        if (ok) {
                            accepted.incrementAndGet();
                        }
                        maxQueued.accumulateAndGet(pool.queued(), Math::max);
                        if ((i & 255) == 0) {
                            Thread.yield();
                        }
                    }
                });
            }
            for (Thread t : ts) {
                t.start();
            }
            for (Thread t : ts) {
                t.join();
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), order + ": the workers drained the queue and ended");
            int ranOnce = 0;
            for (int i = 0; i < runs.length; i++) {
                int n = runs[i].get();
                assertEquals(acceptedTask[i] ? 1 : 0, n, order + ": task " + i + " (accepted " + acceptedTask[i] + ") ran " + n + " times");
                ranOnce += n;
            }
            assertEquals(accepted.get(), ranOnce, order.id());
            assertEquals(runs.length - accepted.get(), pool.refusedCount(), order + ": every refusal counted");
            assertTrue(accepted.get() > 0, order.id());
            assertTrue(maxQueued.get() <= 32, order + ": queued " + maxQueued.get() + " > bound 32");
            assertEquals(0, pool.queued(), order.id());
        }
    }

    private record OrderedWork(long arrivalNanos, Runnable body) implements Runnable, WorkerPool.Ordered {
        @Override
        public void run() {
            body.run();
        }
    }
}
