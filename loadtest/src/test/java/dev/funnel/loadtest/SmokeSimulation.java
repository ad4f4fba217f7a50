package dev.funnel.loadtest;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

/**
 * The short run CI does on every build ({@code LoadtestSmokeTest} starts a server and runs this):
 * a low open-model rate of recommend-then-feedback for a few seconds. It checks the plumbing (h2
 * over TLS, the JSON contract, feedback accepted), not speed: p99 is generous because the JVMs
 * are cold, and no request may fail.
 *
 * <p>Defaults: rate 20/s, 8 s, p99 ≤ 1000 ms, maxErrorPercent 0.
 */
public final class SmokeSimulation extends Simulation {
    private final LoadSettings settings = new LoadSettings(
            System.getProperty("target", LoadSettings.DEFAULT_TARGET),
            LoadSettings.number("rate", 20),
            (int) LoadSettings.number("durationSeconds", 8),
            0,
            (int) LoadSettings.number("p99Millis", 1_000),
            LoadSettings.number("maxErrorPercent", 0),
            SceneMix.parse(System.getProperty("scenes", RecommendSteadySimulation.DEFAULT_SCENES)),
            (int) LoadSettings.number("count", LoadSettings.DEFAULT_COUNT));
    private final SimTraffic traffic = SimTraffic.defaultWorld();

    {
        System.out.println("SmokeSimulation: " + settings);
        ScenarioBuilder smoke = scenario("smoke")
                .feed(traffic.recommendFeeder(settings.scenes(), settings.count()))
                .exec(Requests.recommend("recommend"))
                .exec(Requests.feedback(traffic, "feedback"));
        setUp(smoke.injectOpen(constantUsersPerSec(settings.rate()).during(settings.durationSeconds())))
                .protocols(settings.protocol())
                .assertions(
                        global().responseTime().percentile(99.0).lte(settings.p99Millis()),
                        global().failedRequests().percent().lte(settings.maxErrorPercent()));
    }

    @Override
    public void after() {
        Requests.printLearningTraffic();
    }
}
