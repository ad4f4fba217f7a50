package dev.funnel.exposure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The default store: every user's two records in this process. Lookups run on the caller's thread
 * and complete at once (two word loads per candidate per open window's filter segment, one load per
 * mask bit for each block of compacted closed windows: see {@link WindowedBloom}). Writes (event loops,
 * after a response) never wait either: one whose record another writer holds goes to {@code maintenance}.
 * Memory is bounded by
 * {@link ExposureConfig#maxBytes()}: past it, a maintenance task on {@code maintenance} evicts the
 * least recently active users; users whose records have all expired are dropped by the same task.
 * Persisted to {@link ExposureConfig#snapshotPath()} on {@link #close()}.
 */
final class InMemoryExposureStore implements ExposureStore {

    private static final Logger LOG = System.getLogger(InMemoryExposureStore.class.getName());
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    final ExposureConfig config;
    final BloomLayout longTerm;
    final BloomLayout shortTerm;
    final ConcurrentHashMap<String, UserRecord> users = new ConcurrentHashMap<>();
    final AtomicLong bytes = new AtomicLong();
    private final LongSupplier clockMillis;
    private final Executor maintenance;
    private final AtomicBoolean maintaining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ExposureMetrics metrics = new ExposureMetrics(bytes::get);

    InMemoryExposureStore(ExposureConfig config, LongSupplier clockMillis, Executor maintenance) {
        this.config = config;
        this.longTerm = BloomLayout.longTerm(config);
        this.shortTerm = BloomLayout.shortTerm(config);
        this.clockMillis = clockMillis;
        this.maintenance = maintenance;
    }

    @Override
    public CompletionStage<SeenRows> seen(String userId, long[] itemIds, int n) {
        return CompletableFuture.completedFuture(seenNow(userId, itemIds, n));
    }

    /** The synchronous lookup behind {@link #seen}. */
    SeenRows seenNow(String userId, long[] itemIds, int n) {
        metrics.checks.increment();
        metrics.itemsChecked.add(n);
        long[] bits = new long[SeenRows.words(n)];
        UserRecord u = users.get(userId);
        if (u != null && n > 0) {
            long now = clockMillis.getAsLong();
            u.lastAccessMillis = now;
            Scratch s = Scratch.get(n);
            // Both layouts share k, so one hash pass serves both records.
            longTerm.hash(itemIds, n, s.hashes, s.masks1, s.masks2);
            int seen = u.shortTerm.mark(now, s.hashes, s.masks1, s.masks2, n, bits);
            seen += u.longTerm.mark(now, s.hashes, s.masks1, s.masks2, n, bits);
            metrics.itemsSeen.add(seen);
        }
        return new SeenRows(bits, n, false);
    }

    @Override
    public CompletionStage<Void> recordServed(String userId, long[] itemIds, int n) {
        record(userId, itemIds, n, true);
        return DONE;
    }

    @Override
    public CompletionStage<Void> recordExposed(String userId, long[] itemIds, int n) {
        record(userId, itemIds, n, false);
        return DONE;
    }

    private void record(String userId, long[] itemIds, int n, boolean served) {
        metrics.writes.increment();
        if (n == 0) {
            return;
        }
        long now = clockMillis.getAsLong();
        UserRecord u = users.computeIfAbsent(userId, id -> new UserRecord(this));
        u.lastAccessMillis = now;
        Scratch s = Scratch.get(n);
        longTerm.hash(itemIds, n, s.hashes, s.masks1, s.masks2);
        WindowedBloom record = served ? u.shortTerm : u.longTerm;
        if (!record.tryAdd(now, s.hashes, s.masks1, s.masks2, n)) {
            deferWrite(record, now, s, n); // busy: callers are event loops, which never wait on a lock
        }
        if (bytes.get() > config.maxBytes()) {
            scheduleMaintenance();
        }
    }

    /**
     * A write whose record another writer holds (maintenance expiring it, or the same user's request
     * on another loop): copied out of the thread's scratch and written on the maintenance executor,
     * which may wait. A lookup until then may miss these items, as one racing any write may. Counted.
     */
    private void deferWrite(WindowedBloom record, long now, Scratch s, int n) {
        long[] hashes = Arrays.copyOf(s.hashes, n);
        long[] masks1 = Arrays.copyOf(s.masks1, n);
        long[] masks2 = Arrays.copyOf(s.masks2, n);
        metrics.deferredWrites.increment();
        try {
            maintenance.execute(() -> record.add(now, hashes, masks1, masks2, n));
        } catch (RuntimeException e) {
            // The executor refused: the server is closing. Written here rather than lost; on an event
            // loop this is the one wait for the record's lock, behind another writer's add or expiry
            // (microseconds), and only during shutdown.
            record.add(now, hashes, masks1, masks2, n);
        }
    }

    private void scheduleMaintenance() {
        if (maintaining.compareAndSet(false, true)) {
            try {
                maintenance.execute(() -> {
                    try {
                        maintain();
                    } finally {
                        maintaining.set(false);
                    }
                });
            } catch (RuntimeException e) {
                maintaining.set(false);
                LOG.log(Level.WARNING, "exposure store maintenance could not be scheduled", e);
            }
        }
    }

    /**
     * Drops expired records, then evicts least recently active users until memory is under 90% of
     * the bound. Runs off the request path (on the maintenance executor); also callable directly.
     * A write racing the eviction of its user lands in the dropped record and is lost (the user
     * was the least active one); the bytes it allocated there stay counted, so the gauge can
     * over-count slightly, never under-count.
     */
    void maintain() {
        long now = clockMillis.getAsLong();
        for (Map.Entry<String, UserRecord> e : users.entrySet()) {
            UserRecord u = e.getValue();
            boolean live = u.shortTerm.expire(now) | u.longTerm.expire(now);
            if (!live && users.remove(e.getKey(), u)) {
                bytes.addAndGet(-u.bytes());
            }
        }
        long target = config.maxBytes() / 10 * 9;
        if (bytes.get() <= target) {
            return;
        }
        List<Map.Entry<String, UserRecord>> byAge = new ArrayList<>(users.entrySet());
        byAge.sort((a, b) -> Long.compare(a.getValue().lastAccessMillis, b.getValue().lastAccessMillis));
        for (Map.Entry<String, UserRecord> e : byAge) {
            if (bytes.get() <= target) {
                break;
            }
            if (users.remove(e.getKey(), e.getValue())) {
                bytes.addAndGet(-e.getValue().bytes());
                metrics.evictedUsers.increment();
            }
        }
    }

    @Override
    public ExposureMetrics metrics() {
        return metrics;
    }

    /** Compacts every user's closed windows after a restore (a snapshot holds them as windows). */
    void compactRestored() {
        long now = clockMillis.getAsLong();
        for (UserRecord u : users.values()) {
            u.longTerm.compactNow(now);
        }
    }

    /** Users held now. */
    int userCount() {
        return users.size();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true) || config.snapshotPath() == null) {
            return;
        }
        try {
            ExposureSnapshot.write(this, config.snapshotPath());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the exposure snapshot to " + config.snapshotPath(), e);
        }
    }

    /** A user's two records. lastAccessMillis is a racy hint for eviction order only. */
    static final class UserRecord {
        final WindowedBloom shortTerm;
        final WindowedBloom longTerm;
        volatile long lastAccessMillis;

        UserRecord(InMemoryExposureStore store) {
            this.shortTerm = new WindowedBloom(store.shortTerm, store.bytes);
            this.longTerm = new WindowedBloom(store.longTerm, store.bytes);
        }

        long bytes() {
            return shortTerm.bytes() + longTerm.bytes();
        }
    }

    /** Per-thread hash arrays, so a lookup allocates only its answer. */
    private static final class Scratch {
        private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(() -> new Scratch(1024));
        final long[] hashes;
        final long[] masks1;
        final long[] masks2;

        private Scratch(int n) {
            hashes = new long[n];
            masks1 = new long[n];
            masks2 = new long[n];
        }

        static Scratch get(int n) {
            Scratch s = LOCAL.get(); // a ThreadLocal read: never blocks
            if (s.hashes.length < n) {
                s = new Scratch(Integer.highestOneBit(n - 1) << 1);
                LOCAL.set(s);
            }
            return s;
        }
    }
}
