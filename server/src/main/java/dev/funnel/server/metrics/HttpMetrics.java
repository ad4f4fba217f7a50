package dev.funnel.server.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * HTTP request rate and latency: {@code funnel_http_requests_seconds{endpoint,scene,status}} (count
 * is the rate), and {@code funnel_response_items{scene}}. Scene is tagged only for scenes the
 * router knows ({@code -} otherwise), so clients cannot blow up cardinality. Any thread.
 */
public final class HttpMetrics {

    /** The scene tag for requests without a known scene. */
    public static final String NO_SCENE = "-";

    private final MeterRegistry registry;
    private final ConcurrentMap<String, ConcurrentMap<String, AtomicReferenceArray<Timer>>> timers = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, DistributionSummary> items = new ConcurrentHashMap<>();

    public HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Records one finished request. */
    public void request(String endpoint, String scene, int status, long tookNanos) {
        AtomicReferenceArray<Timer> byStatus = timers.computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>())
                .computeIfAbsent(scene, s -> new AtomicReferenceArray<>(600));
        int i = status >= 100 && status < 600 ? status : 599;
        Timer t = byStatus.get(i);
        if (t == null) {
            t = Timer.builder("funnel.http.requests").description("HTTP requests by endpoint, scene and status")
                    .tags("endpoint", endpoint, "scene", scene, "status", Integer.toString(i))
                    .serviceLevelObjectives(Slos.LATENCY).register(registry);
            byStatus.set(i, t); // a racing writer registers the same meter: Micrometer dedupes by id
        }
        t.record(tookNanos, TimeUnit.NANOSECONDS);
    }

    /** Records how many items a response carried. */
    public void items(String scene, int count) {
        items.computeIfAbsent(scene, s -> DistributionSummary.builder("funnel.response.items")
                .description("items per response").tags("scene", s).serviceLevelObjectives(Slos.SIZES)
                .register(registry)).record(count);
    }
}
