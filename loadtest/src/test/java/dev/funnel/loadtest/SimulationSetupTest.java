package dev.funnel.loadtest;

import io.gatling.javaapi.core.Simulation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Builds the open-model simulations as Gatling would, without a server: each accepts every
 * {@code rampSeconds} that {@link LoadSettings} does (0 = no ramp; Gatling refuses a 0-second ramp
 * step), and asserts p99 only on requests after the ramp, as the steady simulation does (the ramp
 * measures cold start). Gatling's Scala types are reached by reflection: javac cannot read some of
 * their signatures.
 */
class SimulationSetupTest {

    @BeforeAll
    static void gatlingConfiguration() throws Exception {
        // what Gatling's runner does before it instantiates a simulation (the DSL reads it)
        Object config = configuration();
        Class<?> predef = Class.forName("io.gatling.core.Predef$");
        predef.getMethod("_configuration_$eq", Class.forName("io.gatling.core.config.GatlingConfiguration"))
                .invoke(predef.getField("MODULE$").get(null), config);
        System.setProperty("simItems", "2000"); // a small world: the simulations draw users from it
        System.setProperty("simUsers", "200");
    }

    @AfterEach
    void clearRamp() {
        System.clearProperty("rampSeconds");
    }

    @ParameterizedTest(name = "{0} rampSeconds={1}")
    @CsvSource({
            "RecommendSteadySimulation, 0", "RecommendSteadySimulation, 5",
            "AbSplitSimulation, 0", "AbSplitSimulation, 5",
            "RecommendSpikeSimulation, 0", "RecommendSpikeSimulation, 5"})
    void buildsWithAnyRampAndAssertsP99WithoutIt(String simulation, int rampSeconds) throws Exception {
        System.setProperty("rampSeconds", Integer.toString(rampSeconds));
        Simulation sim = (Simulation) Class.forName("dev.funnel.loadtest." + simulation).getDeclaredConstructor().newInstance();
        List<String> p99 = new ArrayList<>();
        for (String a : assertions(sim)) {
            if (a.contains("Percentile(99.0)")) {
                p99.add(a);
            }
        }
        assertFalse(p99.isEmpty(), simulation + " asserts p99");
        // the ramp from 1/s runs as a scenario of its own (its requests named "(ramp)"), or not at all
        for (java.util.Map.Entry<String, String> pop : populations(sim).entrySet()) {
            boolean rampsFromOne = pop.getValue().contains("RampRateOpenInjection(1.0,");
            assertEquals(pop.getKey().contains("ramp"), rampsFromOne, simulation + ": " + pop);
            assertFalse(rampsFromOne && rampSeconds == 0, simulation + ": no ramp asked for: " + pop);
        }
        assertEquals(rampSeconds > 0, populations(sim).keySet().stream().anyMatch(n -> n.contains("ramp")), simulation);
        for (String a : p99) {
            assertTrue(a.startsWith("Assertion(Details(List(recommend") && !a.contains("ramp"),
                    simulation + ": p99 asserted on the requests after the ramp only, got " + a);
        }
    }

    /** The closed-model loop: its ramp of users is a scenario of its own too, or none at 0. */
    @ParameterizedTest(name = "FeedbackLoopSimulation rampSeconds={0}")
    @CsvSource({"0", "5"})
    void theFeedbackLoopAssertsP99AfterItsRamp(int rampSeconds) throws Exception {
        System.setProperty("rampSeconds", Integer.toString(rampSeconds));
        Simulation sim = new FeedbackLoopSimulation();
        java.util.Map<String, String> pops = populations(sim);
        assertEquals(rampSeconds > 0 ? 2 : 1, pops.size(), pops.toString());
        for (java.util.Map.Entry<String, String> pop : pops.entrySet()) {
            boolean ramps = pop.getValue().contains("Ramp");
            assertEquals(pop.getKey().endsWith("ramp"), ramps, "FeedbackLoopSimulation: " + pop);
        }
        List<String> p99 = assertions(sim).stream().filter(a -> a.contains("Percentile(99.0)")).toList();
        assertEquals(2, p99.size(), p99.toString());
        for (String a : p99) {
            assertTrue((a.startsWith("Assertion(Details(List(recommend))") || a.startsWith("Assertion(Details(List(feedback))"))
                    && !a.contains("ramp"), "p99 asserted on the loop after the ramp only, got " + a);
        }
    }

    private static Object configuration() throws Exception {
        Class<?> c = Class.forName("io.gatling.core.config.GatlingConfiguration$");
        return c.getMethod("load").invoke(c.getField("MODULE$").get(null));
    }

    /** Scenario name → its injection profile, for every population of the simulation. */
    private static java.util.Map<String, String> populations(Simulation sim) throws Exception {
        Object p = params(sim);
        Object roots = p.getClass().getMethod("rootPopulationBuilders").invoke(p);
        Class<?> pb = Class.forName("io.gatling.core.structure.PopulationBuilder");
        Object all = pb.getMethod("flatten", Class.forName("scala.collection.immutable.List")).invoke(null, roots);
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (Object pop : list(all)) {
            Object scenario = pb.getMethod("scenarioBuilder").invoke(pop);
            out.put(String.valueOf(scenario.getClass().getMethod("name").invoke(scenario)),
                    String.valueOf(pb.getMethod("injectionProfile").invoke(pop)));
        }
        return out;
    }

    private static Object params(Simulation sim) throws Exception {
        for (Method m : Simulation.class.getMethods()) {
            if (m.getName().equals("params")) {
                return m.invoke(sim, configuration(), sim.getClass().getSimpleName());
            }
        }
        throw new AssertionError("no Simulation.params");
    }

    private static List<Object> list(Object scalaIterable) throws Exception {
        Object it = scalaIterable.getClass().getMethod("iterator").invoke(scalaIterable);
        Method hasNext = it.getClass().getMethod("hasNext");
        Method next = it.getClass().getMethod("next");
        hasNext.setAccessible(true);
        next.setAccessible(true);
        List<Object> out = new ArrayList<>();
        while ((Boolean) hasNext.invoke(it)) {
            out.add(next.invoke(it));
        }
        return out;
    }

    /** The simulation's assertions as Gatling reads them ({@code Assertion(path, target, condition)}). */
    private static List<String> assertions(Simulation sim) throws Exception {
        Object p = params(sim);
        List<String> out = new ArrayList<>();
        for (Object a : list(p.getClass().getMethod("assertions").invoke(p))) {
            out.add(String.valueOf(a));
        }
        return out;
    }
}
