package dev.funnel.features.profile;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every {@link ProfileStore} must do; subclass per implementation. */
abstract class ProfileStoreContract {

    static final int DIM = 4;

    /** Items 1..1000: item i points along axis i % DIM. */
    static final ItemEmbeddings AXES = id -> {
        if (id < 1 || id > 1000) {
            return null;
        }
        float[] e = new float[DIM];
        e[(int) (id % DIM)] = 1;
        return e;
    };

    abstract ProfileStore newStore(ItemEmbeddings items, ProfileConfig config);

    @Test
    void unknownUserIsColdStart() {
        ProfileStore s = newStore(AXES, ProfileConfig.DEFAULT);
        UserProfile p = s.get("nobody");
        assertEquals("nobody", p.userId());
        assertEquals(0, p.recentClicks().length);
        assertNull(p.embedding());
    }

    @Test
    void putKeepsTheBatchPartAndDerivesTheEmbeddingFromClicks() {
        ProfileStore s = newStore(AXES, ProfileConfig.DEFAULT);
        s.put(new UserProfile("u1", Map.of("gender", "f"), Map.of("t1", 1.5), new long[] {4, 8}, null, 0));
        UserProfile p = s.get("u1");
        assertEquals(Map.of("gender", "f"), p.demographics());
        assertEquals(Map.of("t1", 1.5), p.interestTags());
        assertArrayEquals(new long[] {4, 8}, p.recentClicks());
        assertNotNull(p.embedding());
        assertEquals(1.0, p.embedding()[0], 1e-6); // both items point along axis 0
    }

    @Test
    void embeddingIsDerivedOnceItemsBecomeKnown() {
        java.util.concurrent.atomic.AtomicBoolean loaded = new java.util.concurrent.atomic.AtomicBoolean();
        ProfileStore s = newStore(id -> loaded.get() ? AXES.embedding(id) : null, ProfileConfig.DEFAULT);
        s.put(new UserProfile("u1", Map.of(), Map.of(), new long[] {5}, null, 0));
        assertNull(s.get("u1").embedding(), "catalog not loaded yet");
        loaded.set(true);
        assertArrayEquals(new float[] {0, 1, 0, 0}, s.get("u1").embedding(), 1e-6f);
    }

    @Test
    void clicksMoveTheEmbeddingAndTheRecentList() {
        ProfileStore s = newStore(AXES, new ProfileConfig(3, 0.5));
        s.onClick("u", 1, 100); // axis 1
        assertArrayEquals(new float[] {0, 1, 0, 0}, s.get("u").embedding(), 1e-6f);
        s.onClick("u", 2, 200); // axis 2: 1 · axis 2 + 0.5 · axis 1, normalized
        float[] e = s.get("u").embedding();
        assertEquals(2 * e[1], e[2], 1e-6);
        assertEquals(1.0, e[1] * e[1] + e[2] * e[2], 1e-5);
        s.onClick("u", 3, 300);
        s.onClick("u", 1, 400); // again: moves to front, no duplicate
        assertArrayEquals(new long[] {1, 3, 2}, s.get("u").recentClicks());
        assertEquals(400, s.get("u").updatedAtMillis());
        s.onClick("u", 99_999, 500); // unknown item: recorded, embedding unchanged
        assertArrayEquals(new long[] {99_999, 1, 3}, s.get("u").recentClicks());
    }

    @Test
    void everyClickKeepsItsDecayedWeightSoTheFirstDoesNotDominate() {
        ProfileStore s = newStore(AXES, new ProfileConfig(50, 0.9));
        s.onClick("u", 4, 100); // axis 0, the oldest
        for (long id = 1; id <= 17; id += 4) {
            s.onClick("u", id, 200 + id); // five clicks along axis 1
        }
        float[] e = s.get("u").embedding();
        // Σ 0.9^i: axis 1 gets 1 + 0.9 + … + 0.9^4 = 4.0951, axis 0 gets 0.9^5 = 0.59049.
        assertEquals(0.59049 / 4.0951, e[0] / e[1], 1e-5);
        // The same from the stored history, as put() derives it.
        s.put(new UserProfile("v", Map.of(), Map.of(), s.get("u").recentClicks(), null, 0));
        assertArrayEquals(e, s.get("v").embedding(), 1e-6f);
    }

    @Test
    void concurrentClicksAreNeitherLostNorTorn() throws Exception {
        int threads = 8;
        int perThread = 2_000;
        ProfileStore s = newStore(AXES, new ProfileConfig(threads * perThread, 0.9));
        ExecutorService pool = Executors.newFixedThreadPool(threads + 2);
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<String> problem = new AtomicReference<>();
        Future<?>[] writers = new Future<?>[threads];
        for (int t = 0; t < threads; t++) {
            int base = t;
            writers[t] = pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    // distinct ids per thread; shared users so writers contend
                    s.onClick("u" + (i % 4), 1_000_000L * (base + 1) + i, i);
                }
                return null;
            });
        }
        Future<?> reader = pool.submit(() -> {
            start.await();
            while (!Arrays.stream(writers).allMatch(Future::isDone)) {
                for (int u = 0; u < 4; u++) {
                    UserProfile p = s.get("u" + u);
                    long[] c = p.recentClicks();
                    Set<Long> seen = new HashSet<>();
                    for (long id : c) {
                        if (!seen.add(id)) {
                            problem.set("duplicate click " + id + " for u" + u);
                        }
                    }
                }
            }
            return null;
        });
        start.countDown();
        for (Future<?> w : writers) {
            w.get(30, TimeUnit.SECONDS);
        }
        reader.get(30, TimeUnit.SECONDS);
        pool.shutdown();
        assertNull(problem.get());
        int total = 0;
        for (int u = 0; u < 4; u++) {
            total += s.get("u" + u).recentClicks().length;
        }
        assertEquals(threads * perThread, total, "every click is kept (max is large enough)");
        assertTrue(s.size() >= 4);
    }
}
