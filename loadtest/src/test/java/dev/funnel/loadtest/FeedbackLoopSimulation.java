package dev.funnel.loadtest;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import java.time.Duration;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

/**
 * The learning loop's traffic, closed model: {@code concurrency} users each ask for a slate, report
 * it back on {@code /v1/feedback} (an expose per item, a click for each item the sim user clicks
 * at its position under the sim click model), think for {@code thinkMillis} (uniform 0.5–1.5×),
 * and go again, for {@code durationSeconds}. So the trainer sees real-looking impressions joined
 * with clicks, and what the model learns shows up as a rising clicks-per-slate figure (printed at
 * the end). Fails on p99 above {@code p99Millis} (either call, after the ramp of
 * {@code rampSeconds} from 1 user) or errors above {@code maxErrorPercent} (ramp included).
 *
 * <p>Defaults: concurrency 16, thinkMillis 100, 60 s, p99 ≤ 50 ms.
 */
public final class FeedbackLoopSimulation extends Simulation {
    private final LoadSettings settings = LoadSettings.fromSystemProperties(1, 60, 50, RecommendSteadySimulation.DEFAULT_SCENES);
    private final int concurrency = (int) LoadSettings.number("concurrency", 16);
    private final long thinkMillis = (long) LoadSettings.number("thinkMillis", 100);
    private final SimTraffic traffic = SimTraffic.defaultWorld();

    {
        if (concurrency < 1 || concurrency > 10_000 || thinkMillis < 0) {
            throw new IllegalArgumentException("feedback loop: need concurrency in 1..10000 and thinkMillis >= 0, got "
                    + concurrency + ", " + thinkMillis);
        }
        System.out.printf("FeedbackLoopSimulation: %s concurrency=%d thinkMillis=%d%n", settings, concurrency, thinkMillis);
        ScenarioBuilder loop = loop("recommend then feedback", "");
        // The ramp's users run a scenario of their own, their requests named "(ramp)": the p99
        // assertions cover the loop at full concurrency only (the ramp measures cold start), as in
        // the open-model simulations (LoadSettings.afterRamp). Gatling refuses a 0-second ramp.
        PopulationBuilder main = loop.injectClosed(constantConcurrentUsers(concurrency).during(settings.durationSeconds()));
        setUp(settings.rampSeconds() == 0 ? main
                : loop("recommend then feedback ramp", " (ramp)").injectClosed(
                        rampConcurrentUsers(1).to(concurrency).during(settings.rampSeconds())).andThen(main))
                .protocols(settings.protocol())
                .assertions(
                        details("recommend").responseTime().percentile(99.0).lte(settings.p99Millis()),
                        details("feedback").responseTime().percentile(99.0).lte(settings.p99Millis()),
                        global().failedRequests().percent().lte(settings.maxErrorPercent()));
    }

    private ScenarioBuilder loop(String name, String requestSuffix) {
        return scenario(name)
                .feed(traffic.recommendFeeder(settings.scenes(), settings.count()))
                .exec(Requests.recommend("recommend" + requestSuffix))
                .exec(Requests.feedback(traffic, "feedback" + requestSuffix))
                .pause(Duration.ofMillis(thinkMillis / 2), Duration.ofMillis(thinkMillis * 3 / 2));
    }

    @Override
    public void after() {
        Requests.printLearningTraffic();
    }
}
