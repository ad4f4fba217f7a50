package dev.funnel.exposure;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.LongSupplier;

/** Creates {@link ExposureStore}s; the server calls one of these at start. */
public final class ExposureStores {

    private ExposureStores() {
    }

    /**
     * The in-process store. When {@link ExposureConfig#snapshotPath()} names an existing file it is
     * restored first; {@link ExposureStore#close()} writes it back.
     *
     * @param clockMillis epoch milliseconds (virtual in tests)
     * @param maintenance runs eviction off the request path (e.g. a worker pool)
     * @throws IOException when the snapshot exists but cannot be read, is corrupt or was written
     *                     with another layout (the message says which); delete it to start empty
     */
    public static ExposureStore inMemory(ExposureConfig config, LongSupplier clockMillis, Executor maintenance) throws IOException {
        InMemoryExposureStore store = new InMemoryExposureStore(config, clockMillis, maintenance);
        if (config.snapshotPath() != null && Files.exists(config.snapshotPath())) {
            ExposureSnapshot.read(store, config.snapshotPath());
            store.compactRestored();
        }
        return store;
    }

    /** The in-process store on the system clock, maintained on the common pool, without a snapshot file. */
    public static ExposureStore inMemory(ExposureConfig config) {
        try {
            return inMemory(config.withSnapshotPath(null), System::currentTimeMillis, ForkJoinPool.commonPool());
        } catch (IOException e) {
            throw new IllegalStateException("unreachable: no snapshot to read", e);
        }
    }

    /**
     * The Redis store at {@link ExposureConfig#redisUrl()}, using {@code vertx}'s event loops for
     * its connections. Does not connect until first used; an unreachable Redis fails open.
     */
    public static ExposureStore redis(Vertx vertx, ExposureConfig config, LongSupplier clockMillis) {
        return new RedisExposureStore(vertx, config, clockMillis);
    }

    /** The store {@link ExposureConfig#backend()} names, on the system clock. */
    public static ExposureStore create(Vertx vertx, ExposureConfig config, Executor maintenance) throws IOException {
        return "redis".equals(config.backend())
                ? redis(vertx, config, System::currentTimeMillis)
                : inMemory(config, System::currentTimeMillis, maintenance);
    }
}
