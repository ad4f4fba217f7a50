package dev.funnel.engine.width;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A recent-latency histogram for one node, written by many event loops at once without locks.
 * Samples land in the slot of the current time window; two slots rotate, so a read covers the
 * current window and the previous one (between one and two windows of history). Buckets are
 * log-linear (four per power of two), so a quantile is within 12.5% of the true value.
 *
 * <p>Thread-safety: {@link #record} from any thread (two atomic increments; no allocation);
 * {@link #snapshot} from any thread. A slot is cleared by the first writer of a new window; a
 * sample racing with that clear may be lost, a bounded inaccuracy accepted to stay lock-free.
 */
public final class LatencyWindow {

    /** Outcome classes counted beside the latencies. */
    public static final int OK = 0;
    public static final int TIMEOUT = 1;
    public static final int ERROR = 2;
    public static final int OTHER = 3;
    private static final int OUTCOMES = 4;
    private static final int BUCKETS = 256;

    private final long windowNanos;
    private final Slot[] slots = {new Slot(), new Slot()};

    private static final class Slot {
        final AtomicLong epoch = new AtomicLong(Long.MIN_VALUE);
        final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
        final AtomicLongArray outcomes = new AtomicLongArray(OUTCOMES);

        void clear() {
            for (int i = 0; i < BUCKETS; i++) {
                counts.set(i, 0);
            }
            for (int i = 0; i < OUTCOMES; i++) {
                outcomes.set(i, 0);
            }
        }
    }

    /**
     * A read of the window.
     *
     * @param count        latency samples
     * @param p50Nanos     median, 0 when empty
     * @param p95Nanos     95th percentile, 0 when empty
     * @param p99Nanos     99th percentile, 0 when empty
     * @param ratePerSecond samples per second over the time covered
     * @param ok           outcomes OK
     * @param timeouts     outcomes TIMEOUT
     * @param errors       outcomes ERROR
     * @param other        other outcomes (not started, cancelled)
     */
    public record Snapshot(long count, long p50Nanos, long p95Nanos, long p99Nanos, double ratePerSecond,
                           long ok, long timeouts, long errors, long other) {
        /** All outcomes counted. */
        public long outcomes() {
            return ok + timeouts + errors + other;
        }

        public double timeoutRate() {
            long n = outcomes();
            return n == 0 ? 0 : (double) timeouts / n;
        }

        public double errorRate() {
            long n = outcomes();
            return n == 0 ? 0 : (double) errors / n;
        }
    }

    /** @param windowNanos length of one window, &gt; 0 */
    public LatencyWindow(long windowNanos) {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("windowNanos must be > 0, got " + windowNanos);
        }
        this.windowNanos = windowNanos;
    }

    /**
     * Records one node run at monotonic time {@code nowNanos}.
     *
     * @param tookNanos its latency, or -1 for an outcome without a latency (not started)
     * @param outcome   {@link #OK}, {@link #TIMEOUT}, {@link #ERROR} or {@link #OTHER}
     */
    public void record(long nowNanos, long tookNanos, int outcome) {
        Slot s = slotFor(nowNanos);
        if (s == null) {
            return;
        }
        if (tookNanos >= 0) {
            s.counts.incrementAndGet(bucket(tookNanos));
        }
        s.outcomes.incrementAndGet(outcome);
    }

    private Slot slotFor(long nowNanos) {
        long e = Math.floorDiv(nowNanos, windowNanos);
        Slot s = slots[(int) (e & 1)];
        long se = s.epoch.get();
        if (se == e) {
            return s;
        }
        if (se > e) {
            return null; // a writer that stalled across two windows: its sample is too old to matter
        }
        if (s.epoch.compareAndSet(se, e)) {
            s.clear();
        }
        return s.epoch.get() == e ? s : null;
    }

    /** The current and previous windows as of {@code nowNanos}. */
    public Snapshot snapshot(long nowNanos) {
        long e = Math.floorDiv(nowNanos, windowNanos);
        long[] counts = new long[BUCKETS];
        long[] outcomes = new long[OUTCOMES];
        long covered = nowNanos - e * windowNanos;
        for (Slot s : slots) {
            long se = s.epoch.get();
            if (se != e && se != e - 1) {
                continue;
            }
            if (se == e - 1) {
                covered += windowNanos;
            }
            for (int i = 0; i < BUCKETS; i++) {
                counts[i] += s.counts.get(i);
            }
            for (int i = 0; i < OUTCOMES; i++) {
                outcomes[i] += s.outcomes.get(i);
            }
        }
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double rate = covered <= 0 ? 0 : (outcomes[0] + outcomes[1] + outcomes[2] + outcomes[3]) * 1e9 / covered;
        return new Snapshot(total, quantile(counts, total, 0.50), quantile(counts, total, 0.95),
                quantile(counts, total, 0.99), rate, outcomes[OK], outcomes[TIMEOUT], outcomes[ERROR], outcomes[OTHER]);
    }

    private static long quantile(long[] counts, long total, double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return midpoint(i);
            }
        }
        return midpoint(BUCKETS - 1);
    }

    /** Bucket of a latency: exact below 4 ns, then four buckets per power of two. */
    static int bucket(long nanos) {
        if (nanos < 4) {
            return (int) Math.max(nanos, 0);
        }
        int exp = 63 - Long.numberOfLeadingZeros(nanos);
        int sub = (int) ((nanos >>> (exp - 2)) & 3);
        return exp * 4 + sub;
    }

    /** A representative latency of a bucket: the middle of its range. */
    static long midpoint(int bucket) {
        if (bucket < 8) {
            return bucket;
        }
        int exp = bucket / 4;
        int sub = bucket % 4;
        long lower = (4L + sub) << (exp - 2);
        long width = 1L << (exp - 2);
        return lower + width / 2;
    }
}
