package dev.funnel.exposure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract against a real redis-server started here, plus what only a shared store does: two
 * stores (as two replicas would) see each other's records; with Redis stopped, lookups fail open and
 * are counted, and filtering resumes when it is back. Skipped only when no redis-server binary
 * exists on this machine.
 */
class RedisExposureStoreTest extends ExposureStoreContract {

    static RedisServerProcess redis;
    static Vertx vertx;
    static int prefixCounter;

    @BeforeAll
    static void startRedis() throws Exception {
        Path bin = RedisServerProcess.findBinary();
        assumeTrue(bin != null, "redis-server not found on this machine (apt-get install -y redis-server): Redis tests skipped");
        redis = RedisServerProcess.start(bin);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (vertx != null) {
            vertx.close().await();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    ExposureConfig config() {
        return super.config().withRedisUrl(redis.url());
    }

    @Override
    ExposureStore create(ExposureConfig config) {
        // A fresh key prefix per test: the server is shared by the class.
        ExposureConfig c = new ExposureConfig(config.backend(), config.shortTermTtlSeconds(), config.windowSeconds(),
                config.retentionWindows(), config.falsePositiveRate(), config.initialCapacity(), config.maxBytes(), null,
                config.redisUrl(), 10_000, "t" + (prefixCounter++), config.redisPoolSize()); // generous: busy build machines
        return ExposureStores.redis(vertx, c, clock::get);
    }

    @Test
    void twoStoresOnOneRedisHonourEachOthersRecords() throws Exception {
        ExposureStore other = ExposureStores.redis(vertx, new ExposureConfig("redis", 600, 86_400, 30, 0.01, 256,
                ExposureConfig.DEFAULT_MAX_BYTES, null, redis.url(), 10_000, "t" + (prefixCounter - 1), 4), clock::get);
        try {
            other.recordServed("shared", range(1, 21), 20).toCompletableFuture().get(5, TimeUnit.SECONDS);
            store.recordExposed("shared", range(100, 120), 20).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertEquals(40, seen("shared", concat(range(1, 21), range(100, 120))).seenCount());
            assertEquals(40, other.seen("shared", concat(range(1, 21), range(100, 120)), 40)
                    .toCompletableFuture().get(5, TimeUnit.SECONDS).seenCount());
        } finally {
            other.close();
        }
    }

    @Test
    void stoppedRedisFailsOpenAndFilteringResumesWhenItIsBack() throws Exception {
        exposed("u1", range(1, 21));
        assertEquals(20, seen("u1", range(1, 21)).seenCount());
        redis.stopProcess();
        try {
            SeenRows r = seen("u1", range(1, 21));
            assertTrue(r.failedOpen(), "lookup with Redis down must fail open");
            assertEquals(0, r.seenCount());
            assertEquals(1, store.metrics().failOpen());
            exposed("u1", range(21, 31)); // completes normally, counted
            assertEquals(1, store.metrics().writeFailures());
        } finally {
            redis.startProcess(); // empty again: no persistence
        }
        exposed("u1", range(1, 21));
        SeenRows back = seen("u1", range(1, 21));
        assertTrue(!back.failedOpen() && back.seenCount() == 20, "filtering resumes: " + back);
        assertEquals(1, store.metrics().failOpen());
    }

    @Test
    void answersBitForBitAsTheInProcessStoreFalsePositivesIncluded() throws Exception {
        ExposureStore local = ExposureStores.inMemory(ExposureConfig.DEFAULT.withInitialCapacity(256), clock::get, Runnable::run);
        try {
            for (int d = 0; d < 30; d++) {
                long[] ids = range(d * 10_000L, d * 10_000L + (d % 5 == 0 ? 700 : 60)); // some days grow a second segment
                exposed("u1", ids);
                local.recordExposed("u1", ids, ids.length).toCompletableFuture().get(5, TimeUnit.SECONDS);
                clock.addAndGet(DAY);
            }
            served("u1", range(5_000_000, 5_000_050));
            local.recordServed("u1", range(5_000_000, 5_000_050), 50);
            clock.addAndGet(-DAY + 1000);
            long[] probe = range(0, 300_000);
            SeenRows fromRedis = seen("u1", probe);
            SeenRows inProcess = local.seen("u1", probe, probe.length).toCompletableFuture().get();
            assertTrue(fromRedis.seenCount() >= 6 * 700 + 24 * 60, "every exposure seen: " + fromRedis);
            for (int i = 0; i < probe.length; i++) {
                assertEquals(inProcess.isSeen(i), fromRedis.isSeen(i), "id " + probe[i]);
            }
        } finally {
            local.close();
        }
    }

    static long[] concat(long[] a, long[] b) {
        long[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
