package dev.funnel.engine.time;

import dev.funnel.engine.spi.LoopScheduler;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A real event loop on one daemon thread, over a {@link ScheduledExecutorService}: for CLI tools,
 * replays and benchmarks that run DAGs outside the server. Every method may be called from any
 * thread. {@link #close()} stops the thread.
 */
public final class SingleThreadLoopScheduler implements LoopScheduler, AutoCloseable {

    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    /** A loop on a new daemon thread with this name. */
    public SingleThreadLoopScheduler(String threadName) {
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.prestartCoreThread();
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        ScheduledFuture<?> f = executor.schedule(task, Math.max(0L, delayNanos), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Stops accepting tasks and lets queued ones finish; does not wait. */
    @Override
    public void close() {
        executor.shutdown();
    }

    @Override
    public String toString() {
        Thread t = thread;
        return "SingleThreadLoopScheduler{" + (t == null ? "?" : t.getName()) + '}';
    }
}
