package dev.funnel.loadtest;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

/**
 * A steady open-model arrival rate on {@code /v1/recommend}: requests arrive at {@code rate} per
 * second (Poisson arrivals, independent of how fast the server answers, as real clients do) for
 * {@code durationSeconds} after a ramp, from sim users with skewed activity over the scene mix.
 * Fails when p99 exceeds {@code p99Millis} or more than {@code maxErrorPercent} of requests fail.
 *
 * <p>Defaults: rate 100/s, 60 s, p99 ≤ 20 ms, scenes {@value #DEFAULT_SCENES}.
 */
public final class RecommendSteadySimulation extends Simulation {
    static final String DEFAULT_SCENES = "home";

    private final LoadSettings settings = LoadSettings.fromSystemProperties(100, 60, 20, DEFAULT_SCENES);
    private final SimTraffic traffic = SimTraffic.defaultWorld();

    private final ScenarioBuilder steady = scenario("steady recommend")
            .feed(traffic.recommendFeeder(settings.scenes(), settings.count()))
            .exec(Requests.recommend("recommend"));

    {
        System.out.println("RecommendSteadySimulation: " + settings);
        setUp(steady.injectOpen(
                rampUsersPerSec(1).to(settings.rate()).during(settings.rampSeconds()),
                constantUsersPerSec(settings.rate()).during(settings.durationSeconds()).randomized()))
                .protocols(settings.protocol())
                .assertions(
                        global().responseTime().percentile(99.0).lte(settings.p99Millis()),
                        global().failedRequests().percent().lte(settings.maxErrorPercent()));
    }
}
