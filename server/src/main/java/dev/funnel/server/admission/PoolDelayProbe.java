package dev.funnel.server.admission;

import dev.funnel.engine.exec.WorkerPool;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Measures how long a task waits in the bounded worker pool that cpu-heavy operators (ANN recall,
 * pre-rank, MMR) hand off to: one probe task at a time is submitted, and its sojourn (submit to
 * start) is the pool's current queueing delay, as a request's hand-off would see it. While a probe
 * is still waiting, its age so far is a lower bound of that delay, so a pool that has stopped
 * draining is seen without waiting for the probe to come out. In a {@link WorkerPool} in arrival order it is
 * ordered by its submission time, as a request that arrives then.
 *
 * <p>One per pool, shared by every event loop's {@link LoopDelayProbe}. Threads: {@link
 * #delayNanos} from any thread (event loops); the probe itself runs on a pool thread. Lock-free
 * (a {@link WorkerPool} takes no lock on submit; the engine's hand-offs take the same path) and
 * allocation-free.
 */
public final class PoolDelayProbe implements Runnable, WorkerPool.Ordered {
    /**
     * The delay reported when the pool rejects the probe (its queue is full): far above any sane
     * target, so that a full queue always reads as overload.
     */
    public static final long FULL_QUEUE_DELAY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Executor pool;
    /** When the outstanding probe was submitted; 0 when none is outstanding. */
    private final AtomicLong submittedAtNanos = new AtomicLong();
    private volatile long lastSojournNanos;
    private final LongAdder rejected = new LongAdder();

    public PoolDelayProbe(Executor pool) {
        this.pool = pool;
    }

    /**
     * The pool's queueing delay as of now, submitting a new probe if none is outstanding.
     *
     * @param nowNanos {@link System#nanoTime()}
     * @return the larger of the last completed probe's sojourn and the outstanding probe's age
     */
    public long delayNanos(long nowNanos) {
        long submitted = submittedAtNanos.get(); // an atomic read, never blocks: event loops call this
        if (submitted != 0) {
            return Math.max(lastSojournNanos, nowNanos - submitted);
        }
        long stamp = nowNanos == 0 ? 1 : nowNanos;
        if (submittedAtNanos.compareAndSet(0, stamp)) {
            if (WorkerPool.handOff(pool, this) != null) { // on the loop: never blocks on a WorkerPool
                // A full queue (or a pool shutting down): that is the answer, counted, not an error.
                submittedAtNanos.set(0);
                rejected.increment();
                return FULL_QUEUE_DELAY_NANOS;
            }
        }
        return lastSojournNanos;
    }

    /**
     * When the outstanding probe was submitted: in a pool that runs older requests' work first
     * ({@link WorkerPool.Order#ARRIVAL}) it waits as a request arriving now would.
     */
    @Override
    public long arrivalNanos() {
        return submittedAtNanos.get(); // an atomic read, never blocks: the pool orders by it on its workers
    }

    /** Runs on a pool thread: the probe came out of the queue. */
    @Override
    public void run() {
        long submitted = submittedAtNanos.get(); // an atomic read, on the pool thread
        lastSojournNanos = Math.max(0, System.nanoTime() - submitted);
        submittedAtNanos.set(0);
    }

    /** The last completed probe's sojourn, in nanoseconds. */
    public long lastSojournNanos() {
        return lastSojournNanos;
    }

    /** Probes the pool rejected since start. */
    public long rejectedCount() {
        return rejected.sum();
    }

    @Override
    public String toString() {
        return "PoolDelayProbe{lastSojournMicros=" + lastSojournNanos / 1000 + ", rejected=" + rejected.sum() + '}';
    }
}
