package dev.funnel.engine.route;

import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.DagSpec;
import dev.funnel.engine.dag.Problem;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoutingLoaderTest {

    private static final String GOOD = """
            scenes:
              home:
                routes:
                  - {name: control, dag: home_feed, traffic: 90}
                  - name: wide
                    dag: home_feed
                    traffic: 10
                    overrides:
                      hot: {limit: 500, mode: b}
            """;

    @Test
    void parsesScenesRoutesAndOverridesWithLines() throws DagException {
        RoutingSpec spec = RoutingLoader.parse("routing.yaml", GOOD);
        RoutingSpec.Scene home = spec.scenes().get("home");
        assertEquals(2, home.routes().size());
        RoutingSpec.Route wide = home.routes().get(1);
        assertEquals("wide", wide.name());
        assertEquals(10.0, wide.trafficPercent());
        assertEquals(Map.of("hot", Map.of("limit", 500, "mode", "b")), wide.overrides());
        assertEquals(5, wide.line());
        assertEquals(9, wide.lineOf("hot.limit"));
        assertEquals(4, home.routes().get(0).line());
    }

    @Test
    void reportsEveryShapeProblemWithItsLine() {
        String yaml = """
                scenes:
                  home:
                    routes:
                      - {name: a, dag: x, traffic: lots}
                      - {name: b, traffic: 10, colour: red}
                  feed: 3
                extra: 1
                """;
        DagException e = assertThrows(DagException.class, () -> RoutingLoader.parse("r.yaml", yaml));
        List<String> got = e.problems().stream().map(Problem::toString).toList();
        assertEquals(5, got.size(), got.toString());
        assertTrue(got.get(0).startsWith("r.yaml:4: scene 'home', route 'a': 'traffic' must be a number"), got.get(0));
        assertTrue(got.stream().anyMatch(s -> s.startsWith("r.yaml:5:") && s.contains("unknown key 'colour'")), got.toString());
        assertTrue(got.stream().anyMatch(s -> s.startsWith("r.yaml:5:") && s.contains("missing 'dag'")), got.toString());
        assertTrue(got.stream().anyMatch(s -> s.startsWith("r.yaml:6:") && s.contains("scene 'feed' must be a mapping")), got.toString());
        assertTrue(got.stream().anyMatch(s -> s.startsWith("r.yaml:7:") && s.contains("unknown key 'extra'")), got.toString());
    }

    @Test
    void badYamlSyntaxHasALine() {
        DagException e = assertThrows(DagException.class, () -> RoutingLoader.parse("r.yaml", "scenes:\n  home: [1,\n"));
        assertTrue(e.problems().get(0).line() > 0, e.getMessage());
        assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
    }

    @Test
    void validatorChecksTrafficDagsAndOverrides() throws DagException {
        String yaml = """
                scenes:
                  home:
                    routes:
                      - {name: a, dag: home_feed, traffic: 50}
                      - name: b
                        dag: home_feed
                        traffic: 30
                        overrides:
                          hot: {limit: 0, mode: z, weight: 0.5, colour: 1}
                          nope: {limit: 3}
                      - {name: c, dag: missing, traffic: 10}
                  other:
                    routes:
                      - {name: a, dag: home_feed, traffic: 100.005}
                """;
        RoutingSpec spec = RoutingLoader.parse("r.yaml", yaml);
        Map<String, DagSpec> dags = Map.of("home_feed", TestOps.dag("home_feed"));
        List<String> got = RoutingValidator.validate(spec, dags, TestOps.REGISTRY).stream().map(Problem::toString).toList();
        assertTrue(got.contains("r.yaml:2: scene 'home': traffic must sum to 100%, got 90.0%"), got.toString());
        assertTrue(got.contains("r.yaml:9: scene 'home', route 'b': node 'hot': param 'limit' must be >= 1, got 0"), got.toString());
        assertTrue(got.stream().anyMatch(s -> s.startsWith("r.yaml:9:") && s.contains("param 'mode' must be one of [a, b], got 'z'")), got.toString());
        assertTrue(got.stream().anyMatch(s -> s.startsWith("r.yaml:9:") && s.contains("has no param 'colour'")), got.toString());
        assertTrue(got.stream().anyMatch(s -> s.startsWith("r.yaml:10:") && s.contains("unknown node 'nope'")), got.toString());
        assertTrue(got.stream().anyMatch(s -> s.startsWith("r.yaml:11:") && s.contains("unknown dag 'missing'")), got.toString());
        assertTrue(got.stream().anyMatch(s -> s.startsWith("r.yaml:14:") && s.contains("traffic must be in 0..100")), got.toString());
        assertEquals(7, got.size(), got.toString());
    }

    @Test
    void validRoutingHasNoProblems() throws DagException {
        RoutingSpec spec = RoutingLoader.parse("routing.yaml", GOOD);
        assertEquals(List.of(), RoutingValidator.validate(spec, Map.of("home_feed", TestOps.dag("home_feed")), TestOps.REGISTRY));
    }
}
