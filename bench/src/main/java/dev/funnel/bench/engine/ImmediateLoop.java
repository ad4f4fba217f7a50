package dev.funnel.bench.engine;

import dev.funnel.engine.spi.LoopScheduler;

/**
 * A loop that is always "in loop" and runs {@link #execute} tasks at once, on the caller: the
 * cheapest possible loop, so a benchmark measures the executor and not a scheduler. Timers are
 * counted and never fire (a DAG of synchronous operators must not schedule any).
 */
final class ImmediateLoop implements LoopScheduler {

    long timersScheduled;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        timersScheduled++;
        return () -> { };
    }

    @Override
    public void execute(Runnable task) {
        task.run();
    }

    @Override
    public boolean inLoop() {
        return true;
    }
}
