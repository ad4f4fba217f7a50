package dev.funnel.server.admission;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded number of requests in flight, one instance per event loop. A request calls
 * {@link #tryAcquire} when it arrives, before any work is done for it; {@code false} means answer
 * {@code 503} with {@code Retry-After: }{@link #retryAfterSeconds()} right away. An admitted request
 * calls {@link #release} exactly once when its response is complete (or it failed, or the client
 * went away), with its latency.
 *
 * <p>Why a bound per event loop: an event loop that accepts more than it can serve does not get
 * faster, it only makes every request wait longer; a bound turns overload into fast rejections
 * and keeps the latency of admitted requests where it was. Bounding per loop needs no shared
 * counter between loops.
 *
 * <p>The limit adapts (AIMD), when {@link AdmissionConfig#adaptive()}: every
 * {@link AdmissionConfig#windowSize()} completions, if more than
 * {@link AdmissionConfig#SLOW_SHARE_TO_DECREASE} of them took longer than the target latency
 * while in-flight reached at least {@code minInFlight} (requests were queueing behind each other,
 * which is what a bound can fix; slowness at low concurrency is not), and the window before was
 * such a window too (one slow window is a tail, not overload), the limit becomes the
 * window's peak in-flight (or the limit, if lower) times {@link AdmissionConfig#DECREASE_FACTOR}
 * (not below {@code minInFlight});
 * otherwise, if the limit was reached during the window or the window was not slow, it grows by
 * one (not above {@code maxInFlight}). So the bound settles near the concurrency the loop can
 * serve within the target, without anyone tuning it per machine or per DAG.
 *
 * <p>In front of the bound, a {@link QueueDelayShedder} sheds a share of new requests while the
 * loop's queueing delay stands above its target (CoDel-style; see that class). The two answer
 * different failures: the bound caps how much one loop holds at once, the delay signal notices a
 * loop or worker pool that gets more CPU work than it finishes, which at a few requests in flight
 * the bound never sees. And, when configured, the process's {@link CpuLoadShedder} sheds a share of
 * new requests while its CPU use stands above a target: the overload where neither a queue nor the
 * in-flight count grows, every admitted request only waiting longer for a core (see that class).
 *
 * <p>Threads: {@link #tryAcquire} is meant for the owning event loop, {@link #release} may be
 * called from any thread (a response can complete on a worker); both are lock-free and never
 * allocate. In-flight never exceeds {@code maxInFlight}. A limit decrease does not evict requests
 * already admitted, so in-flight can sit above the current limit until they complete.
 */
public final class AdmissionControl {
    private final AdmissionConfig config;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Written only by the thread that closes a window; read racily on acquire (a stale read admits or sheds one request more). */
    private volatile int limit;
    private volatile boolean saturatedInWindow;
    /** Highest in-flight seen in this window; a racy max (a lost update only understates it by one). */
    private volatile int peakInWindow;
    /**
     * Whether the last closed window was slow with requests queued. Written by whichever thread closes
     * a window; two closes racing (a window that fills while the last one adapts) can only delay or
     * skip one decrease.
     */
    private volatile boolean previousWindowSlow;
    private final AtomicInteger completedInWindow = new AtomicInteger();
    private final AtomicInteger slowInWindow = new AtomicInteger();
    private final LongAdder admitted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder shedForDelay = new LongAdder();
    private final LongAdder shedForCpu = new LongAdder();
    private final QueueDelayShedder delay;
    private final CpuLoadShedder cpu;
    /** This loop's arrivals, for the process-wide CPU share. */
    private final EvenShare cpuArrivals = new EvenShare();

    /** An in-flight bound only, no delay-based shedding. */
    public AdmissionControl(AdmissionConfig config) {
        this(config, new QueueDelayShedder(QueueDelayConfig.OFF));
    }

    /**
     * @param config the in-flight bound (a hard cap, always applied)
     * @param delay  this loop's queueing-delay shedder: the requests it picks ({@link
     *               QueueDelayShedder#shedNext()}) are shed whatever the in-flight count
     */
    public AdmissionControl(AdmissionConfig config, QueueDelayShedder delay) {
        this(config, delay, CpuLoadShedder.off());
    }

    /**
     * @param config the in-flight bound (a hard cap, always applied)
     * @param delay  this loop's queueing-delay shedder: the requests it picks ({@link
     *               QueueDelayShedder#shedNext()}) are shed whatever the in-flight count
     * @param cpu    the process's CPU-load shedder, shared by every loop: this loop sheds its
     *               {@link CpuLoadShedder#shedFraction()} share of arrivals, spread evenly
     */
    public AdmissionControl(AdmissionConfig config, QueueDelayShedder delay, CpuLoadShedder cpu) {
        this.config = config;
        this.limit = config.maxInFlight();
        this.delay = delay;
        this.cpu = cpu;
    }

    /**
     * Admits a request if neither the loop's queueing-delay shedder nor the CPU-load share picks it
     * and fewer than the limit are in flight. Call on the owning event loop (the picks are
     * single-threaded).
     *
     * @return true if admitted (then {@link #release} must follow exactly once); false to shed it
     */
    public boolean tryAcquire() {
        if (delay.shedNext()) {
            shedForDelay.increment();
            rejected.increment();
            return false;
        }
        if (cpuArrivals.pick(cpu.shedFraction())) {
            shedForCpu.increment();
            rejected.increment();
            return false;
        }
        int max = limit;
        for (;;) {
            int current = inFlight.get(); // AtomicInteger reads here and below: lock-free, never block
            if (current >= max) {
                saturatedInWindow = true;
                rejected.increment();
                return false;
            }
            if (inFlight.compareAndSet(current, current + 1)) {
                if (current + 1 == max) {
                    saturatedInWindow = true;
                }
                if (current + 1 > peakInWindow) {
                    peakInWindow = current + 1;
                }
                admitted.increment();
                return true;
            }
        }
    }

    /**
     * Ends an admitted request.
     *
     * @param latencyNanos how long it took from {@link #tryAcquire} to its response
     * @throws IllegalStateException if more releases than admissions were made (a wiring bug)
     */
    public void release(long latencyNanos) {
        release(latencyNanos, false);
    }

    /**
     * Ends an admitted request.
     *
     * @param latencyNanos     how long it took from {@link #tryAcquire} to its response
     * @param waitedOnDeadline whether it waited for one of its DAG nodes to run out its deadline (a
     *                         stalled recall branch): then its latency is the DAG's deadline policy
     *                         at work, not a queue this bound can shorten, and it never counts as
     *                         slow (it still completes the window)
     * @throws IllegalStateException if more releases than admissions were made (a wiring bug)
     */
    public void release(long latencyNanos, boolean waitedOnDeadline) {
        int after = inFlight.decrementAndGet();
        if (after < 0) {
            inFlight.incrementAndGet();
            throw new IllegalStateException("admission: release without a matching tryAcquire");
        }
        if (!config.adaptive()) {
            return;
        }
        if (latencyNanos > config.targetLatencyNanos() && !waitedOnDeadline) {
            slowInWindow.incrementAndGet();
        }
        // Exactly one thread sees the count hit windowSize, and it alone closes the window.
        if (completedInWindow.incrementAndGet() == config.windowSize()) {
            int slow = slowInWindow.getAndSet(0);
            boolean saturated = saturatedInWindow;
            saturatedInWindow = false;
            int peak = peakInWindow;
            peakInWindow = inFlight.get(); // a lock-free read: never blocks
            completedInWindow.addAndGet(-config.windowSize());
            adapt(slow, saturated, peak);
        }
    }

    private void adapt(int slow, boolean saturated, int peak) {
        int current = limit;
        // Slow while fewer than minInFlight requests are in flight is not a queue this bound can
        // shorten (a stalled dependency, a starved machine): shrink only when the window held at
        // least that many at once. And shrink from the concurrency the window reached, not from the
        // limit: a limit far above the peak (128 where overload on two cores runs ~5 per loop)
        // binds nothing, and stepping it down by 20% a window would take a minute to matter.
        boolean queued = peak >= config.minInFlight();
        boolean slowWindow = queued && slow > config.windowSize() * AdmissionConfig.SLOW_SHARE_TO_DECREASE;
        // Two slow windows in a row: overload slows every window, while a slow tail that is not
        // overload (5% of requests waiting on a stalled branch, a GC cycle) tips one window of 50
        // over the share now and then, and would shed requests for nothing.
        boolean decrease = slowWindow && previousWindowSlow;
        previousWindowSlow = slowWindow;
        if (decrease) {
            limit = Math.max(config.minInFlight(), (int) (Math.min(current, peak) * AdmissionConfig.DECREASE_FACTOR));
        } else if ((saturated || !slowWindow) && current < config.maxInFlight()) {
            // A fast window grows the limit whether or not it reached it: a limit cut while the JIT
            // warmed up or during one burst would otherwise stay cut at ordinary load (nothing
            // saturates it there), until the machine's next stall of a few tens of ms sheds the
            // requests that arrive during it, at a third of capacity.
            limit = current + 1;
        }
    }

    /** The {@code Retry-After} value, in seconds, to send with a rejection. */
    public int retryAfterSeconds() {
        return config.retryAfterSeconds();
    }

    /** Requests admitted and not yet released. */
    public int inFlight() {
        return inFlight.get(); // a lock-free read: never blocks
    }

    /** The current bound on requests in flight. */
    public int limit() {
        return limit;
    }

    /** Requests admitted since start. */
    public long admittedCount() {
        return admitted.sum();
    }

    /** Requests shed since start, for any reason. */
    public long rejectedCount() {
        return rejected.sum();
    }

    /** Requests shed since start because the loop's queueing delay stood above its target. */
    public long shedForDelayCount() {
        return shedForDelay.sum();
    }

    /** Requests shed since start because the process's CPU use was above its target. */
    public long shedForCpuCount() {
        return shedForCpu.sum();
    }

    /** This loop's queueing-delay shedder. */
    public QueueDelayShedder delayShedder() {
        return delay;
    }

    public AdmissionConfig config() {
        return config;
    }

    @Override
    public String toString() {
        return "AdmissionControl{inFlight=" + inFlight.get() + ", limit=" + limit + ", admitted=" + admitted.sum()
                + ", rejected=" + rejected.sum() + ", shedForDelay=" + shedForDelay.sum() + ", shedForCpu=" + shedForCpu.sum() + ", " + config + ", "
                + delay + '}';
    }
}
