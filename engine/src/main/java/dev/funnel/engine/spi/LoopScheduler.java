package dev.funnel.engine.spi;

/**
 * The event loop a request runs on: its clock, its timers and a way back onto it. The server
 * implements it over a Vert.x context; tests use a virtual-time implementation. All DAG
 * bookkeeping for a request happens on its loop, so it needs no locks.
 */
public interface LoopScheduler {

    /** Monotonic time in nanoseconds (virtual in tests). Any thread. */
    long nanoTime();

    /**
     * Runs {@code task} on this loop after {@code delayNanos}. Any thread.
     *
     * @return a handle whose {@link Cancellable#cancel()} prevents the task if it has not run yet
     */
    Cancellable schedule(long delayNanos, Runnable task);

    /** Runs {@code task} on this loop soon (at once, in order, if already on it is NOT implied). Any thread. */
    void execute(Runnable task);

    /** Whether the calling thread is this loop's thread. */
    boolean inLoop();

    /** A pending timer. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not run; idempotent. */
        void cancel();
    }
}
