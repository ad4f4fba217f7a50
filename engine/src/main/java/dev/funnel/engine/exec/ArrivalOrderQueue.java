package dev.funnel.engine.exec;

import java.util.Comparator;
import java.util.concurrent.PriorityBlockingQueue;

/**
 * A work queue for the pool that runs cpu-heavy nodes: tasks come out in the order their requests
 * arrived, oldest first, not in the order they were queued. With a FIFO queue every stage of a
 * request waits behind whatever was queued before it, including the first stages of requests that
 * arrived after it, so under load a request pays the queue once per heavy stage (ANN recall,
 * pre-rank, rank, rerank) and its latency grows with the number of requests in flight. Oldest first,
 * a request's later stages go ahead of newer requests' earlier ones: the requests in flight finish
 * in arrival order, and each waits only for the work of those that came before it.
 *
 * <p>A task says when its request arrived by implementing {@link Ordered} ({@link NodeCall}'s
 * tasks: the request's start on its event loop, {@link System#nanoTime()}); any other task counts as
 * the oldest. Ties in any order.
 *
 * <p>Bounded, softly: {@link #offer} refuses a task when {@code capacity} are queued, but the check
 * and the insert are two steps, so producers offering at the same moment may each add one past it
 * (at most one per event loop). Threads: any; the queue's lock is held for a heap insert or removal
 * (O(log n)), as a FIFO queue's is for an array store.
 */
public final class ArrivalOrderQueue extends PriorityBlockingQueue<Runnable> {

    private static final long serialVersionUID = 1L;

    /** A task that says when the work it belongs to arrived. */
    public interface Ordered {
        /** When the request this task serves arrived, on the {@link System#nanoTime()} scale. */
        long arrivalNanos();
    }

    private static final Comparator<Runnable> OLDEST_FIRST = Comparator.comparingLong(ArrivalOrderQueue::arrivalOf);

    private final int capacity;

    /** @param capacity how many tasks may wait (at least 1) */
    public ArrivalOrderQueue(int capacity) {
        super(Math.max(1, Math.min(capacity, 1024)), OLDEST_FIRST);
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    private static long arrivalOf(Runnable r) {
        return r instanceof Ordered o ? o.arrivalNanos() : Long.MIN_VALUE;
    }

    /** Queues the task unless {@code capacity} tasks are waiting (then false: the pool rejects it). */
    @Override
    public boolean offer(Runnable task) {
        if (size() >= capacity) {
            return false;
        }
        return super.offer(task);
    }

    @Override
    public int remainingCapacity() {
        return Math.max(0, capacity - size());
    }
}
