package dev.funnel.server.wiring;

import dev.funnel.exposure.ExposureConfig;
import dev.funnel.exposure.ExposureMetrics;
import dev.funnel.exposure.ExposureStore;
import dev.funnel.exposure.ExposureStores;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ForkJoinPool;
import java.util.function.ToDoubleFunction;

/**
 * The exposure store ({@code exposure.*} config, {@link ExposureConfig#fromMap}): registers it as
 * {@link ExposureStore} for {@code filter.exposure} and the feedback endpoint, records every served
 * list as short-term exposure from a response hook (after the response is written), exports its
 * counters ({@code funnel_exposure_fail_open_total} and friends), and closes it on shutdown (the
 * in-process store then writes its snapshot when {@code exposure.snapshot_path} is set).
 *
 * <p>The Redis store gets a Vert.x of its own with one event loop for its connections: the HTTP
 * server's Vert.x does not exist yet when wirings run.
 */
public final class ExposureWiring implements FeatureWiring {

    private static final Logger LOG = LoggerFactory.getLogger(ExposureWiring.class);

    @Override
    public int order() {
        return 100;
    }

    @Override
    public void wire(WiringContext ctx) throws Exception {
        ExposureConfig config = ExposureConfig.fromMap(ctx.config().extra());
        ExposureStore store;
        if ("redis".equals(config.backend())) {
            Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
            ctx.onClose(() -> vertx.close().toCompletionStage().toCompletableFuture().get());
            store = ExposureStores.redis(vertx, config, System::currentTimeMillis);
        } else {
            store = inMemory(config);
        }
        ctx.onClose(store);
        ctx.env().register(ExposureStore.class, store);
        ctx.responseHooks().add((request, served, result) -> {
            if (!served.isEmpty()) {
                store.recordServed(request.userId(), served.idsCopy(), served.size());
            }
        });
        bind(ctx.meterRegistry(), store.metrics(), config.backend());
        LOG.info("exposure store: {}", config);
    }

    /**
     * The in-process store, restored from its snapshot when there is one. A snapshot that cannot be
     * read (corrupt, truncated, another layout) must not keep the server down: it is moved aside
     * (kept for inspection), logged, and the store starts empty.
     */
    private static ExposureStore inMemory(ExposureConfig config) throws IOException {
        try {
            return ExposureStores.inMemory(config, System::currentTimeMillis, ForkJoinPool.commonPool());
        } catch (IOException e) {
            Path bad = config.snapshotPath();
            Path aside = bad.resolveSibling(bad.getFileName() + ".unreadable-" + System.currentTimeMillis());
            Files.move(bad, aside, StandardCopyOption.REPLACE_EXISTING);
            LOG.error("exposure snapshot {} not restored ({}); moved to {}, starting with an empty store",
                    bad, e.getMessage(), aside);
            return ExposureStores.inMemory(config, System::currentTimeMillis, ForkJoinPool.commonPool());
        }
    }

    static void bind(MeterRegistry registry, ExposureMetrics m, String backend) {
        counter(registry, "funnel.exposure.checks", "exposure lookups", m, ExposureMetrics::checks, backend);
        counter(registry, "funnel.exposure.items.checked", "candidates looked up", m, ExposureMetrics::itemsChecked, backend);
        counter(registry, "funnel.exposure.items.seen", "candidates found already seen", m, ExposureMetrics::itemsSeen, backend);
        counter(registry, "funnel.exposure.fail.open", "lookups that failed open (store unreachable or late)", m,
                ExposureMetrics::failOpen, backend);
        counter(registry, "funnel.exposure.writes", "exposure records written", m, ExposureMetrics::writes, backend);
        counter(registry, "funnel.exposure.write.failures", "exposure records that did not reach the store", m,
                ExposureMetrics::writeFailures, backend);
        counter(registry, "funnel.exposure.evicted.users", "users evicted to bound memory", m,
                ExposureMetrics::evictedUsers, backend);
        counter(registry, "funnel.exposure.deferred.writes", "writes handed to the maintenance thread: the user's record was busy",
                m, ExposureMetrics::deferredWrites, backend);
        Gauge.builder("funnel.exposure.bytes", m, ExposureMetrics::bytes).description("in-process filter memory")
                .baseUnit("bytes").tag("store", backend).register(registry);
    }

    private static void counter(MeterRegistry registry, String name, String help, ExposureMetrics m,
                                ToDoubleFunction<ExposureMetrics> f, String backend) {
        FunctionCounter.builder(name, m, f).description(help).tag("store", backend).register(registry);
    }
}
