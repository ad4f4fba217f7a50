package dev.funnel.server;

import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.exec.DagExecutor;
import dev.funnel.engine.exec.WorkerPool;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.server.admission.AdmissionHandler;
import dev.funnel.server.admission.CpuLoadShedder;
import dev.funnel.server.admission.PoolDelayProbe;
import dev.funnel.server.http.FunnelServer;
import dev.funnel.server.http.ServerDeps;
import dev.funnel.server.http.Tls;
import dev.funnel.server.metrics.HttpMetrics;
import dev.funnel.server.metrics.MicrometerExecutionListener;
import dev.funnel.server.serving.LiveConfig;
import dev.funnel.server.serving.Readiness;
import dev.funnel.server.serving.RecentRequests;
import dev.funnel.server.serving.ResponseHooks;
import dev.funnel.server.serving.WarmUp;
import dev.funnel.server.sre.SreAdmin;
import dev.funnel.server.sre.SreWiring;
import dev.funnel.server.wiring.FeatureWiring;
import dev.funnel.server.wiring.WiringContext;
import dev.funnel.server.wiring.Wirings;
import dev.funnel.sim.SimWorld;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.net.KeyCertOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * A running Funnel: metrics, wirings (operator services), operator registry, compiled DAGs and
 * routes, the executor with its bounded CPU pool, and the HTTP server. {@link #close()} shuts down
 * in reverse: HTTP drains first, then the pool, then what wirings registered.
 */
public final class FunnelApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FunnelApp.class);

    private final FunnelConfig config;
    private final OperatorEnv env;
    private final LiveConfig live;
    private final Readiness readiness;
    private final ResponseHooks hooks;
    private final PrometheusMeterRegistry prometheus;
    private final WorkerPool cpuPool;
    private final WiringContext wiring;
    private final FunnelServer server;
    private final String adminToken;
    private final WarmUp warmUp; // null when off
    private final AtomicBoolean closed = new AtomicBoolean();

    private FunnelApp(FunnelConfig config, OperatorEnv env, LiveConfig live, Readiness readiness, ResponseHooks hooks,
                      PrometheusMeterRegistry prometheus, WorkerPool cpuPool, WiringContext wiring,
                      FunnelServer server, String adminToken, WarmUp warmUp) {
        this.config = config;
        this.env = env;
        this.live = live;
        this.readiness = readiness;
        this.hooks = hooks;
        this.prometheus = prometheus;
        this.cpuPool = cpuPool;
        this.wiring = wiring;
        this.server = server;
        this.adminToken = adminToken;
        this.warmUp = warmUp;
    }

    /** Starts with the wirings found on the class path. */
    public static FunnelApp start(FunnelConfig config, boolean demo) throws DagException {
        return start(config, demo, List.of());
    }

    /**
     * Starts everything and returns once both ports listen.
     *
     * @param demo  whether the sim world is the data source
     * @param extra wirings to run after the discovered ones (tests)
     * @throws DagException when the configuration directory has problems (every one of them)
     */
    public static FunnelApp start(FunnelConfig config, boolean demo, List<FeatureWiring> extra) throws DagException {
        LOG.info("starting Funnel ({}): {}", demo ? "demo" : "serve", config);
        WorkerPool.Order workersOrder = workersOrder(config); // a bad value fails here, before the world is built
        RecentRequests recent = RecentRequests.from(config); // so does this one (explain.recent_requests)
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(prometheus);
        JvmGcMetrics gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(prometheus);
        new ProcessorMetrics().bindTo(prometheus);
        Readiness readiness = new Readiness();
        ResponseHooks hooks = new ResponseHooks(prometheus);
        OperatorEnv env = new OperatorEnv().register(MeterRegistry.class, prometheus);
        WiringContext wctx = new WiringContext(config, demo, env, readiness, hooks, prometheus);
        // Its listeners sit on the JVM's GC beans, which live for ever: unless removed, they keep this
        // registry, and every meter and gauged object in it, reachable after the app is closed.
        wctx.onClose(gcMetrics);
        WorkerPool pool = null;
        try {
            List<FeatureWiring> wirings = new ArrayList<>(Wirings.discover());
            wirings.addAll(extra);
            Wirings.runAll(wirings, wctx);
            OperatorRegistry registry = OperatorRegistry.discover();
            LOG.info("operators: {}", registry);
            DagCompiler compiler = new DagCompiler(registry, env);
            pool = cpuPool(config, workersOrder);
            workerPoolMeters(pool, prometheus);
            SreWiring sreWiring = new SreWiring(env, prometheus); // sre: width levels before compiling, console stats
            DagExecutor executor = new DagExecutor(pool, sreWiring.listener(new MicrometerExecutionListener(prometheus)));
            LiveConfig live = LiveConfig.load(Path.of(config.dagsDir()), compiler, readiness);
            String token = config.adminToken() != null ? config.adminToken() : generatedToken();
            long warmUpMillis = config.getInt(WarmUp.MILLIS_KEY, 0);
            if (warmUpMillis < 0) {
                throw new IllegalArgumentException(WarmUp.MILLIS_KEY + " must be >= 0 (0 = no warm-up), got " + warmUpMillis);
            }
            String warmUpToken = warmUpMillis > 0 ? randomHex() : null;
            List<String> warmUpUsers = null;
            int warmUpConcurrency = config.getInt(WarmUp.CONCURRENCY_KEY, WarmUp.DEFAULT_CONCURRENCY);
            if (warmUpToken != null) {
                // Bad warm-up settings fail the start before any port opens.
                if (warmUpConcurrency < 1) {
                    throw new IllegalArgumentException(WarmUp.CONCURRENCY_KEY + " must be >= 1, got " + warmUpConcurrency);
                }
                warmUpUsers = warmUpUsers(config, demo);
                readiness.register(WarmUp.GATE); // closed before the ports open: never ready in between
            }
            SreAdmin sre = sreWiring.start(config, live, compiler, executor, token, recent, wctx::onClose);
            KeyCertOptions tls = config.httpsPort() >= 0 ? Tls.keyCert(config) : null;
            PoolDelayProbe poolDelay = new PoolDelayProbe(pool);
            AdmissionHandler.register(poolDelay, prometheus);
            CpuLoadShedder cpuLoad = CpuLoadShedder.start(AdmissionHandler.cpuConfigFrom(config), readiness::ready);
            wctx.onClose(cpuLoad);
            AdmissionHandler.register(cpuLoad, prometheus);
            if (cpuLoad.config().enabled()) {
                LOG.info("admission: {}", cpuLoad.config());
            }
            ServerDeps deps = new ServerDeps(config, live, executor, hooks, new HttpMetrics(prometheus), prometheus,
                    readiness, token, tls, new AtomicInteger(), env, sre, poolDelay, warmUpToken, cpuLoad, recent);
            FunnelServer server = FunnelServer.start(deps);
            WarmUp warmUp = warmUpToken == null ? null : startWarmUp(config, warmUpUsers, warmUpConcurrency, server, live, readiness, warmUpToken,
                    warmUpMillis, prometheus);
            LOG.info("ready: {}", readiness);
            return new FunnelApp(config, env, live, readiness, hooks, prometheus, pool, wctx, server, token, warmUp);
        } catch (DagException | RuntimeException e) {
            if (pool != null) {
                pool.shutdownNow();
            }
            Exception c = wctx.closeAll();
            if (c != null) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    /** Config key: the order the worker pool runs cpu-heavy nodes in, {@code arrival} or {@code fifo}. */
    static final String WORKERS_ORDER_KEY = "workers.order";

    /** {@link #WORKERS_ORDER_KEY}: arrival order by default. */
    private static WorkerPool.Order workersOrder(FunnelConfig config) {
        String order = config.get(WORKERS_ORDER_KEY, WorkerPool.Order.ARRIVAL.id());
        for (WorkerPool.Order o : WorkerPool.Order.values()) {
            if (o.id().equals(order)) {
                return o;
            }
        }
        throw new IllegalArgumentException("invalid config: " + WORKERS_ORDER_KEY + " must be arrival or fifo, got '" + order + "'");
    }

    /** The pool's queue depth, refusals and size, read when scraped (lock-free reads). */
    private static void workerPoolMeters(WorkerPool pool, MeterRegistry meters) {
        Gauge.builder("funnel.workers.queued", pool, WorkerPool::queued)
                .description("cpu-heavy nodes waiting for a worker").register(meters);
        FunctionCounter.builder("funnel.workers.refused", pool, WorkerPool::refusedCount)
                .description("cpu-heavy nodes the worker pool refused (queue full or shutting down): each failed at once")
                .register(meters);
        Gauge.builder("funnel.workers.threads", pool, WorkerPool::threads).description("worker threads").register(meters);
        Gauge.builder("funnel.workers.capacity", pool, WorkerPool::capacity)
                .description("how many nodes may wait (server.worker_queue)").register(meters);
    }

    private static WorkerPool cpuPool(FunnelConfig config, WorkerPool.Order order) {
        // Bounded: a full queue rejects (the engine reports the node as failed) rather than letting
        // CPU work pile up behind requests whose deadlines have passed. Event loops hand it work
        // without taking a lock (WorkerPool).
        return new WorkerPool("funnel-cpu-", config.workerThreads(), config.workerQueue(), order);
    }

    /**
     * Who the warm-up requests are for: the users of {@code warmup.users_file} if set, else the sim
     * world's when it is the data source (the world itself is gone by the time the warm-up runs),
     * else synthetic unknown users.
     */
    private static List<String> warmUpUsers(FunnelConfig config, boolean demo) {
        String usersFile = config.get(WarmUp.USERS_FILE_KEY, "");
        if (!usersFile.isEmpty()) {
            return WarmUp.usersFrom(Path.of(usersFile));
        }
        boolean simWorld = demo || "sim".equals(config.get("catalog.source", ""));
        return simWorld ? IntStream.range(0, config.simUsers()).mapToObj(SimWorld::userId).toList()
                : WarmUp.syntheticUsers(1_000);
    }

    /** Self-traffic to the TLS port (else cleartext) before readiness. */
    private static WarmUp startWarmUp(FunnelConfig config, List<String> users, int concurrency, FunnelServer server, LiveConfig live, Readiness readiness,
                                      String token, long millis, MeterRegistry meters) {
        WarmUp w = new WarmUp(server.vertx(), readiness, () -> live.current().scenes(), users, token, millis,
                concurrency, meters);
        boolean tls = server.httpsPort() > 0;
        String host = config.host().equals("0.0.0.0") || config.host().equals("::") ? "127.0.0.1" : config.host();
        w.start(host, tls ? server.httpsPort() : server.httpPort(), tls);
        return w;
    }

    private static String randomHex() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String generatedToken() {
        String t = randomHex();
        LOG.warn("admin.token not set: generated admin token for this run: {} (set FUNNEL_ADMIN_TOKEN to choose one)", t);
        return t;
    }

    public int httpPort() {
        return server.httpPort();
    }

    public int httpsPort() {
        return server.httpsPort();
    }

    /** Whether HTTP runs on Netty's native transport (epoll) rather than JDK NIO. */
    public boolean nativeTransport() {
        return server.nativeTransport();
    }

    /** Recommend requests accepted and not yet answered. */
    public int inFlight() {
        return server.inFlight();
    }

    public String adminToken() {
        return adminToken;
    }

    public FunnelConfig config() {
        return config;
    }

    public OperatorEnv env() {
        return env;
    }

    public LiveConfig live() {
        return live;
    }

    public Readiness readiness() {
        return readiness;
    }

    public ResponseHooks responseHooks() {
        return hooks;
    }

    public PrometheusMeterRegistry meterRegistry() {
        return prometheus;
    }

    /** Drains HTTP, stops the CPU pool, closes what the wirings registered. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (warmUp != null) {
            warmUp.stop();
        }
        server.close();
        cpuPool.shutdown();
        try {
            if (!cpuPool.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("cpu pool did not finish in 5 s; interrupting");
                cpuPool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cpuPool.shutdownNow();
        }
        Exception e = wiring.closeAll();
        if (e != null) {
            LOG.error("closing wired services failed", e);
        }
        prometheus.close();
        LOG.info("Funnel stopped");
    }
}
