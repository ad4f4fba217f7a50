package dev.funnel.engine.exec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded pool that runs cpu-heavy nodes, handed work by event loops without a lock: an event
 * loop never waits on a lock (DESIGN, performance model), and a {@code ThreadPoolExecutor}'s queues
 * all take one on {@code offer} — held by a worker that the scheduler may have just preempted on a
 * two-core machine, it would stall every request on that loop for the rest of the worker's time slice.
 *
 * <p>Submitting ({@link #offer}, {@link #execute}; any thread, typically an event loop) is lock-free:
 * a CAS on the count of queued tasks for the bound, a CAS to link the task into a
 * {@link ConcurrentLinkedQueue} inbox, and at most one {@link LockSupport#unpark} of an idle worker.
 * Workers move the inbox into the run order under a lock only workers take, then run the first task:
 * {@link Order#ARRIVAL} (oldest request first: with FIFO, every heavy stage of a request waits behind
 * the first stages of requests that arrived after it, so under load a request pays the queue once
 * per stage and its latency grows with the requests in flight) or {@link Order#FIFO}.
 *
 * <p>A task says when its request arrived by implementing {@link Ordered} ({@link NodeCall}'s tasks:
 * the request's start on its event loop, {@link System#nanoTime()}); any other task counts as the
 * oldest. Ties in any order. The bound is exact: at most {@code capacity} tasks wait; a task a
 * worker has taken no longer counts.
 */
public final class WorkerPool extends AbstractExecutorService {

    private static final System.Logger LOG = System.getLogger(WorkerPool.class.getName());

    /** A task that says when the work it belongs to arrived. */
    public interface Ordered {
        /** When the request this task serves arrived, on the {@link System#nanoTime()} scale. */
        long arrivalNanos();
    }

    /** The order in which waiting tasks run. */
    public enum Order {
        /** Oldest request first ({@link Ordered#arrivalNanos()}). */
        ARRIVAL,
        /** In the order they were submitted. */
        FIFO;

        /** {@code arrival} or {@code fifo} (the configuration's spelling). */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Oldest request first; tasks that are not {@link Ordered} before all others. */
    public static final Comparator<Runnable> OLDEST_FIRST = Comparator.comparingLong(WorkerPool::arrivalOf);

    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int STOP = 2;

    private final Order order;
    private final int capacity;
    /** Submitted, not yet moved to {@link #ready}: lock-free for producers. */
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    /** Tasks submitted and not yet taken by a worker (inbox and ready): the bound. */
    private final AtomicInteger queued = new AtomicInteger();
    /** Tasks refused since start (full or shut down). */
    private final LongAdder refused = new LongAdder();
    /** Taken by workers only, never by a submitter. */
    private final ReentrantLock workersLock = new ReentrantLock();
    /** Guarded by {@link #workersLock}: the waiting tasks in run order. */
    private final Queue<Runnable> ready;
    /** {@code ready.size()}, written under the lock, read by idle workers without it. */
    private volatile int readyCount;
    private volatile int state = RUNNING;
    private final Worker[] workers;
    private final CountDownLatch terminated;

    /**
     * Starts {@code threads} daemon workers named {@code namePrefix1}, {@code namePrefix2}…
     *
     * @param capacity how many tasks may wait (at least 1)
     */
    public WorkerPool(String namePrefix, int threads, int capacity, Order order) {
        if (threads < 1) {
            throw new IllegalArgumentException("worker threads must be >= 1, got " + threads);
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("worker queue capacity must be >= 1, got " + capacity);
        }
        this.order = Objects.requireNonNull(order, "order");
        this.capacity = capacity;
        this.ready = order == Order.ARRIVAL ? new PriorityQueue<>(Math.min(capacity, 1024), OLDEST_FIRST)
                : new ArrayDeque<>(Math.min(capacity, 1024));
        this.terminated = new CountDownLatch(threads);
        this.workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker();
            Thread t = new Thread(workers[i], namePrefix + (i + 1));
            t.setDaemon(true);
            workers[i].thread = t;
        }
        for (Worker w : workers) {
            w.thread.start();
        }
    }

    private static long arrivalOf(Runnable r) {
        return r instanceof Ordered o ? o.arrivalNanos() : Long.MIN_VALUE;
    }

    public Order order() {
        return order;
    }

    public int capacity() {
        return capacity;
    }

    /** Tasks waiting now (submitted, not yet taken by a worker). */
    public int queued() {
        return queued.get(); // an atomic read, never blocks: metrics scrapes and tests call this
    }

    /** Tasks refused since start: the queue was full or the pool shut down. */
    public long refusedCount() {
        return refused.sum();
    }

    /** Worker threads. */
    public int threads() {
        return workers.length;
    }

    /**
     * Queues the task unless {@code capacity} tasks are waiting or the pool is shut down. Never
     * blocks, takes no lock.
     *
     * @return false when refused (the task will not run)
     */
    public boolean offer(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (state != RUNNING) {
            refused.increment();
            return false;
        }
        int q;
        do { // bounded first: a task counts before it can be seen, so the bound is exact
            q = queued.get(); // an atomic read and a CAS, never block: event loops submit here
            if (q >= capacity) {
                refused.increment();
                return false;
            }
        } while (!queued.compareAndSet(q, q + 1));
        inbox.offer(task);
        if (state != RUNNING && inbox.remove(task)) { // raced a shutdown: its workers may be gone, take it back
            queued.decrementAndGet();
            refused.increment();
            return false;
        }
        wakeOne();
        return true;
    }

    /**
     * As {@link #offer}.
     *
     * @throws RejectedExecutionException when the queue is full or the pool shut down
     */
    @Override
    public void execute(Runnable task) {
        if (!offer(task)) {
            throw new RejectedExecutionException(refusal());
        }
    }

    /** Why a task was refused just now. */
    private String refusal() {
        return state != RUNNING ? "worker pool is shut down" : "worker pool is full (" + capacity + " nodes waiting)";
    }

    /**
     * Hands {@code task} to {@code pool}; null when it was queued, else why not. A {@link WorkerPool}
     * says "full" by a return value (at overload that is every hand-off, and an exception's stack
     * trace would cost the event loop that submits more than the task's bookkeeping); another
     * executor's refusal is caught. Never blocks on a {@link WorkerPool} ({@link #offer}); what an
     * event loop calls to submit.
     */
    public static String handOff(Executor pool, Runnable task) {
        if (pool instanceof WorkerPool wp) {
            return wp.offer(task) ? null : wp.refusal();
        }
        try {
            pool.execute(task);
            return null;
        } catch (RuntimeException e) {
            return "worker pool rejected the task: " + e;
        }
    }

    /** Unparks one idle worker, if any: each submission wakes a different one. */
    private void wakeOne() {
        for (Worker w : workers) {
            if (w.idle.get() && w.idle.compareAndSet(true, false)) {
                LockSupport.unpark(w.thread);
                return;
            }
        }
    }

    /** Worker only: the next task in run order, or null when none waits. */
    private Runnable poll() {
        workersLock.lock();
        try {
            Runnable t;
            while ((t = inbox.poll()) != null) {
                ready.add(t);
            }
            Runnable next = ready.poll();
            readyCount = ready.size();
            if (next != null) {
                queued.decrementAndGet();
            }
            return next;
        } finally {
            workersLock.unlock();
        }
    }

    /** For tests: the lock only workers take (a submitter completing while a test holds it never took it). */
    ReentrantLock workersLock() {
        return workersLock;
    }

    private final class Worker implements Runnable {
        /** Set by the worker before it parks; cleared by whoever wakes it. */
        final AtomicBoolean idle = new AtomicBoolean();
        Thread thread;

        @Override
        public void run() {
            try {
                Runnable task;
                while ((task = take()) != null) {
                    try {
                        task.run();
                    } catch (Throwable e) { // a task's own failure: logged, the worker keeps serving
                        LOG.log(System.Logger.Level.ERROR, "task " + task + " failed on " + thread.getName(), e);
                    }
                }
            } finally {
                terminated.countDown();
            }
        }

        /** The next task, waiting for one; null once the pool stops (or shuts down with nothing left). */
        private Runnable take() {
            while (true) {
                if (state == STOP) {
                    return null;
                }
                Runnable t = poll();
                if (t != null) {
                    return t;
                }
                if (state == SHUTDOWN && queued.get() == 0) {
                    return null;
                }
                idle.set(true);
                // Checked after saying so: a submitter that linked its task before this read is seen
                // here; one after it sees idle and unparks this thread (a permit if it has not parked yet).
                if (!inbox.isEmpty() || readyCount > 0 || state != RUNNING) {
                    idle.set(false);
                    continue;
                }
                LockSupport.park(this);
                idle.set(false);
                Thread.interrupted(); // shutdownNow's interrupt is seen through state; a stale one must not spin park
            }
        }
    }

    /** Runs the waiting tasks, accepts no new ones; the workers end when nothing is left. */
    @Override
    public void shutdown() {
        if (state == RUNNING) {
            state = SHUTDOWN;
        }
        wakeAll();
    }

    /** Accepts no new tasks, interrupts running ones; returns the tasks that were waiting. */
    @Override
    public List<Runnable> shutdownNow() {
        state = STOP;
        List<Runnable> left = new ArrayList<>();
        workersLock.lock();
        try {
            Runnable t;
            while ((t = inbox.poll()) != null) {
                ready.add(t);
            }
            while ((t = ready.poll()) != null) {
                left.add(t);
                queued.decrementAndGet();
            }
            readyCount = 0;
        } finally {
            workersLock.unlock();
        }
        for (Worker w : workers) {
            w.thread.interrupt();
        }
        wakeAll();
        return left;
    }

    private void wakeAll() {
        for (Worker w : workers) {
            w.idle.set(false);
            LockSupport.unpark(w.thread);
        }
    }

    @Override
    public boolean isShutdown() {
        return state != RUNNING;
    }

    @Override
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    @Override
    public String toString() {
        return "WorkerPool{threads=" + workers.length + ", capacity=" + capacity + ", order=" + order.id() + ", queued="
                + queued.get() + '}';
    }
}
