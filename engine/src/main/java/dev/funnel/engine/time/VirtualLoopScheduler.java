package dev.funnel.engine.time;

import dev.funnel.engine.spi.LoopScheduler;

import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A loop with manual virtual time, for tests. Time stands still until the test calls
 * {@link #advance(long)}, which runs every task that falls due, in (due time, submission) order,
 * moving the clock to each task's due time before running it.
 *
 * <p>Threading: the loop "thread" is the thread that created the scheduler ({@link #inLoop()} is
 * true there); run tasks only from it. {@link #schedule} and {@link #execute} may be called from any
 * thread (a worker pool handing results back): such tasks wait in the queue until the owner runs
 * {@link #runPending()}, {@link #advance} or {@link #awaitAndRun(long)}.
 *
 * <p>{@link #execute} does not run the task at once, even on the loop: it queues it at the current
 * time, as a real event loop would.
 */
public final class VirtualLoopScheduler implements LoopScheduler {

    private final Thread owner;
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long nowNanos;
    private long seq;
    private boolean running;

    /** A loop whose clock starts at 0, owned by the calling thread. */
    public VirtualLoopScheduler() {
        this(0L);
    }

    /** A loop whose clock starts at {@code startNanos}, owned by the calling thread. */
    public VirtualLoopScheduler(long startNanos) {
        this.owner = Thread.currentThread();
        this.nowNanos = startNanos;
    }

    @Override
    public synchronized long nanoTime() {
        return nowNanos;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        synchronized (this) {
            Task t = new Task(nowNanos + Math.max(0L, delayNanos), seq++, task);
            queue.add(t);
            notifyAll();
            return t;
        }
    }

    @Override
    public void execute(Runnable task) {
        schedule(0L, task);
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == owner;
    }

    /**
     * Moves the clock forward by {@code nanos}, running every task due up to then (including tasks
     * those tasks schedule within the window). Owner thread only; not from inside a task.
     */
    public void advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("cannot go back in time: " + nanos + " ns");
        }
        long target;
        synchronized (this) {
            target = nowNanos + nanos;
        }
        runUntil(target);
    }

    /** {@link #advance(long)} in milliseconds. */
    public void advanceMillis(long millis) {
        advance(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    /** Moves the clock to the absolute time {@code timeNanos} (not backwards), running due tasks. */
    public void advanceTo(long timeNanos) {
        advance(Math.max(0L, timeNanos - nanoTime()));
    }

    /** Runs the tasks due now (those {@link #execute}d included) without moving the clock; returns how many ran. */
    public int runPending() {
        return runUntil(nanoTime());
    }

    /**
     * Moves the clock forward without running anything, as if the task now running had spent that
     * much CPU. For simulating slow synchronous operators; may be called from inside a task.
     */
    public synchronized void burn(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("cannot go back in time: " + nanos + " ns");
        }
        nowNanos += nanos;
    }

    /**
     * Waits (in real time, up to {@code realTimeoutMillis}) until some task is due now — typically
     * one {@link #execute}d from another thread — then runs the due tasks. Returns how many ran.
     */
    public int awaitAndRun(long realTimeoutMillis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(realTimeoutMillis);
        synchronized (this) {
            while (!hasDueTask()) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return 0;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        return runPending();
    }

    /** Tasks waiting (due or not), cancelled ones excluded. */
    public synchronized int pendingTasks() {
        int n = 0;
        for (Task t : queue) {
            if (!t.cancelled) {
                n++;
            }
        }
        return n;
    }

    private boolean hasDueTask() {
        Task t = queue.peek();
        return t != null && t.dueNanos <= nowNanos;
    }

    private int runUntil(long targetNanos) {
        if (!inLoop()) {
            throw new IllegalStateException("only the owner thread " + owner.getName() + " runs the loop");
        }
        if (running) {
            throw new IllegalStateException("advance/runPending called from inside a task; use burn() there");
        }
        running = true;
        int ran = 0;
        try {
            while (true) {
                Task t;
                synchronized (this) {
                    t = queue.peek();
                    if (t == null || t.dueNanos > targetNanos) {
                        nowNanos = Math.max(nowNanos, targetNanos);
                        return ran;
                    }
                    queue.poll();
                    nowNanos = Math.max(nowNanos, t.dueNanos);
                }
                if (!t.cancelled) {
                    ran++;
                    t.task.run();
                }
            }
        } finally {
            running = false;
        }
    }

    @Override
    public synchronized String toString() {
        return "VirtualLoopScheduler{now=" + nowNanos + "ns, pending=" + queue.size() + '}';
    }

    private static final class Task implements Comparable<Task>, Cancellable {
        final long dueNanos;
        final long seq;
        final Runnable task;
        volatile boolean cancelled;

        Task(long dueNanos, long seq, Runnable task) {
            this.dueNanos = dueNanos;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(dueNanos, o.dueNanos);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
