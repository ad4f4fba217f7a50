package dev.funnel.server.admission;

import dev.funnel.server.FunnelConfig;
import dev.funnel.server.metrics.HttpMetrics;
import dev.funnel.server.serving.WarmUp;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The route handler that puts one event loop's {@link AdmissionControl} in front of an endpoint:
 * mounted once the body has been read (a request still waiting for its body holds no permit, so
 * clients that stall mid-body cannot take them all), it either lets the request through (and
 * releases its permit when the response ends or the stream is reset, whichever comes first, exactly
 * once) or answers {@code 503} with {@code Retry-After} and a fixed JSON error body, without parsing
 * the body or touching the engine. The time it measures runs from the permit to the response's end.
 * A {@link PlatformHandler}, so it goes first on its own route. One per verticle; called on its
 * event loop.
 *
 * <p>Meters: {@code funnel_admission_rejected_total{loop}}, {@code funnel_admission_admitted_total{loop}},
 * {@code funnel_admission_in_flight{loop}}, {@code funnel_admission_limit{loop}}; with delay-based
 * shedding on, also {@code funnel_admission_shed_delay_total{loop}} (the part of the rejections due
 * to queueing delay), {@code funnel_admission_shed_fraction{loop}} (the share of new requests shed now),
 * {@code funnel_admission_queue_delay_seconds{loop}} (the smallest delay of the last interval),
 * {@code funnel_admission_loop_lag_seconds{loop}} (the loop's latest scheduling delay) and
 * {@code funnel_admission_pool_delay_seconds} (the worker pool's latest hand-off delay); sheds also
 * count in {@code funnel_http_requests_seconds{status="503"}}. Always (the CPU target can be set
 * at run time), {@code funnel_admission_shed_cpu_total{loop}} (the rejections due to the process's
 * CPU use) and, once per process ({@link #register(CpuLoadShedder, MeterRegistry)}), {@code
 * funnel_admission_cpu_utilization} and {@code funnel_admission_cpu_shed_fraction}.
 */
public final class AdmissionHandler implements PlatformHandler {
    private static final Buffer SHED_BODY = Buffer.buffer(("{\"error\":{\"status\":503,\"code\":\"overloaded\","
            + "\"message\":\"server is at its admission limit; retry after the Retry-After delay\",\"field\":null}}")
            .getBytes(StandardCharsets.UTF_8));

    private final AdmissionControl admission;
    private final HttpMetrics metrics;
    private final String endpoint;
    private final String retryAfter;
    private final LoopDelayProbe probe;
    private final String warmUpToken; // null: every request is subject to admission

    /**
     * @param admission this loop's limiter
     * @param metrics   where a shed request is counted (scene {@link HttpMetrics#NO_SCENE}: the body is not parsed)
     * @param endpoint  the endpoint tag, e.g. {@code recommend}
     */
    public AdmissionHandler(AdmissionControl admission, HttpMetrics metrics, String endpoint) {
        this(admission, metrics, endpoint, null, null);
    }

    private AdmissionHandler(AdmissionControl admission, HttpMetrics metrics, String endpoint, LoopDelayProbe probe,
                             String warmUpToken) {
        this.admission = admission;
        this.metrics = metrics;
        this.endpoint = endpoint;
        this.retryAfter = Integer.toString(admission.retryAfterSeconds());
        this.probe = probe;
        this.warmUpToken = warmUpToken;
    }

    /**
     * One handler for the recommend endpoint of one event loop, configured from
     * {@code admission.*} keys of the server config (see {@link #configFrom} and
     * {@link #delayConfigFrom}) and registered with the meter registry under the {@code loop} tag of
     * the calling thread's name: call it from the verticle's start, on its event loop. With
     * delay-based shedding on, it starts the loop's delay probe on {@code loop}; {@link #close}
     * stops it.
     *
     * @param loop        the event loop this handler serves (its Netty event loop)
     * @param poolDelay   the worker pool's delay probe, shared by all loops; null to watch the loop alone
     * @param warmUpToken the server's start-up warm-up token ({@link WarmUp#HEADER}), or null: its
     *                    requests pass without a permit, uncounted (they bound themselves, and
     *                    shedding them would leave the JIT cold and the limit cut before real traffic)
     * @param cpuLoad     the process's CPU-load shedder, shared by every loop ({@link CpuLoadShedder#off()}
     *                    when not configured)
     */
    public static AdmissionHandler forRecommend(FunnelConfig config, HttpMetrics metrics, MeterRegistry registry,
                                                ScheduledExecutorService loop, PoolDelayProbe poolDelay,
                                                String warmUpToken, CpuLoadShedder cpuLoad) {
        QueueDelayShedder shedder = new QueueDelayShedder(delayConfigFrom(config));
        AdmissionControl ac = new AdmissionControl(configFrom(config), shedder, cpuLoad);
        LoopDelayProbe probe = null;
        String loopName = Thread.currentThread().getName();
        register(ac, registry, loopName);
        // Always: the CPU target can be set at run time (admin API).
        FunctionCounter.builder("funnel.admission.shed.cpu", ac, AdmissionControl::shedForCpuCount)
                .description("requests shed because the process's CPU use stood above its target").tag("loop", loopName)
                .register(registry);
        if (shedder.config().enabled()) {
            probe = new LoopDelayProbe(shedder, poolDelay);
            registerDelay(ac, probe, registry, loopName);
            probe.start(loop);
        }
        return new AdmissionHandler(ac, metrics, "recommend", probe, warmUpToken);
    }

    /** The worker pool's probe's meters; call once per pool. */
    public static void register(PoolDelayProbe poolDelay, MeterRegistry registry) {
        Gauge.builder("funnel.admission.pool.delay", poolDelay, p -> p.lastSojournNanos() / 1e9)
                .description("how long the last probe task waited in the worker pool").baseUnit("seconds")
                .register(registry);
        FunctionCounter.builder("funnel.admission.pool.probe.rejected", poolDelay, PoolDelayProbe::rejectedCount)
                .description("probe tasks the worker pool rejected (queue full)").register(registry);
    }

    /** The CPU-load shedder's meters; call once per process. */
    public static void register(CpuLoadShedder cpuLoad, MeterRegistry registry) {
        Gauge.builder("funnel.admission.cpu.utilization", cpuLoad, CpuLoadShedder::utilization)
                .description("the process's CPU use over the last interval, as a share of its cores").register(registry);
        Gauge.builder("funnel.admission.cpu.shed.fraction", cpuLoad, CpuLoadShedder::shedFraction)
                .description("share of new requests shed for CPU load").register(registry);
    }

    /**
     * The CPU-load settings in the server config ({@code FUNNEL_ADMISSION_CPU_TARGET_PERCENT} etc. in
     * the environment): {@code admission.cpu.target.percent} (default 0 = off; the process's CPU use,
     * in percent of its cores, above which a share of new requests is shed) and {@code
     * admission.cpu.interval.ms} (default 100). See {@link CpuLoadShedder}.
     */
    public static CpuLoadConfig cpuConfigFrom(FunnelConfig config) {
        return CpuLoadConfig.of(config.getInt("admission.cpu.target.percent", CpuLoadConfig.OFF.targetPercent()),
                config.getInt("admission.cpu.interval.ms", (int) (CpuLoadConfig.DEFAULT_INTERVAL_NANOS / 1_000_000)));
    }

    /**
     * The queueing-delay settings in the server config ({@code FUNNEL_ADMISSION_DELAY_TARGET_MS} etc.
     * in the environment): {@code admission.delay.target.ms} (default 5; 0 = no delay-based
     * shedding), {@code admission.delay.interval.ms} (default 100), {@code admission.delay.probe.ms}
     * (default 5). See {@link QueueDelayConfig}.
     */
    public static QueueDelayConfig delayConfigFrom(FunnelConfig config) {
        QueueDelayConfig d = QueueDelayConfig.DEFAULT;
        return QueueDelayConfig.ofMillis(
                config.getInt("admission.delay.target.ms", (int) (d.targetNanos() / 1_000_000)),
                config.getInt("admission.delay.interval.ms", (int) (d.intervalNanos() / 1_000_000)),
                config.getInt("admission.delay.probe.ms", (int) (d.probePeriodNanos() / 1_000_000)));
    }

    /**
     * The admission settings in the server config ({@code FUNNEL_ADMISSION_MAX} etc. in the
     * environment): {@code admission.max} (in flight per event loop, default
     * {@value AdmissionConfig#DEFAULT_MAX_IN_FLIGHT}), {@code admission.min}, {@code admission.target.ms}
     * (0 = fixed limit), {@code admission.window}, {@code admission.retry.seconds}.
     */
    public static AdmissionConfig configFrom(FunnelConfig config) {
        AdmissionConfig d = AdmissionConfig.DEFAULT;
        int max = config.getInt("admission.max", d.maxInFlight());
        return new AdmissionConfig(max,
                config.getInt("admission.min", Math.min(d.minInFlight(), max)),
                config.getInt("admission.target.ms", (int) (d.targetLatencyNanos() / 1_000_000)) * 1_000_000L,
                config.getInt("admission.window", d.windowSize()),
                config.getInt("admission.retry.seconds", d.retryAfterSeconds()));
    }

    static void register(AdmissionControl ac, MeterRegistry registry, String loop) {
        FunctionCounter.builder("funnel.admission.rejected", ac, AdmissionControl::rejectedCount)
                .description("requests shed by admission control").tag("loop", loop).register(registry);
        FunctionCounter.builder("funnel.admission.admitted", ac, AdmissionControl::admittedCount)
                .description("requests admitted").tag("loop", loop).register(registry);
        Gauge.builder("funnel.admission.in.flight", ac, AdmissionControl::inFlight)
                .description("admitted requests not yet answered").tag("loop", loop).register(registry);
        Gauge.builder("funnel.admission.limit", ac, AdmissionControl::limit)
                .description("current bound on requests in flight").tag("loop", loop).register(registry);
    }

    private static void registerDelay(AdmissionControl ac, LoopDelayProbe probe, MeterRegistry registry, String loop) {
        QueueDelayShedder shedder = ac.delayShedder();
        FunctionCounter.builder("funnel.admission.shed.delay", ac, AdmissionControl::shedForDelayCount)
                .description("requests shed because the queueing delay stood above its target").tag("loop", loop)
                .register(registry);
        Gauge.builder("funnel.admission.shed.fraction", shedder, QueueDelayShedder::shedFraction)
                .description("share of new requests shed for queueing delay").tag("loop", loop).register(registry);
        Gauge.builder("funnel.admission.queue.delay", shedder, s -> s.lastIntervalMinNanos() / 1e9)
                .description("smallest queueing delay sampled in the last interval").baseUnit("seconds")
                .tag("loop", loop).register(registry);
        Gauge.builder("funnel.admission.loop.lag", probe, p -> p.lastLoopLagNanos() / 1e9)
                .description("how late the event loop ran its last probe tick").baseUnit("seconds")
                .tag("loop", loop).register(registry);
    }

    /** Stops the loop's delay probe, if any. Idempotent. */
    public void close() {
        if (probe != null) {
            probe.stop();
        }
    }

    /**
     * Set (to {@code Boolean.TRUE}) on the routing context by a handler whose request waited for one
     * of its DAG nodes to run out its deadline: see {@link AdmissionControl#release(long, boolean)}.
     */
    public static final String WAITED_ON_DEADLINE = "funnel.admission.waitedOnDeadline";

    @Override
    public void handle(RoutingContext rc) {
        if (WarmUp.isWarmUp(warmUpToken, rc.request().getHeader(WarmUp.HEADER))) {
            rc.next();
            return;
        }
        long arrivalNanos = System.nanoTime();
        if (!admission.tryAcquire()) {
            rc.response().setStatusCode(503)
                    .putHeader("retry-after", retryAfter)
                    .putHeader("content-type", "application/json")
                    .end(SHED_BODY);
            metrics.request(endpoint, HttpMetrics.NO_SCENE, 503, System.nanoTime() - arrivalNanos);
            return;
        }
        // Called once, when the response is written or the stream/connection is gone.
        rc.addEndHandler(ar -> admission.release(System.nanoTime() - arrivalNanos, Boolean.TRUE.equals(rc.get(WAITED_ON_DEADLINE))));
        rc.next();
    }

    /** This handler's limiter (tests, metrics). */
    public AdmissionControl admission() {
        return admission;
    }
}
