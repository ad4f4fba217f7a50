package dev.funnel.engine.time;

import dev.funnel.engine.spi.LoopScheduler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VirtualLoopSchedulerTest {

    @Test
    void advanceRunsDueTasksInTimeThenSubmissionOrderAtTheirDueTime() {
        VirtualLoopScheduler loop = new VirtualLoopScheduler();
        List<String> log = new ArrayList<>();
        loop.schedule(20, () -> log.add("b@" + loop.nanoTime()));
        loop.schedule(10, () -> log.add("a@" + loop.nanoTime()));
        loop.schedule(20, () -> log.add("c@" + loop.nanoTime()));
        loop.schedule(31, () -> log.add("late"));
        loop.execute(() -> log.add("now@" + loop.nanoTime()));
        assertTrue(log.isEmpty(), "nothing runs before the loop is driven");
        loop.advance(30);
        assertEquals(List.of("now@0", "a@10", "b@20", "c@20"), log);
        assertEquals(30, loop.nanoTime());
        assertEquals(1, loop.pendingTasks());
    }

    @Test
    void tasksScheduledByTasksWithinTheWindowRun() {
        VirtualLoopScheduler loop = new VirtualLoopScheduler(1_000);
        List<Long> log = new ArrayList<>();
        loop.schedule(5, () -> loop.schedule(5, () -> log.add(loop.nanoTime())));
        loop.advance(10);
        assertEquals(List.of(1_010L), log);
    }

    @Test
    void cancelledTasksDoNotRun() {
        VirtualLoopScheduler loop = new VirtualLoopScheduler();
        List<String> log = new ArrayList<>();
        LoopScheduler.Cancellable c = loop.schedule(5, () -> log.add("x"));
        c.cancel();
        c.cancel();
        assertEquals(0, loop.pendingTasks());
        loop.advanceMillis(1);
        assertTrue(log.isEmpty());
    }

    @Test
    void burnMovesTheClockWithoutRunningTasks() {
        VirtualLoopScheduler loop = new VirtualLoopScheduler();
        List<String> log = new ArrayList<>();
        loop.schedule(5, () -> log.add("x"));
        loop.burn(10);
        assertEquals(10, loop.nanoTime());
        assertTrue(log.isEmpty());
        assertEquals(1, loop.runPending());
        assertThrows(IllegalArgumentException.class, () -> loop.advance(-1));
    }

    @Test
    void nestedAdvanceIsRefused() {
        VirtualLoopScheduler loop = new VirtualLoopScheduler();
        List<Throwable> errors = new ArrayList<>();
        loop.execute(() -> {
            try {
                loop.advance(1);
            } catch (IllegalStateException e) {
                errors.add(e);
            }
        });
        loop.runPending();
        assertEquals(1, errors.size());
    }

    @Test
    void tasksFromOtherThreadsWaitForTheOwner() throws Exception {
        VirtualLoopScheduler loop = new VirtualLoopScheduler();
        assertTrue(loop.inLoop());
        List<Boolean> inLoop = new ArrayList<>();
        CountDownLatch sent = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            inLoop.add(loop.inLoop());
            loop.execute(() -> inLoop.add(loop.inLoop()));
            sent.countDown();
        });
        t.start();
        assertTrue(sent.await(5, TimeUnit.SECONDS));
        t.join();
        assertEquals(1, loop.awaitAndRun(5_000));
        assertEquals(List.of(false, true), inLoop);
        assertEquals(0, loop.awaitAndRun(1));
        assertThrows(IllegalStateException.class, () -> {
            Throwable[] err = new Throwable[1];
            Thread o = new Thread(() -> {
                try {
                    loop.runPending();
                } catch (Throwable e) {
                    err[0] = e;
                }
            });
            o.start();
            o.join();
            if (err[0] instanceof IllegalStateException) {
                throw (IllegalStateException) err[0];
            }
        });
    }

    @Test
    void stressManyThreadsExecuteAndEveryTaskRunsOnce() throws Exception {
        VirtualLoopScheduler loop = new VirtualLoopScheduler();
        int threads = 8;
        int perThread = 2_000;
        int[] counter = {0}; // only touched by tasks, on the owner thread
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                for (int k = 0; k < perThread; k++) {
                    loop.schedule(k % 3, () -> counter[0]++);
                }
            });
            ts.add(t);
            t.start();
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter[0] < threads * perThread && System.nanoTime() < until) {
            loop.advance(5);
        }
        for (Thread t : ts) {
            t.join();
        }
        loop.advance(5);
        assertEquals(threads * perThread, counter[0]);
        assertEquals(0, loop.pendingTasks());
        assertFalse(loop.toString().isEmpty());
    }
}
