package dev.funnel.exposure;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counters of one {@link ExposureStore}, updated from any thread; the server exposes them as
 * Prometheus counters ({@code funnel_exposure_*}). Monotonic except {@link #bytes()}.
 */
public final class ExposureMetrics {

    final LongAdder checks = new LongAdder();
    final LongAdder itemsChecked = new LongAdder();
    final LongAdder itemsSeen = new LongAdder();
    final LongAdder failOpen = new LongAdder();
    final LongAdder writes = new LongAdder();
    final LongAdder writeFailures = new LongAdder();
    final LongAdder evictedUsers = new LongAdder();
    final LongAdder deferredWrites = new LongAdder();
    private final LongSupplier bytes;

    ExposureMetrics(LongSupplier bytes) {
        this.bytes = bytes;
    }

    /** Calls of {@link ExposureStore#seen}. */
    public long checks() { return checks.sum(); }
    /** Candidate items looked up. */
    public long itemsChecked() { return itemsChecked.sum(); }
    /** Candidate items found seen. */
    public long itemsSeen() { return itemsSeen.sum(); }
    /** Lookups that failed open: the store was unreachable or late, nothing was filtered. */
    public long failOpen() { return failOpen.sum(); }
    /** Records (served or exposed) written: counted when the store has them (for Redis, when it answered). */
    public long writes() { return writes.sum(); }
    /** Record calls that did not reach the store. */
    public long writeFailures() { return writeFailures.sum(); }
    /** Users evicted from the in-process store to keep its memory bound (0 for Redis). */
    public long evictedUsers() { return evictedUsers.sum(); }
    /**
     * Writes the in-process store handed to its maintenance thread because the user's record was
     * busy (another writer held it), so the calling event loop did not wait (0 for Redis).
     */
    public long deferredWrites() { return deferredWrites.sum(); }
    /** Bytes of filter state held in this process (0 for Redis). */
    public long bytes() { return bytes.getAsLong(); }

    @Override
    public String toString() {
        return "ExposureMetrics{checks=" + checks() + ", itemsChecked=" + itemsChecked() + ", itemsSeen=" + itemsSeen()
                + ", failOpen=" + failOpen() + ", writes=" + writes() + ", writeFailures=" + writeFailures()
                + ", evictedUsers=" + evictedUsers() + ", bytes=" + bytes() + '}';
    }
}
