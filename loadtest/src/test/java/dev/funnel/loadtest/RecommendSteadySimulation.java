package dev.funnel.loadtest;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

/**
 * A steady open-model arrival rate on {@code /v1/recommend}: requests arrive at {@code rate} per
 * second (Poisson arrivals, independent of how fast the server answers, as real clients do) for
 * {@code durationSeconds} after a ramp, from sim users with skewed activity over the scene mix.
 * Fails when the p99 of the steady part exceeds {@code p99Millis} or more than {@code maxErrorPercent}
 * of requests fail (ramp included); the ramp's requests are reported as {@code recommend (ramp)}
 * ({@code rampSeconds} 0: no ramp).
 *
 * <p>Defaults: rate 100/s, 60 s, p99 ≤ 20 ms, scenes {@value #DEFAULT_SCENES}.
 */
public final class RecommendSteadySimulation extends Simulation {
    static final String DEFAULT_SCENES = "home";

    private final LoadSettings settings = LoadSettings.fromSystemProperties(100, 60, 20, DEFAULT_SCENES);
    private final SimTraffic traffic = SimTraffic.defaultWorld();

    // The ramp is its own scenario, reported as "recommend (ramp)" and kept out of the p99 assertion (LoadSettings.afterRamp).
    private final ScenarioBuilder ramp = scenario("ramp")
            .feed(traffic.recommendFeeder(settings.scenes(), settings.count()))
            .exec(Requests.recommend("recommend (ramp)"));
    private final ScenarioBuilder steady = scenario("steady recommend")
            .feed(traffic.recommendFeeder(settings.scenes(), settings.count()))
            .exec(Requests.recommend("recommend"));

    {
        System.out.println("RecommendSteadySimulation: " + settings);
        setUp(settings.afterRamp(ramp,
                steady.injectOpen(constantUsersPerSec(settings.rate()).during(settings.durationSeconds()).randomized())))
                .protocols(settings.protocol())
                .assertions(
                        details("recommend").responseTime().percentile(99.0).lte(settings.p99Millis()),
                        details("recommend").failedRequests().percent().lte(settings.maxErrorPercent()),
                        global().failedRequests().percent().lte(settings.maxErrorPercent()));
    }
}
