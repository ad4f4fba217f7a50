package dev.funnel.exposure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Many threads write and read the same users at once, forcing concurrent segment growth and window
 * creation: afterwards every recorded item must be seen (lock-free writes lose nothing) and the byte
 * gauge must equal the memory actually held.
 */
class InMemoryExposureStoreStressTest {

    @Test
    void concurrentWritersLoseNothingAndMemoryAccountingStaysExact() throws Exception {
        AtomicLong clock = new AtomicLong(1_800_000_000_000L);
        InMemoryExposureStore store = (InMemoryExposureStore) ExposureStores.inMemory(
                ExposureConfig.DEFAULT.withInitialCapacity(16), clock::get, Runnable::run);
        int threads = 8;
        int users = 4;
        int perThread = 3000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                long[] one = new long[1];
                long[] probe = new long[64];
                for (int i = 0; i < perThread; i++) {
                    one[0] = thread * 1_000_000L + i;
                    String user = "u" + (i % users);
                    if ((i & 1) == 0) {
                        store.recordExposed(user, one, 1);
                    } else {
                        store.recordServed(user, one, 1);
                    }
                    if (i % 50 == 0) {
                        for (int j = 0; j < probe.length; j++) {
                            probe[j] = thread * 1_000_000L + j;
                        }
                        store.seenNow(user, probe, probe.length); // readers race the writers
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        for (int t = 0; t < threads; t++) {
            for (int u = 0; u < users; u++) {
                List<Long> mine = new ArrayList<>();
                for (int i = u; i < perThread; i += users) {
                    mine.add(t * 1_000_000L + i);
                }
                long[] ids = mine.stream().mapToLong(Long::longValue).toArray();
                SeenRows r = store.seenNow("u" + u, ids, ids.length);
                assertEquals(ids.length, r.seenCount(), "thread " + t + " user u" + u + ": recorded items not seen");
            }
        }
        long held = 0;
        for (var rec : store.users.values()) {
            held += rec.bytes();
        }
        assertEquals(held, store.metrics().bytes(), "byte gauge vs filters held");
        assertTrue(held > 0);
    }

    /**
     * The same while the clock moves a day at a time (20 days: nothing expires), so windows close
     * and are compacted while other threads write and read.
     */
    @Test
    void concurrentWritersAndReadersAcrossCompactionsLoseNothing() throws Exception {
        long day = 86_400_000L;
        AtomicLong clock = new AtomicLong(1_800_000_000_000L);
        InMemoryExposureStore store = (InMemoryExposureStore) ExposureStores.inMemory(
                ExposureConfig.DEFAULT.withInitialCapacity(16), clock::get, Runnable::run);
        int threads = 6;
        int perThread = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                long[] one = new long[1];
                for (int i = 0; i < perThread; i++) {
                    if (thread == 0 && i % 100 == 99) {
                        clock.addAndGet(day); // 20 days in all
                    }
                    one[0] = thread * 1_000_000L + i;
                    store.recordExposed("u" + (i % 2), one, 1);
                    if (i % 40 == 0 && i > 0) {
                        long[] mine = new long[i / 2];
                        for (int j = 0; j < mine.length; j++) {
                            mine[j] = thread * 1_000_000L + 2 * j + (i % 2); // recorded for this user earlier
                        }
                        SeenRows r = store.seenNow("u" + (i % 2), mine, mine.length);
                        if (r.seenCount() != mine.length) {
                            throw new AssertionError("thread " + thread + ": " + r.seenCount() + "/" + mine.length + " seen");
                        }
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        for (int t = 0; t < threads; t++) {
            for (int u = 0; u < 2; u++) {
                long[] ids = new long[perThread / 2];
                for (int j = 0; j < ids.length; j++) {
                    ids[j] = t * 1_000_000L + 2 * j + u;
                }
                assertEquals(ids.length, store.seenNow("u" + u, ids, ids.length).seenCount(), "thread " + t + " user u" + u);
            }
        }
        assertTrue(store.users.get("u0").longTerm.compactedColumns(0) >= ClosedWindows.MIN_COLUMNS, "windows were compacted");
        long held = 0;
        for (var rec : store.users.values()) {
            held += rec.bytes();
        }
        assertEquals(held, store.metrics().bytes(), "byte gauge vs filters held");
    }
}
