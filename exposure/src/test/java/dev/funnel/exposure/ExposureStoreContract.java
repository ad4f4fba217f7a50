package dev.funnel.exposure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ExposureStore} does, on a virtual clock: subclasses make the store.
 */
abstract class ExposureStoreContract {

    static final long DAY = 86_400_000L;
    /** Virtual epoch millis; starts at real time so Redis TTLs computed from it stay positive. */
    final AtomicLong clock = new AtomicLong((System.currentTimeMillis() / DAY) * DAY + 3_600_000L);
    ExposureStore store;

    abstract ExposureStore create(ExposureConfig config);

    ExposureConfig config() {
        return ExposureConfig.DEFAULT.withInitialCapacity(256);
    }

    @BeforeEach
    void open() {
        store = create(config());
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static long[] range(long from, long toExclusive) {
        return LongStream.range(from, toExclusive).toArray();
    }

    SeenRows seen(String user, long[] ids) throws Exception {
        return store.seen(user, ids, ids.length).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    void served(String user, long[] ids) throws Exception {
        store.recordServed(user, ids, ids.length).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    void exposed(String user, long[] ids) throws Exception {
        store.recordExposed(user, ids, ids.length).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void unknownUserHasSeenNothing() throws Exception {
        SeenRows r = seen("nobody", range(1, 1001));
        assertEquals(1000, r.size());
        assertEquals(0, r.seenCount());
        assertFalse(r.failedOpen());
    }

    @Test
    void servedItemsAreSeenAtOnceAndOnlyThose() throws Exception {
        served("u1", range(100, 120));
        SeenRows r = seen("u1", range(90, 130));
        for (int i = 0; i < 40; i++) {
            long id = 90 + i;
            if (id >= 100 && id < 120) {
                assertTrue(r.isSeen(i), "served item " + id + " not seen");
            }
        }
        assertTrue(r.seenCount() >= 20 && r.seenCount() <= 21, "seen " + r.seenCount() + " of 20 served (+ at most one false positive)");
    }

    @Test
    void servedItemsExpireAfterTheShortTermTtl() throws Exception {
        served("u1", range(1, 21));
        long ttl = config().shortTermTtlSeconds() * 1000;
        clock.addAndGet(ttl - 1000);
        assertEquals(20, seen("u1", range(1, 21)).seenCount(), "still within the TTL");
        clock.addAndGet(ttl + 2000);
        assertEquals(0, seen("u1", range(1, 21)).seenCount(), "past twice the TTL");
    }

    @Test
    void exposedItemsAreKeptForTheRetentionAndThenDropped() throws Exception {
        exposed("u1", range(1, 51));
        clock.addAndGet(20 * DAY);
        exposed("u1", range(51, 101));
        clock.addAndGet(9 * DAY);
        assertEquals(100, seen("u1", range(1, 101)).seenCount(), "both windows kept on day 29");
        clock.addAndGet(2 * DAY);
        SeenRows r = seen("u1", range(1, 101));
        for (int i = 50; i < 100; i++) {
            assertTrue(r.isSeen(i), "day-20 item " + (i + 1) + " must still be seen on day 31");
        }
        assertTrue(r.seenCount() <= 52, "day-0 items are past 30 windows on day 31, yet " + r.seenCount() + " seen");
    }

    @Test
    void itemsOfThirtyDailyWindowsAreAllSeenThenExpireDayByDay() throws Exception {
        for (int d = 0; d < 30; d++) {
            exposed("u1", range(d * 1000L, d * 1000L + 20));
            clock.addAndGet(DAY);
        }
        clock.addAndGet(-DAY); // day 29
        for (int after = 0; after <= 3; after++) {
            for (int d = 0; d < 30; d++) {
                int hits = seen("u1", range(d * 1000L, d * 1000L + 20)).seenCount();
                if (d > after - 1) {
                    assertEquals(20, hits, "day-" + d + " items on day " + (29 + after));
                } else {
                    assertTrue(hits <= 1, "day-" + d + " items expired on day " + (29 + after) + ", yet " + hits + " seen");
                }
            }
            clock.addAndGet(DAY);
        }
    }

    @Test
    void usersAreIsolated() throws Exception {
        exposed("alice", range(1, 101));
        served("alice", range(101, 201));
        assertTrue(seen("bob", range(1, 201)).seenCount() == 0);
        assertEquals(200, seen("alice", range(1, 201)).seenCount());
    }

    @Test
    void tenThousandExposuresAreAllSeenAndFalsePositivesStayNearTheTarget() throws Exception {
        for (int b = 0; b < 10; b++) {
            exposed("heavy", range(1 + b * 1000L, 1001 + b * 1000L));
        }
        SeenRows in = seen("heavy", range(1, 10_001));
        assertEquals(10_000, in.seenCount(), "no false negatives");
        SeenRows out = seen("heavy", range(1_000_000, 1_020_000));
        double rate = out.seenCount() / 20_000.0;
        assertTrue(rate <= 0.01, "false-positive rate " + rate + " above the 1% target");
    }

    @Test
    void emptyCallsAreHarmless() throws Exception {
        served("u1", new long[0]);
        exposed("u1", new long[0]);
        assertEquals(0, seen("u1", new long[0]).size());
    }

    @Test
    void metricsCountLookups() throws Exception {
        exposed("u1", range(1, 11));
        seen("u1", range(1, 21));
        assertEquals(1, store.metrics().checks());
        assertEquals(20, store.metrics().itemsChecked());
        assertTrue(store.metrics().itemsSeen() >= 10);
        assertEquals(0, store.metrics().failOpen());
    }
}
