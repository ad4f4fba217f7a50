package dev.funnel.bench.exposure;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.LoopScheduler;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.Params;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.exposure.ExposureConfig;
import dev.funnel.exposure.ExposureStore;
import dev.funnel.exposure.ExposureStores;
import dev.funnel.exposure.SeenRows;
import dev.funnel.operators.filter.ExposureFilter;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Exposure filtering of 5,000 candidates for a user with 10,000 long-term exposures (spread over
 * {@code windows} daily windows) and 100 served items; about a fifth of the candidates are seen.
 * {@code lookup}: the store call alone; {@code filterOperator}: {@code filter.exposure} end to end
 * (lookup plus building the filtered list). Target for memory: ≤ 100 µs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class ExposureFilterBench {

    static final long DAY = 86_400_000L;

    @Param({"memory", "redis"})
    public String backend;

    @Param({"1", "8", "30"})
    public int windows;

    long[] candidates;
    Candidates list;
    ExposureStore store;
    Operator<?> filter;
    RequestContext ctx;
    Inputs inputs;
    Vertx vertx;
    LocalRedis redis;
    long nowMillis;
    java.util.Set<Long> exact = new java.util.HashSet<>();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        long start = (System.currentTimeMillis() / DAY) * DAY;
        long[] clock = {start};
        ExposureConfig config = ExposureConfig.DEFAULT;
        if ("redis".equals(backend)) {
            redis = LocalRedis.start();
            vertx = Vertx.vertx();
            // A generous timeout: this measures answered lookups, not the fail-open path.
            ExposureConfig c = config.withRedisUrl(redis.url());
            c = new ExposureConfig(c.backend(), c.shortTermTtlSeconds(), c.windowSeconds(), c.retentionWindows(),
                    c.falsePositiveRate(), c.initialCapacity(), c.maxBytes(), null, c.redisUrl(), 2000,
                    c.redisKeyPrefix(), c.redisPoolSize());
            store = ExposureStores.redis(vertx, c, () -> clock[0]);
        } else {
            store = ExposureStores.inMemory(config, () -> clock[0], Runnable::run);
        }
        int perWindow = 10_000 / windows;
        long[] batch = new long[perWindow];
        for (int w = 0; w < windows; w++) {
            clock[0] = start + w * DAY;
            for (int i = 0; i < perWindow; i++) {
                batch[i] = 1 + (long) w * perWindow + i;
                exact.add(batch[i]);
            }
            store.recordExposed("u1", batch, perWindow).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        long[] served = new long[100];
        for (int i = 0; i < 100; i++) {
            served[i] = 1_000_000 + i;
            exact.add(served[i]);
        }
        store.recordServed("u1", served, 100).toCompletableFuture().get(10, TimeUnit.SECONDS);
        SplittableRandom rnd = new SplittableRandom(42);
        candidates = new long[5000];
        float[] scores = new float[5000];
        for (int i = 0; i < 5000; i++) {
            candidates[i] = 1 + rnd.nextLong(50_000);
            scores[i] = 1f - i / 5000f;
        }
        list = Candidates.fromSource("merge", candidates, scores, 5000);
        ExposureFilter f = new ExposureFilter();
        filter = f.create(Params.of(Map.of("drop_excluded", true)), new OperatorEnv().register(ExposureStore.class, store));
        ctx = RequestContext.builder().requestId("r").userId("u1").scene("home").loop(new DirectLoop()).build();
        inputs = new Inputs("seen", new String[] {"merge"}, new Object[] {list});
        SeenRows r = store.seen("u1", candidates, 5000).toCompletableFuture().get();
        if (r.failedOpen() || r.seenCount() < 900) {
            throw new IllegalStateException("bench setup: expected ~1,000 seen candidates, got " + r);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        store.close();
        if (vertx != null) {
            vertx.close().await();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /**
     * Side-by-side reference on the same machine and run: an exact {@code HashSet<Long>} of the
     * user's 10,100 seen ids, probed for the same 5,000 candidates (what a naive store would do).
     */
    @Benchmark
    public int baselineHashSet() {
        int seen = 0;
        for (long id : candidates) {
            if (exact.contains(id)) {
                seen++;
            }
        }
        return seen;
    }

    @Benchmark
    public SeenRows lookup() throws Exception {
        return store.seen("u1", candidates, 5000).toCompletableFuture().get();
    }

    @Benchmark
    public Object filterOperator() {
        return filter.apply(inputs, ctx).block();
    }

    /** The benchmark thread is the loop. */
    static final class DirectLoop implements LoopScheduler {
        @Override public long nanoTime() { return System.nanoTime(); }
        @Override public Cancellable schedule(long delayNanos, Runnable task) { throw new UnsupportedOperationException(); }
        @Override public void execute(Runnable task) { task.run(); }
        @Override public boolean inLoop() { return true; }
    }
}
