package dev.funnel.server.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VertxLoopSchedulerTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private VertxLoopScheduler onLoop(Context[] ctxOut) throws Exception {
        Context ctx = vertx.getOrCreateContext();
        ctxOut[0] = ctx;
        return new VertxLoopScheduler(ctx);
    }

    @Test
    void executeAndScheduleRunOnTheContextsLoopWithTheContextSet() throws Exception {
        Context[] ctx = new Context[1];
        VertxLoopScheduler s = onLoop(ctx);
        assertFalse(s.inLoop(), "the test thread is not the loop");
        CompletableFuture<Boolean> inLoop = new CompletableFuture<>();
        CompletableFuture<Context> seen = new CompletableFuture<>();
        s.execute(() -> {
            inLoop.complete(s.inLoop());
            s.schedule(TimeUnit.MICROSECONDS.toNanos(300), () -> seen.complete(Vertx.currentContext()));
        });
        assertTrue(inLoop.get(5, TimeUnit.SECONDS));
        assertSame(((io.vertx.core.internal.ContextInternal) ctx[0]).unwrap(),
                ((io.vertx.core.internal.ContextInternal) seen.get(5, TimeUnit.SECONDS)).unwrap());
    }

    @Test
    void timersFireInDeadlineOrderNotBefore() throws Exception {
        VertxLoopScheduler s = onLoop(new Context[1]);
        List<Integer> order = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(3);
        long[] t0 = new long[1];
        long[] firedAt = new long[3];
        // 10 ms apart: the three schedule() calls are made one after another, and on a busy 2-core CI
        // machine the loop thread was once preempted for over 1 ms between two of them, which with
        // delays 1 ms apart made the later-scheduled 2 ms timer's deadline fall after the 3 ms one's.
        int[] delaysMicros = {30_000, 10_000, 20_000};
        // Scheduled from one loop task, so all three delays count from (almost) the same instant.
        s.execute(() -> {
            t0[0] = s.nanoTime();
            for (int i = 0; i < 3; i++) {
                int k = i;
                s.schedule(TimeUnit.MICROSECONDS.toNanos(delaysMicros[i]), () -> {
                    firedAt[k] = s.nanoTime() - t0[0];
                    order.add(k);
                    done.countDown();
                });
            }
        });
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(List.of(1, 2, 0), order);
        for (int i = 0; i < 3; i++) {
            assertTrue(firedAt[i] >= TimeUnit.MICROSECONDS.toNanos(delaysMicros[i]), "fired early: " + firedAt[i]);
        }
    }

    @Test
    void cancelledTimerNeverRuns() throws Exception {
        VertxLoopScheduler s = onLoop(new Context[1]);
        AtomicBoolean ran = new AtomicBoolean();
        var handle = s.schedule(TimeUnit.MILLISECONDS.toNanos(20), () -> ran.set(true));
        handle.cancel();
        handle.cancel();
        CountDownLatch later = new CountDownLatch(1);
        s.schedule(TimeUnit.MILLISECONDS.toNanos(60), later::countDown);
        assertTrue(later.await(5, TimeUnit.SECONDS));
        assertFalse(ran.get());
    }

    @Test
    void manyThreadsSchedulingConcurrentlyAllRunOnTheLoopExactlyOnce() throws Exception {
        VertxLoopScheduler s = onLoop(new Context[1]);
        int threads = 8;
        int perThread = 2_000;
        CountDownLatch done = new CountDownLatch(threads * perThread);
        AtomicBoolean offLoop = new AtomicBoolean();
        int[] counter = new int[1]; // loop-confined: no synchronization needed if all runs are on the loop
        List<Thread> ts = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    Runnable r = () -> {
                        if (!s.inLoop()) {
                            offLoop.set(true);
                        }
                        counter[0]++;
                        done.countDown();
                    };
                    if ((i & 1) == 0) {
                        s.execute(r);
                    } else {
                        s.schedule(i % 7 * 1000L, r);
                    }
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertFalse(offLoop.get());
        CompletableFuture<Integer> count = new CompletableFuture<>();
        s.execute(() -> count.complete(counter[0]));
        assertEquals(threads * perThread, count.get(5, TimeUnit.SECONDS));
    }
}
