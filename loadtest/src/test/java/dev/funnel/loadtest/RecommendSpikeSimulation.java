package dev.funnel.loadtest;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

/**
 * A spike: after a ramp to {@code rate} ({@code rampSeconds}; requests named {@code recommend (ramp)},
 * not asserted on p99, as in the steady simulation), {@code rate} per second for
 * {@code durationSeconds}, then {@code spikeFactor} times that for {@code spikeSeconds}, then
 * {@code rate} again for {@code durationSeconds}. Each phase names its requests ({@code before spike},
 * {@code in spike}, {@code after spike}) so the report shows them apart.
 *
 * <p>During the spike a fast 503 with {@code Retry-After} (admission control shedding) counts as a
 * correct answer; any other error or a 503 without the header fails the request. Fails the run
 * when: before or after the spike, p99 is above {@code p99Millis} or errors above
 * {@code maxErrorPercent} (after: the server recovered); in the spike, p99 of all answers (served
 * and shed) is above {@code spikeP99Millis} or real errors above {@code maxErrorPercent}; or over the
 * whole run (ramp included) errors are above {@code maxErrorPercent}.
 *
 * <p>Defaults: rate 100/s, 20 s each side, spikeFactor 4, spikeSeconds 10, p99 ≤ 20 ms,
 * spikeP99Millis 200.
 */
public final class RecommendSpikeSimulation extends Simulation {
    private final LoadSettings settings = LoadSettings.fromSystemProperties(100, 20, 20, RecommendSteadySimulation.DEFAULT_SCENES);
    private final double spikeFactor = LoadSettings.number("spikeFactor", 4);
    private final int spikeSeconds = (int) LoadSettings.number("spikeSeconds", 10);
    private final int spikeP99Millis = (int) LoadSettings.number("spikeP99Millis", 200);
    private final SimTraffic traffic = SimTraffic.defaultWorld();

    {
        if (!(spikeFactor > 1) || spikeSeconds < 1 || spikeSeconds > 600 || spikeP99Millis < 1) {
            throw new IllegalArgumentException("spike settings: need spikeFactor > 1, spikeSeconds in 1..600, spikeP99Millis > 0; got "
                    + spikeFactor + ", " + spikeSeconds + ", " + spikeP99Millis);
        }
        double rate = settings.rate();
        double peak = rate * spikeFactor;
        System.out.printf("RecommendSpikeSimulation: %s spikeFactor=%.1f spikeSeconds=%d spikeP99Millis=%d%n",
                settings, spikeFactor, spikeSeconds, spikeP99Millis);
        ScenarioBuilder ramp = scenario("ramp").feed(traffic.recommendFeeder(settings.scenes(), settings.count()))
                .exec(Requests.recommend("recommend (ramp)"));
        ScenarioBuilder before = phase("before spike", false);
        ScenarioBuilder spike = phase("in spike", true);
        ScenarioBuilder after = phase("after spike", false);
        setUp(settings.afterRamp(ramp, before.injectOpen(
                        constantUsersPerSec(rate).during(settings.durationSeconds()).randomized())
                .andThen(spike.injectOpen(
                        rampUsersPerSec(rate).to(peak).during(1),
                        constantUsersPerSec(peak).during(spikeSeconds).randomized()))
                .andThen(after.injectOpen(
                        constantUsersPerSec(rate).during(settings.durationSeconds()).randomized()))))
                .protocols(settings.protocol())
                .assertions(
                        details("recommend before spike").responseTime().percentile(99.0).lte(settings.p99Millis()),
                        details("recommend before spike").failedRequests().percent().lte(settings.maxErrorPercent()),
                        details("recommend in spike").responseTime().percentile(99.0).lte(spikeP99Millis),
                        details("recommend in spike").failedRequests().percent().lte(settings.maxErrorPercent()),
                        details("recommend after spike").responseTime().percentile(99.0).lte(settings.p99Millis()),
                        details("recommend after spike").failedRequests().percent().lte(settings.maxErrorPercent()),
                        global().failedRequests().percent().lte(settings.maxErrorPercent()));
    }

    private ScenarioBuilder phase(String name, boolean mayShed) {
        return scenario(name)
                .feed(traffic.recommendFeeder(settings.scenes(), settings.count()))
                .exec(mayShed ? Requests.recommendOrShed("recommend " + name) : Requests.recommend("recommend " + name));
    }
}
