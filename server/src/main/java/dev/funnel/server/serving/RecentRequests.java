package dev.funnel.server.serving;

import dev.funnel.engine.exec.Degradation;
import dev.funnel.server.FunnelConfig;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The inputs of the last {@link #capacity()} served recommend requests, so {@code POST /admin/explain}
 * can replay one by its {@code request_id}. A fixed ring of references: many writers (every event
 * loop, {@link #record}), any number of readers (admin worker threads, {@link #find}).
 *
 * <p>Recording is non-blocking and lock-free: one {@code getAndIncrement} claims a slot and one
 * release store publishes the entry into it; no lock, no I/O, no waiting on another writer, so an
 * event loop never blocks here. The entry itself is the only allocation, a handful of references to
 * what the request already holds (its id, user, context map…): the request's own
 * {@code RequestContext} is not kept, because its attributes hold the ranker's feature batch and
 * would keep {@code capacity} of those alive. An entry is immutable (final fields), so a reader
 * sees it whole or not at all.
 *
 * <p>Which entries are "the last N" is exact when requests do not race a lookup; under concurrent
 * traffic a lookup may also find an entry just overwritten in a slot whose new entry is not yet
 * published, which is harmless (it was served too).
 */
public final class RecentRequests {

    /** Config key: how many served requests are kept for replay; 0 = none (recording off). */
    public static final String CAPACITY_KEY = "explain.recent_requests";
    /** What {@link #CAPACITY_KEY} is when not set. */
    public static final int DEFAULT_CAPACITY = 4096;
    /** The most {@link #CAPACITY_KEY} may be: an entry and the context it keeps cost memory. */
    public static final int MAX_CAPACITY = 1 << 20;

    /** A ring that keeps nothing: {@link #find} always misses. */
    public static final RecentRequests OFF = new RecentRequests(0);

    private final int capacity;
    private final AtomicReferenceArray<Served> slots; // null when off
    private final AtomicLong next = new AtomicLong(); // the index the next record takes, ever increasing

    /**
     * One served request's inputs and what served it, as recorded when it was answered.
     *
     * @param requestId      the {@code request_id} of the response
     * @param userId         the user
     * @param scene          the scene
     * @param count          items asked for
     * @param context        the client context (immutable, as the request held it)
     * @param exclude        item ids the client excluded, sorted (the request's array: do not modify)
     * @param bucket         the user's experiment bucket
     * @param timeoutMs      the client's {@code timeout_ms}, 0 when it sent none
     * @param dagVersion     the compiled DAG that served it ({@code home_feed@3f2a…})
     * @param route          the route that picked that DAG
     * @param models         model name → version that scored (the ranker's map; empty when none ranked)
     * @param degraded       nodes that timed out, failed or fell back while serving it
     * @param servedAtMillis wall-clock time the response was written, epoch milliseconds
     */
    public record Served(String requestId, String userId, String scene, int count, Map<String, Object> context,
                         long[] exclude, int bucket, int timeoutMs, String dagVersion, String route,
                         Map<String, String> models, List<Degradation> degraded, long servedAtMillis) {
    }

    /**
     * @param capacity how many entries to keep, 0..{@value #MAX_CAPACITY} (0 = keep none)
     * @throws IllegalArgumentException outside that range
     */
    public RecentRequests(int capacity) {
        if (capacity < 0 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException(CAPACITY_KEY + " must be in 0.." + MAX_CAPACITY + " (0 = off), got " + capacity);
        }
        this.capacity = capacity;
        this.slots = capacity == 0 ? null : new AtomicReferenceArray<>(capacity);
    }

    /** The ring {@code config} asks for ({@link #CAPACITY_KEY}, default {@value #DEFAULT_CAPACITY}). */
    public static RecentRequests from(FunnelConfig config) {
        int capacity = config.getInt(CAPACITY_KEY, DEFAULT_CAPACITY);
        if (capacity < 0 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("invalid config: " + CAPACITY_KEY + " must be in 0.." + MAX_CAPACITY
                    + " (0 = off), got " + capacity);
        }
        return capacity == 0 ? OFF : new RecentRequests(capacity);
    }

    /** How many entries are kept; 0 when recording is off. */
    public int capacity() {
        return capacity;
    }

    /** Whether anything is recorded: callers skip building an entry when not. */
    public boolean enabled() {
        return capacity > 0;
    }

    /**
     * Keeps {@code served}, replacing the oldest entry once full. Any thread; non-blocking (see the
     * class comment): one atomic increment and one release store.
     */
    public void record(Served served) {
        if (slots == null) {
            return;
        }
        long i = next.getAndIncrement();
        // Release: a reader that loads this reference (acquire) sees the entry's fields written.
        slots.setRelease((int) (i % capacity), served);
    }

    /**
     * The newest kept entry with this request id, or null when it is not among the last
     * {@link #capacity()} recorded (or recording is off). Any thread; reads only, scans at most
     * {@code capacity} slots (call it off the event loops).
     */
    public Served find(String requestId) {
        if (slots == null || requestId == null) {
            return null;
        }
        long end = next.get();
        for (long i = end - 1; i >= 0 && i >= end - capacity; i--) {
            Served s = slots.getAcquire((int) (i % capacity));
            if (s != null && s.requestId().equals(requestId)) {
                return s;
            }
        }
        return null;
    }

    /** How many requests were ever recorded (kept or since replaced). */
    public long recorded() {
        return next.get();
    }

    @Override
    public String toString() {
        return "RecentRequests{capacity=" + capacity + ", recorded=" + next.get() + '}';
    }
}
