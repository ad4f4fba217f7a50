package dev.funnel.index;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Clicks per item in time buckets, for "most clicked in the last hour / day" popularity. A ring of
 * buckets; a click lands in its time's bucket (too old ones are dropped). Any thread writes and
 * reads; counters are {@link LongAdder}s, a bucket that rolls over is replaced by compare-and-set.
 * {@link #top} scans the window's buckets, so callers cache its result (recall.hot does, per minute).
 */
public final class ClickCounts {

    public static final long DEFAULT_BUCKET_MILLIS = 5 * 60_000L;
    public static final int DEFAULT_BUCKETS = 12 * 24 * 7; // one week of 5-minute buckets

    private record Bucket(long index, Map<Long, LongAdder> counts) {
    }

    private final long bucketMillis;
    private final AtomicReferenceArray<Bucket> ring;
    private final LongSupplier clockMillis;

    public ClickCounts(long bucketMillis, int buckets, LongSupplier clockMillis) {
        if (bucketMillis < 1 || buckets < 1) {
            throw new IllegalArgumentException("bucketMillis and buckets must be >= 1, got " + bucketMillis + ", " + buckets);
        }
        this.bucketMillis = bucketMillis;
        this.ring = new AtomicReferenceArray<>(buckets);
        this.clockMillis = clockMillis;
    }

    public ClickCounts(LongSupplier clockMillis) {
        this(DEFAULT_BUCKET_MILLIS, DEFAULT_BUCKETS, clockMillis);
    }

    /** The longest window this can answer. */
    public long maxWindowMillis() {
        return bucketMillis * ring.length();
    }

    /** Counts one click now, by this counter's clock. Any thread. */
    public void onClick(long itemId) {
        onClick(itemId, clockMillis.getAsLong());
    }

    /** Counts one click at {@code tsMillis}. Any thread. */
    public void onClick(long itemId, long tsMillis) {
        long b = Math.floorDiv(tsMillis, bucketMillis);
        int slot = (int) Math.floorMod(b, (long) ring.length());
        while (true) {
            Bucket cur = ring.get(slot);
            if (cur != null && cur.index == b) {
                cur.counts.computeIfAbsent(itemId, k -> new LongAdder()).increment();
                return;
            }
            if (cur != null && cur.index > b) {
                return; // older than the ring holds
            }
            ring.compareAndSet(slot, cur, new Bucket(b, new ConcurrentHashMap<>()));
        }
    }

    /**
     * The most clicked items in the last {@code windowMillis} before now, most first; fills the
     * arrays up to their length and returns how many. Any thread.
     */
    public int top(long windowMillis, long[] outIds, float[] outCounts) {
        long now = clockMillis.getAsLong();
        long last = Math.floorDiv(now, bucketMillis);
        long first = Math.floorDiv(now - Math.min(windowMillis, maxWindowMillis() - bucketMillis), bucketMillis);
        Map<Long, long[]> sums = new java.util.HashMap<>();
        for (long b = first; b <= last; b++) {
            Bucket bucket = ring.get((int) Math.floorMod(b, (long) ring.length()));
            if (bucket != null && bucket.index == b) {
                bucket.counts.forEach((id, n) -> sums.computeIfAbsent(id, k -> new long[1])[0] += n.sum());
            }
        }
        TopK top = new TopK(Math.max(1, Math.min(outIds.length, sums.size())));
        long[] ids = new long[sums.size()];
        int i = 0;
        for (Map.Entry<Long, long[]> e : sums.entrySet()) {
            ids[i] = e.getKey();
            // ties: lower id first (TopK prefers lower row index; rows follow ids sorted below)
            i++;
        }
        java.util.Arrays.sort(ids);
        for (int r = 0; r < ids.length; r++) {
            top.offer(r, sums.get(ids[r])[0]);
        }
        int[] rows = new int[top.size()];
        double[] keys = new double[top.size()];
        int m = top.drainDescending(rows, keys);
        for (int r = 0; r < m; r++) {
            outIds[r] = ids[rows[r]];
            outCounts[r] = (float) keys[r];
        }
        return m;
    }
}
