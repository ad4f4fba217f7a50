package dev.funnel.engine.time;

import dev.funnel.engine.spi.LoopScheduler;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SingleThreadLoopSchedulerTest {

    @Test
    void runsTasksOnItsThreadAndCancelsTimers() throws Exception {
        try (SingleThreadLoopScheduler loop = new SingleThreadLoopScheduler("test-loop")) {
            assertFalse(loop.inLoop());
            CompletableFuture<Boolean> inLoop = new CompletableFuture<>();
            loop.execute(() -> inLoop.complete(loop.inLoop()));
            assertTrue(inLoop.get(5, TimeUnit.SECONDS));

            AtomicBoolean ran = new AtomicBoolean();
            LoopScheduler.Cancellable c = loop.schedule(TimeUnit.SECONDS.toNanos(30), () -> ran.set(true));
            c.cancel();
            CompletableFuture<Long> fired = new CompletableFuture<>();
            long t0 = loop.nanoTime();
            loop.schedule(TimeUnit.MILLISECONDS.toNanos(1), () -> fired.complete(loop.nanoTime()));
            assertTrue(fired.get(5, TimeUnit.SECONDS) - t0 >= TimeUnit.MILLISECONDS.toNanos(1));
            assertFalse(ran.get());
        }
    }
}
