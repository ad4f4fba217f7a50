package dev.funnel.bench.exposure;

import dev.funnel.exposure.ExposureConfig;
import dev.funnel.exposure.ExposureStore;
import dev.funnel.exposure.ExposureStores;
import dev.funnel.exposure.SeenRows;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * Memory per user holding 10,000 long-term exposures at a 1% target false-positive rate, and the
 * rate measured on 100,000 never-exposed ids: in process (filter bytes the store accounts) for the
 * default growing layout and for a window pre-sized to 10,000, and in Redis ({@code MEMORY USAGE}
 * of the user's keys), with the exposures in 1, 8 or 30 daily windows. Run:
 * {@code java -cp … dev.funnel.bench.exposure.ExposureMemoryReport}.
 */
public final class ExposureMemoryReport {

    private ExposureMemoryReport() {
    }

    public static void main(String[] args) throws Exception {
        long now = System.currentTimeMillis();
        for (int initial : new int[] {ExposureConfig.DEFAULT_INITIAL_CAPACITY, 10_000}) {
            for (int windows : new int[] {1, 8, 30}) {
                long[] clock = {now};
                ExposureStore store = ExposureStores.inMemory(ExposureConfig.DEFAULT.withInitialCapacity(initial), () -> clock[0], Runnable::run);
                fill(store, clock, now, windows);
                double fp = falsePositives(store);
                System.out.printf("memory  initial_capacity=%-6d windows=%-2d bytes/user=%-7d fp=%.4f%n",
                        initial, windows, store.metrics().bytes(), fp);
                store.close();
            }
        }
        try (LocalRedis redis = LocalRedis.start()) {
            Vertx vertx = Vertx.vertx();
            for (int windows : new int[] {1, 8, 30}) {
                long[] clock = {now};
                String prefix = "m" + windows;
                ExposureConfig c = new ExposureConfig("redis", 600, 86_400, 30, 0.01, ExposureConfig.DEFAULT_INITIAL_CAPACITY,
                        ExposureConfig.DEFAULT_MAX_BYTES, null, redis.url(), 1000, prefix, 4);
                ExposureStore store = ExposureStores.redis(vertx, c, () -> clock[0]);
                fill(store, clock, now, windows);
                double fp = falsePositives(store);
                long bytes = 0;
                long day = Math.floorDiv(now, 86_400_000L);
                for (int w = 0; w < windows; w++) {
                    for (int seg = 0; seg < 8; seg++) {
                        bytes += usage(redis, prefix + ":{u1}:l:" + (day + w) + ":" + seg);
                    }
                    bytes += usage(redis, prefix + ":{u1}:l:" + (day + w) + ":n");
                }
                System.out.printf("redis   initial_capacity=%-6d windows=%-2d bytes/user=%-7d fp=%.4f (MEMORY USAGE, incl. key overhead)%n",
                        ExposureConfig.DEFAULT_INITIAL_CAPACITY, windows, bytes, fp);
                store.close();
            }
            vertx.close().await();
        }
    }

    private static long usage(LocalRedis redis, String key) {
        String reply = LocalRedis.command(redis.port, "MEMORY USAGE " + key);
        return reply.startsWith(":") ? Long.parseLong(reply.substring(1)) : 0;
    }

    private static void fill(ExposureStore store, long[] clock, long start, int windows) throws Exception {
        int perWindow = 10_000 / windows;
        long[] batch = new long[perWindow];
        for (int w = 0; w < windows; w++) {
            clock[0] = start + w * 86_400_000L;
            for (int i = 0; i < perWindow; i++) {
                batch[i] = 1 + (long) w * perWindow + i;
            }
            store.recordExposed("u1", batch, perWindow).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static double falsePositives(ExposureStore store) throws Exception {
        long[] probe = new long[5000];
        long seen = 0;
        for (int b = 0; b < 20; b++) {
            for (int i = 0; i < probe.length; i++) {
                probe[i] = 10_000_000L + b * 5000L + i;
            }
            SeenRows r = store.seen("u1", probe, probe.length).toCompletableFuture().get(10, TimeUnit.SECONDS);
            seen += r.seenCount();
        }
        return seen / 100_000.0;
    }
}
