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
    void anEmptyFileIsAProblemAtLine1() {
        for (String empty : List.of("", "# no scenes yet\n")) {
            RoutingLoader.Parsed parsed = RoutingLoader.read("routing.yaml", empty);
            assertEquals(List.of("routing.yaml:1: a routing file must be a mapping with a 'scenes:' key"),
                    parsed.problems().stream().map(Problem::toString).toList(), "'" + empty + "'");
        }
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

    /** A routing file with shape errors and semantic ones: the first report names them all, with their lines. */
    private static final String SHAPE_AND_SEMANTIC = String.join("\n",
            "scenes:",                                                   // 1
            "  home:",                                                   // 2
            "    routes:",                                               // 3
            "      - {name: a, dag: home_feed, traffic: lots}",          // 4 traffic not a number (shape)
            "      - name: b",                                           // 5
            "        dag: missing",                                      // 6 unknown dag (semantic)
            "        traffic: 50",                                       // 7
            "        colour: red",                                       // 8 unknown key (shape)
            "      - name: c",                                           // 9
            "        dag: home_feed",                                    // 10
            "        traffic: 10",                                       // 11
            "        overrides: {hot: {limit: 0}}",                      // 12 param out of range (semantic)
            "  feed:",                                                   // 13
            "    routes:",                                               // 14
            "      - {name: x, dag: home_feed, traffic: 40}",            // 15 sums to 40% (semantic)
            "extra: 1",                                                  // 16 unknown key (shape)
            "");

    @Test
    void shapeErrorsComeWithTheSemanticProblemsOfTheSameFile() {
        RoutingLoader.Parsed p = RoutingLoader.read("r.yaml", SHAPE_AND_SEMANTIC);
        List<Problem> all = new java.util.ArrayList<>(p.problems());
        all.addAll(RoutingValidator.validate(p.spec(), Map.of("home_feed", TestOps.dag("home_feed")), TestOps.REGISTRY));
        all.sort(ConfigSet.PROBLEM_ORDER);
        List<String> got = all.stream().map(Problem::toString).toList();
        assertEquals(List.of(
                "r.yaml:4: scene 'home', route 'a': 'traffic' must be a number of percent (0..100), got 'lots'",
                "r.yaml:6: scene 'home', route 'b': unknown dag 'missing'; known: [home_feed]",
                "r.yaml:8: scene 'home', route 'b': unknown key 'colour'; expected one of [name, dag, traffic, overrides]",
                "r.yaml:12: scene 'home', route 'c': node 'hot': param 'limit' must be >= 1, got 0",
                "r.yaml:13: scene 'feed': traffic must sum to 100%, got 40.0%",
                "r.yaml:16: unknown key 'extra'; expected one of [scenes]"), got);
    }

    @Test
    void validateCommandReportsEveryProblemOfARoutingFileAtOnce(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Files.writeString(dir.resolve("home_feed.yaml"), String.join("\n",
                "dag: home_feed", "deadline_ms: 60", "nodes:", "  hot: {op: test.source, params: {limit: 5}}", "output: hot", ""));
        java.nio.file.Path routing = dir.resolve("routing.yaml");
        java.nio.file.Files.writeString(routing, SHAPE_AND_SEMANTIC);
        List<Problem> checked = ConfigSet.check(List.of(routing), TestOps.REGISTRY);
        assertEquals(List.of(4, 6, 8, 12, 13, 16), checked.stream().map(Problem::line).toList(), checked.toString());
        DagException e = assertThrows(DagException.class, () -> ConfigSet.load(dir, TestOps.REGISTRY));
        assertEquals(checked, e.problems());
    }

    @Test
    void aRoutingFileGivenByARelativePathIsNamedAsGiven(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("home_feed.yaml"), String.join("\n",
                "dag: home_feed", "deadline_ms: 60", "nodes:", "  hot: {op: test.source, params: {limit: 5}}", "output: hot", ""));
        java.nio.file.Files.writeString(dir.resolve("routing.yaml"), SHAPE_AND_SEMANTIC);
        java.nio.file.Path relative = java.nio.file.Path.of("").toAbsolutePath().relativize(dir.resolve("routing.yaml"));
        List<Problem> checked = ConfigSet.check(List.of(relative), TestOps.REGISTRY);
        // It printed /abs/path/routing.yaml:4 for "validate dag-configs/routing.yaml", unlike a DAG file.
        assertEquals(List.of(relative.toString()), checked.stream().map(Problem::file).distinct().toList(), checked.toString());
        assertEquals(6, checked.size(), checked.toString());
    }

    @Test
    void aDirectoryWithoutRoutingIsAProblemAsTheServerFindsIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("home_feed.yaml"), String.join("\n",
                "dag: home_feed", "deadline_ms: 60", "nodes:", "  hot: {op: test.source, params: {limit: 5}}", "output: hot", ""));
        // validate said OK; the server, given this directory, refused to start.
        assertEquals(List.of(dir + ": no routing.yaml: no scene routes to any DAG, and the server will not start with this directory as dags.dir"),
                ConfigSet.check(List.of(dir), TestOps.REGISTRY).stream().map(Problem::toString).toList());
        DagException e = assertThrows(DagException.class, () -> RouteTable.compile(ConfigSet.load(dir, TestOps.REGISTRY),
                new dev.funnel.engine.dag.DagCompiler(TestOps.REGISTRY, new dev.funnel.engine.spi.OperatorEnv())));
        assertTrue(e.getMessage().contains("no routing file"), e.getMessage());
        // A DAG file on its own needs no routing.
        assertEquals(List.of(), ConfigSet.check(List.of(dir.resolve("home_feed.yaml")), TestOps.REGISTRY));
    }

    @Test
    void oneOverrideOfTheWrongTypeHidesNotWhatTheOperatorsRejectOfTheOthers(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Files.writeString(dir.resolve("d.yaml"), String.join("\n",
                "dag: d", "deadline_ms: 60", "nodes:", "  a: {op: src}", "  s: {op: strict, after: [a], params: {keep: 5}}", "output: s", ""));
        java.nio.file.Files.writeString(dir.resolve("routing.yaml"), String.join("\n",
                "scenes:",
                "  home:",
                "    routes:",
                "      - {name: r, dag: d, traffic: 100, overrides: {a: {n: -1}, s: {model: bad}}}",
                ""));
        // Only a's problem was reported; strict's own check of s's override waited for the next upload.
        assertEquals(List.of(
                        "routing.yaml:4: scene 'home', route 'r': node 'a': param 'n' must be >= 0, got -1",
                        "routing.yaml:4: scene 'home', route 'r': node 's': op 'strict' rejected its params: model 'bad' is malformed"),
                ConfigSet.check(List.of(dir), dev.funnel.engine.exec.TestOps.registry()).stream()
                        .map(p -> p.toString().replace(dir + "/", "")).toList());
    }
}
