package dev.funnel.loadtest;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.util.Locale;

import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.http.HttpDsl.http;

/**
 * What a simulation is told from the command line, read once from system properties and validated
 * there (a bad value fails the run before any load is sent, naming the property and the value).
 *
 * <table>
 *   <caption>System properties</caption>
 *   <tr><td>{@code target}</td><td>base URL, default {@value #DEFAULT_TARGET} (h2 over TLS)</td></tr>
 *   <tr><td>{@code rate}</td><td>arrivals per second (open model) or users (closed model)</td></tr>
 *   <tr><td>{@code durationSeconds}</td><td>how long the main phase lasts</td></tr>
 *   <tr><td>{@code rampSeconds}</td><td>ramp to the rate before it, default 5; 0 = no ramp</td></tr>
 *   <tr><td>{@code p99Millis}</td><td>the run fails when p99 is above it</td></tr>
 *   <tr><td>{@code maxErrorPercent}</td><td>the run fails when more requests fail</td></tr>
 *   <tr><td>{@code scenes}</td><td>scene mix, {@code name:weight,...}</td></tr>
 *   <tr><td>{@code count}</td><td>items asked for per request, default 20</td></tr>
 * </table>
 *
 * <p>Load goes to 127.0.0.1 unless {@code target} says otherwise; every injection profile is
 * bounded by {@code durationSeconds}.
 */
record LoadSettings(String target, double rate, int durationSeconds, int rampSeconds, int p99Millis,
                    double maxErrorPercent, SceneMix scenes, int count) {

    static final String DEFAULT_TARGET = "https://127.0.0.1:8443";
    static final int DEFAULT_RAMP_SECONDS = 5;
    static final int DEFAULT_COUNT = 20;
    static final double DEFAULT_MAX_ERROR_PERCENT = 1.0;

    LoadSettings {
        if (!target.startsWith("https://") && !target.startsWith("http://")) {
            throw new IllegalArgumentException("target must be an http(s) URL, got '" + target + "'");
        }
        require(rate > 0, "rate must be > 0, got " + rate);
        require(durationSeconds > 0 && durationSeconds <= 3_600, "durationSeconds must be in 1..3600, got " + durationSeconds);
        require(rampSeconds >= 0 && rampSeconds <= 600, "rampSeconds must be in 0..600, got " + rampSeconds);
        require(p99Millis > 0, "p99Millis must be > 0, got " + p99Millis);
        require(maxErrorPercent >= 0 && maxErrorPercent <= 100, "maxErrorPercent must be in 0..100, got " + maxErrorPercent);
        require(count > 0 && count <= 1_000, "count must be in 1..1000, got " + count);
        if (target.endsWith("/")) {
            target = target.substring(0, target.length() - 1);
        }
    }

    /** Reads the settings, with this simulation's own defaults for rate, duration and p99. */
    static LoadSettings fromSystemProperties(double defaultRate, int defaultDurationSeconds, int defaultP99Millis,
                                             String defaultScenes) {
        return new LoadSettings(
                System.getProperty("target", DEFAULT_TARGET),
                number("rate", defaultRate),
                (int) number("durationSeconds", defaultDurationSeconds),
                (int) number("rampSeconds", DEFAULT_RAMP_SECONDS),
                (int) number("p99Millis", defaultP99Millis),
                number("maxErrorPercent", DEFAULT_MAX_ERROR_PERCENT),
                SceneMix.parse(System.getProperty("scenes", defaultScenes)),
                (int) number("count", DEFAULT_COUNT));
    }

    /**
     * HTTP/2 over TLS with ALPN; one shared connection pool for all virtual users (a real client
     * fleet multiplexes streams over few connections, not one TLS handshake per request). Gatling
     * trusts any certificate by default, so the server's self-signed one is accepted.
     */
    HttpProtocolBuilder protocol() {
        return http.baseUrl(target)
                .enableHttp2()
                .shareConnections()
                .contentTypeHeader("application/json")
                .acceptHeader("application/json")
                .disableCaching()
                .warmUp(target + "/health/live");
    }

    /**
     * {@code main} after an open-model ramp from 1/s to {@code rate} over {@code rampSeconds}, run as
     * {@code ramp}: a scenario of its own whose requests carry their own names, so that they are
     * reported apart and kept out of the p99 assertions (the ramp's first seconds measure the cold
     * start of Gatling's JVM, which shares the machine with the server, as much as the server).
     * With {@code rampSeconds} 0, {@code main} alone: Gatling refuses a ramp of 0 seconds.
     */
    PopulationBuilder afterRamp(ScenarioBuilder ramp, PopulationBuilder main) {
        if (rampSeconds == 0) {
            return main;
        }
        return ramp.injectOpen(rampUsersPerSec(1).to(rate).during(rampSeconds)).andThen(main);
    }

    static double number(String property, double defaultValue) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + property + " must be a number, got '" + v + "'", e);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("load settings: " + message);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "target=%s rate=%.1f/s duration=%ds ramp=%ds p99<=%dms errors<=%.2f%% scenes=%s count=%d",
                target, rate, durationSeconds, rampSeconds, p99Millis, maxErrorPercent, scenes, count);
    }
}
