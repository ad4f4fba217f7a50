package dev.funnel.engine.spi;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One recommendation request as the DAG sees it. Immutable but for {@link #attributes()}, a scratch
 * map operators use to leave things for later stages and side effects (the features the ranker
 * used, for the impression log; the model versions used, for the response).
 *
 * <p>Time is nanoseconds of {@link LoopScheduler#nanoTime()}; the deadline is fixed at arrival.
 */
public final class RequestContext {

    private final String requestId;
    private final String userId;
    private final String scene;
    private final int count;
    private final Map<String, Object> context;
    private final long[] exclude;
    private final boolean debug;
    private final long arrivalNanos;
    private final long deadlineNanos;
    private final int bucket;
    private final LoopScheduler loop;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();

    private RequestContext(Builder b) {
        this.requestId = Objects.requireNonNull(b.requestId, "requestId");
        this.userId = Objects.requireNonNull(b.userId, "userId");
        this.scene = Objects.requireNonNull(b.scene, "scene");
        this.count = b.count;
        this.context = b.context == null ? Map.of() : withoutNulls(b.context);
        this.exclude = b.exclude == null ? new long[0] : b.exclude.clone();
        java.util.Arrays.sort(this.exclude);
        this.debug = b.debug;
        this.loop = Objects.requireNonNull(b.loop, "loop");
        this.arrivalNanos = b.arrivalNanos;
        this.deadlineNanos = b.deadlineNanos;
        this.bucket = b.bucket;
    }

    /**
     * An immutable copy without the entries whose key or value is null: JSON's {@code "z": null}
     * says the client has no value for {@code z}, the same as leaving it out ({@link Map#copyOf}
     * would throw on it).
     */
    private static Map<String, Object> withoutNulls(Map<String, Object> context) {
        Map<String, Object> kept = null;
        for (Map.Entry<String, Object> e : context.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                if (kept == null) {
                    kept = new java.util.HashMap<>(context);
                }
                kept.remove(e.getKey());
            }
        }
        return Map.copyOf(kept == null ? context : kept);
    }

    public static Builder builder() {
        return new Builder();
    }

    public String requestId() { return requestId; }
    public String userId() { return userId; }
    public String scene() { return scene; }
    /** How many items the client asked for. */
    public int count() { return count; }
    /** Client context (device, locale, page…), values as parsed from JSON; no key maps to null. */
    public Map<String, Object> context() { return context; }
    /** Whether the client asked for the per-node trace. */
    public boolean debug() { return debug; }
    /** Experiment bucket of the user, 0..9999 (a stable hash). */
    public int bucket() { return bucket; }
    /** The loop this request runs on. */
    public LoopScheduler loop() { return loop; }
    public long arrivalNanos() { return arrivalNanos; }
    /** Absolute deadline, in {@link LoopScheduler#nanoTime()} terms. */
    public long deadlineNanos() { return deadlineNanos; }

    /** Nanoseconds of budget left now; may be negative. */
    public long remainingNanos() {
        return deadlineNanos - loop.nanoTime();
    }

    /** Whether the client asked to exclude this item. */
    public boolean excluded(long itemId) {
        return exclude.length != 0 && java.util.Arrays.binarySearch(exclude, itemId) >= 0;
    }

    /** The excluded item ids, sorted; do not modify. */
    public long[] excludeIds() {
        return exclude;
    }

    /** Per-request scratch, shared by the request's operators. */
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public String toString() {
        return "RequestContext{" + requestId + ", user=" + userId + ", scene=" + scene + ", count=" + count
                + ", bucket=" + bucket + ", debug=" + debug + '}';
    }

    /** Builds a {@link RequestContext}. */
    public static final class Builder {
        private String requestId;
        private String userId;
        private String scene;
        private int count = 10;
        private Map<String, Object> context;
        private long[] exclude;
        private boolean debug;
        private long arrivalNanos;
        private long deadlineNanos = Long.MAX_VALUE;
        private int bucket;
        private LoopScheduler loop;

        public Builder requestId(String v) { requestId = v; return this; }
        public Builder userId(String v) { userId = v; return this; }
        public Builder scene(String v) { scene = v; return this; }
        public Builder count(int v) { count = v; return this; }
        public Builder context(Map<String, Object> v) { context = v; return this; }
        public Builder exclude(long[] v) { exclude = v; return this; }
        public Builder debug(boolean v) { debug = v; return this; }
        public Builder bucket(int v) { bucket = v; return this; }
        public Builder loop(LoopScheduler v) { loop = v; return this; }
        /** Arrival time and absolute deadline, in the loop's {@code nanoTime()} terms. */
        public Builder timing(long arrivalNanos, long deadlineNanos) {
            this.arrivalNanos = arrivalNanos;
            this.deadlineNanos = deadlineNanos;
            return this;
        }
        public RequestContext build() { return new RequestContext(this); }
    }
}
