package dev.funnel.engine.explain;

import dev.funnel.engine.spi.LoopScheduler;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A {@link LoopScheduler} on one daemon thread with real time, for replays outside the server
 * (command line, tests of the explain path). The server replays on its own event loops instead.
 */
public final class SingleThreadLoop implements LoopScheduler, AutoCloseable {

    private final ScheduledExecutorService exec;
    private volatile Thread thread;

    public SingleThreadLoop(String name) {
        this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        var f = exec.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void execute(Runnable task) {
        exec.execute(task);
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    @Override
    public void close() {
        exec.shutdownNow();
    }
}
