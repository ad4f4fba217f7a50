package dev.funnel.loadtest;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * An A/B split scene under a steady open-model rate: every answer's arm (by default the route,
 * {@code $.versions.route}; set {@code armPath} otherwise) is checked by an {@link ArmTracker}: a
 * user never changes arm, there are {@code arms} arms, and each gets at least {@code minArmShare}
 * of the traffic once 200 answers are in. A violation fails that request, so a broken split fails
 * the error-rate assertion; p99 is asserted as in the steady simulation: on the requests after the
 * ramp ({@code recommend a/b}), not the ramp's ({@code recommend a/b (ramp)}, whose arms are checked
 * too); errors over all of them. The observed split is printed at the end.
 *
 * <p>Defaults: scene {@value #DEFAULT_SCENE} (routed 90/10 to {@code control} and {@code wide_hot}
 * by dag-configs/routing.yaml), rate 50/s, 30 s, p99 ≤ 20 ms, arms 2, minArmShare 0.05.
 */
public final class AbSplitSimulation extends Simulation {
    static final String DEFAULT_SCENE = "home";

    private final LoadSettings settings = LoadSettings.fromSystemProperties(50, 30, 20, DEFAULT_SCENE);
    private final String armPath = System.getProperty("armPath", "$.versions.route");
    private final ArmTracker arms = new ArmTracker((int) LoadSettings.number("arms", 2),
            LoadSettings.number("minArmShare", 0.05), 200);
    private final SimTraffic traffic = SimTraffic.defaultWorld();

    {
        System.out.printf("AbSplitSimulation: %s armPath=%s%n", settings, armPath);
        ScenarioBuilder ramp = scenario("a/b split ramp").feed(traffic.recommendFeeder(settings.scenes(), settings.count()))
                .exec(recommend("recommend a/b (ramp)"));
        ScenarioBuilder ab = scenario("a/b split").feed(traffic.recommendFeeder(settings.scenes(), settings.count()))
                .exec(recommend("recommend a/b"));
        setUp(settings.afterRamp(ramp, ab.injectOpen(constantUsersPerSec(settings.rate()).during(settings.durationSeconds()).randomized())))
                .protocols(settings.protocol())
                .assertions(
                        details("recommend a/b").responseTime().percentile(99.0).lte(settings.p99Millis()),
                        details("recommend a/b").failedRequests().percent().lte(settings.maxErrorPercent()),
                        global().failedRequests().percent().lte(settings.maxErrorPercent()));
    }

    private io.gatling.javaapi.http.HttpRequestActionBuilder recommend(String name) {
        return http(name).post("/v1/recommend")
                .body(StringBody(session -> session.getString("body")))
                .check(status().is(200),
                        jsonPath(armPath).ofString()
                                .validate("sticky, balanced arms", (arm, session) -> arms.observe(session.getString("user_id"), arm))
                                .saveAs("arm"));
    }

    @Override
    public void after() {
        System.out.println("a/b split over " + arms.users() + " users: " + arms.split());
    }
}
