package dev.funnel.server.admission;

import dev.funnel.server.FunnelConfig;
import dev.funnel.server.metrics.HttpMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

import java.nio.charset.StandardCharsets;

/**
 * The route handler that puts one event loop's {@link AdmissionControl} in front of an endpoint:
 * mounted before the body is read, it either lets the request through (and releases its permit
 * when the response ends or the stream is reset, whichever comes first, exactly once) or answers
 * {@code 503} with {@code Retry-After} and a fixed JSON error body, without reading the body or
 * touching the engine. A {@link PlatformHandler}, so Vert.x Web lets it run before the body
 * handler. One per verticle; called on its event loop.
 *
 * <p>Meters: {@code funnel_admission_rejected_total{loop}}, {@code funnel_admission_admitted_total{loop}},
 * {@code funnel_admission_in_flight{loop}}, {@code funnel_admission_limit{loop}}; sheds also count
 * in {@code funnel_http_requests_seconds{status="503"}}.
 */
public final class AdmissionHandler implements PlatformHandler {
    private static final Buffer SHED_BODY = Buffer.buffer(("{\"error\":{\"status\":503,\"code\":\"overloaded\","
            + "\"message\":\"server is at its admission limit; retry after the Retry-After delay\",\"field\":null}}")
            .getBytes(StandardCharsets.UTF_8));

    private final AdmissionControl admission;
    private final HttpMetrics metrics;
    private final String endpoint;
    private final String retryAfter;

    /**
     * @param admission this loop's limiter
     * @param metrics   where a shed request is counted (scene {@link HttpMetrics#NO_SCENE}: the body is not read)
     * @param endpoint  the endpoint tag, e.g. {@code recommend}
     */
    public AdmissionHandler(AdmissionControl admission, HttpMetrics metrics, String endpoint) {
        this.admission = admission;
        this.metrics = metrics;
        this.endpoint = endpoint;
        this.retryAfter = Integer.toString(admission.retryAfterSeconds());
    }

    /**
     * One handler for the recommend endpoint of one event loop, configured from
     * {@code admission.*} keys of the server config (see {@link #configFrom}) and registered with the
     * meter registry under the {@code loop} tag of the calling thread's name: call it from the
     * verticle's start, on its event loop.
     */
    public static AdmissionHandler forRecommend(FunnelConfig config, HttpMetrics metrics, MeterRegistry registry) {
        AdmissionControl ac = new AdmissionControl(configFrom(config));
        register(ac, registry, Thread.currentThread().getName());
        return new AdmissionHandler(ac, metrics, "recommend");
    }

    /**
     * The admission settings in the server config ({@code FUNNEL_ADMISSION_MAX} etc. in the
     * environment): {@code admission.max} (in flight per event loop, default
     * {@value AdmissionConfig#DEFAULT_MAX_IN_FLIGHT}), {@code admission.min}, {@code admission.target.ms}
     * (0 = fixed limit), {@code admission.window}, {@code admission.retry.seconds}.
     */
    public static AdmissionConfig configFrom(FunnelConfig config) {
        AdmissionConfig d = AdmissionConfig.DEFAULT;
        int max = integer(config, "admission.max", d.maxInFlight());
        return new AdmissionConfig(max,
                integer(config, "admission.min", Math.min(d.minInFlight(), max)),
                integer(config, "admission.target.ms", (int) (d.targetLatencyNanos() / 1_000_000)) * 1_000_000L,
                integer(config, "admission.window", d.windowSize()),
                integer(config, "admission.retry.seconds", d.retryAfterSeconds()));
    }

    private static int integer(FunnelConfig config, String key, int defaultValue) {
        String v = config.get(key, null);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'", e);
        }
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

    @Override
    public void handle(RoutingContext rc) {
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
        rc.addEndHandler(ar -> admission.release(System.nanoTime() - arrivalNanos));
        rc.next();
    }

    /** This handler's limiter (tests, metrics). */
    public AdmissionControl admission() {
        return admission;
    }
}
