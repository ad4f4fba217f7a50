package dev.funnel.server.admission;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The periodic task on one event loop that feeds its {@link QueueDelayShedder}: every
 * {@link QueueDelayConfig#probePeriodNanos()} it measures how late the loop ran it (the loop's
 * scheduling delay: time that tasks already on the loop, and requests in its sockets, waited for
 * the loop) and asks the {@link PoolDelayProbe} for the worker pool's hand-off delay, and records
 * the larger as one queueing-delay sample.
 *
 * <p>A timer that is waiting (a stalled recall branch sleeping until its deadline) is not late and
 * adds nothing; only work that wants CPU and does not get it does.
 *
 * <p>Threads: {@link #start} and {@link #stop} from any thread; the task runs on the given loop
 * only, which is what makes the shedder single-writer. Allocation-free per tick.
 */
final class LoopDelayProbe implements Runnable {
    private final QueueDelayShedder shedder;
    private final PoolDelayProbe pool;
    private final long periodNanos;
    /** When the previous tick ended; the loop's thread only. */
    private long lastTickEndNanos;
    private volatile long lastLoopLagNanos;
    private volatile ScheduledFuture<?> future;

    /**
     * @param shedder the loop's shedder, fed only by this probe
     * @param pool    the worker pool's probe, or null to watch the loop alone
     */
    LoopDelayProbe(QueueDelayShedder shedder, PoolDelayProbe pool) {
        this.shedder = shedder;
        this.pool = pool;
        this.periodNanos = shedder.config().probePeriodNanos();
    }

    /** Starts ticking on {@code loop} (with a fixed delay between ticks, so a late tick measures one wait). */
    void start(ScheduledExecutorService loop) {
        lastTickEndNanos = System.nanoTime();
        future = loop.scheduleWithFixedDelay(this, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    void stop() {
        ScheduledFuture<?> f = future;
        if (f != null) {
            f.cancel(false);
        }
    }

    @Override
    public void run() {
        tick(System.nanoTime());
        lastTickEndNanos = System.nanoTime();
    }

    /** One sample at {@code nowNanos}, the previous tick having ended at {@link #lastTickEndNanos}. */
    void tick(long nowNanos) {
        long loopLag = Math.max(0, nowNanos - lastTickEndNanos - periodNanos);
        lastLoopLagNanos = loopLag;
        long delay = pool == null ? loopLag : Math.max(loopLag, pool.delayNanos(nowNanos));
        shedder.sample(nowNanos, delay);
    }

    /** For tests: pretend the previous tick ended then. */
    void previousTickEndedAt(long nanos) {
        lastTickEndNanos = nanos;
    }

    /** The loop's scheduling delay at the last tick, in nanoseconds. */
    long lastLoopLagNanos() {
        return lastLoopLagNanos;
    }
}
