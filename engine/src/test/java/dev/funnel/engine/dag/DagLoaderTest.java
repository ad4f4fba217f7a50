package dev.funnel.engine.dag;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DagLoaderTest {

    static final String HOME = String.join("\n",
            "dag: home_feed",                                                            // 1
            "deadline_ms: 60                 # the whole request",                       // 2
            "defaults: {deadline_ms: 20, on_timeout: skip}",                             // 3
            "nodes:",                                                                    // 4
            "  profile:  {op: profile.user}",                                            // 5
            "  hot:      {op: recall.hot, params: {limit: 300}}",                        // 6
            "  interest: {op: recall.inverted, after: [profile], params: {field: tags, limit: 800, filter: {status: online}}}", // 7
            "  ann:      {op: recall.ann, after: [profile], params: {k: 1000, ef: 200}, deadline_ms: 15}", // 8
            "  merge:    {op: merge, after: [hot, interest, ann], min_inputs: 2, params: {quota: {ann: 600}}}", // 9
            "  rank:",                                                                   // 10
            "    op: rank.onnx",                                                         // 11
            "    after: [merge, profile]",                                               // 12
            "    params:",                                                               // 13
            "      model: ctr",                                                          // 14
            "      keep: 100",                                                           // 15
            "    on_timeout: {fallback: merge}",                                         // 16
            "    on_error: fail",                                                        // 17
            "    target_p95_ms: 12.5",                                                   // 18
            "output: rank",                                                              // 19
            "");

    private static List<String> problems(String yaml) {
        DagException e = assertThrows(DagException.class, () -> DagLoader.parse("dag-configs/x.yaml", yaml));
        return e.problems().stream().map(Problem::toString).toList();
    }

    @Test
    void parsesTheDesignExampleWithLines() throws Exception {
        DagSpec s = DagLoader.parse("dag-configs/home.yaml", HOME);
        assertEquals("home_feed", s.name());
        assertEquals("dag-configs/home.yaml", s.file());
        assertEquals(60, s.deadlineMs());
        assertEquals(20, s.defaults().deadlineMs());
        assertEquals(Policy.SKIP, s.defaults().onTimeout());
        assertEquals(Policy.FAIL, s.defaults().onError());
        assertEquals(List.of("profile", "hot", "interest", "ann", "merge", "rank"), List.copyOf(s.nodes().keySet()));
        assertEquals("rank", s.output());
        assertEquals(19, s.lineOf("output"));
        NodeSpec interest = s.nodes().get("interest");
        assertEquals(7, interest.line());
        assertEquals(List.of("profile"), interest.after());
        assertEquals(800, interest.params().get("limit"));
        assertEquals(Map.of("status", "online"), interest.params().get("filter"));
        assertEquals(15, s.nodes().get("ann").deadlineMs());
        assertEquals(2, s.nodes().get("merge").minInputs());
        assertEquals(Map.of("ann", 600), s.nodes().get("merge").params().get("quota"));
        NodeSpec rank = s.nodes().get("rank");
        assertEquals(10, rank.line());
        assertEquals(14, rank.lineOf("model"));
        assertEquals(15, rank.lineOf("keep"));
        assertEquals(16, rank.lineOfKey("on_timeout"));
        assertEquals(Policy.fallback("merge"), rank.onTimeout());
        assertEquals(Policy.FAIL, rank.onError());
        assertEquals(12.5, rank.targetP95Ms());
        assertNull(rank.deadlineMs());
        assertNull(rank.minInputs());
    }

    @Test
    void loadReadsAFile() throws Exception {
        Path f = Files.createTempFile("dag", ".yaml");
        Files.writeString(f, HOME);
        assertEquals("home_feed", DagLoader.load(f).name());
        assertEquals(f.toString(), DagLoader.load(f).file());
    }

    @Test
    void unknownTopLevelKey() {
        assertEquals(List.of(
                        "dag-configs/x.yaml:1: missing 'deadline_ms: <whole request budget>'",
                        "dag-configs/x.yaml:2: top level: unknown key 'deadlin_ms'; did you mean 'deadline_ms'? (allowed: [dag, deadline_ms, defaults, nodes, output])"),
                problems("dag: d\ndeadlin_ms: 5\nnodes:\n  a: {op: x}\noutput: a\n"));
        assertEquals(List.of("dag-configs/x.yaml:3: top level: unknown key 'outptu'; did you mean 'output'? (allowed: [dag, deadline_ms, defaults, nodes, output])"),
                problems("dag: d\ndeadline_ms: 5\noutptu: a\nnodes:\n  a: {op: x}\n"));
    }

    @Test
    void unknownNodeKey() {
        assertEquals(List.of("dag-configs/x.yaml:5: node 'a': unknown key 'parms'; did you mean 'params'? (allowed: [after, deadline_ms, min_inputs, on_error, on_timeout, op, params, target_p95_ms])"),
                problems("dag: d\ndeadline_ms: 5\nnodes:\n  a:\n    parms: {k: 1}\n    op: x\noutput: a\n"));
    }

    @Test
    void wrongTypes() {
        assertEquals(List.of(
                        "dag-configs/x.yaml:2: deadline_ms must be an integer, got string 'soon'",
                        "dag-configs/x.yaml:4: node 'a': deadline_ms must be an integer, got number '1.5'",
                        "dag-configs/x.yaml:5: node 'b': after must be a list of node ids, got a mapping",
                        "dag-configs/x.yaml:6: node 'c': params must be a mapping, got string 'none'"),
                problems("dag: d\ndeadline_ms: soon\nnodes:\n"
                        + "  a: {op: x, deadline_ms: 1.5}\n"
                        + "  b: {op: x, after: {a: 1}}\n"
                        + "  c: {op: x, params: none}\n"
                        + "output: a\n"));
    }

    @Test
    void duplicateNodeIdsAndKeys() {
        assertEquals(List.of(
                        "dag-configs/x.yaml:5: node 'a': duplicate key 'op' (first at line 4)",
                        "dag-configs/x.yaml:6: duplicate node id 'a' (first defined at line 4)",
                        "dag-configs/x.yaml:8: top level: duplicate key 'output' (first at line 7)"),
                problems("dag: d\ndeadline_ms: 5\nnodes:\n"
                        + "  a: {op: x,\n"
                        + "      op: y}\n"
                        + "  a: {op: z}\n"
                        + "output: a\n"
                        + "output: b\n"));
    }

    @Test
    void badPolicies() {
        assertEquals(List.of(
                        "dag-configs/x.yaml:3: defaults: on_timeout must be skip, fail or {fallback: <node>}, got string 'ignore'",
                        "dag-configs/x.yaml:5: node 'a': on_error must be skip, fail or {fallback: <node>}, got a mapping"),
                problems("dag: d\ndeadline_ms: 5\ndefaults: {on_timeout: ignore}\nnodes:\n"
                        + "  a: {op: x, on_error: {fallbak: b}}\n"
                        + "output: a\n"));
    }

    @Test
    void missingOpAndMissingSections() {
        assertEquals(List.of(
                        "dag-configs/x.yaml:1: missing 'deadline_ms: <whole request budget>'",
                        "dag-configs/x.yaml:3: node 'a': missing 'op'"),
                problems("dag: d\nnodes:\n  a: {after: []}\noutput: a\n"));
        // At line 1, not 0 (the whole file, printed without a line): what file:line tools jump to.
        for (String empty : List.of("", "\n\n", "# only a comment\n")) {
            assertEquals(List.of("dag-configs/x.yaml:1: empty file: expected a mapping with dag, deadline_ms, nodes, output"),
                    problems(empty), "'" + empty + "'");
        }
        assertEquals(List.of("dag-configs/x.yaml:1: expected a mapping with dag, deadline_ms, nodes, output at the top"), problems("- a\n- b\n"));
    }

    @Test
    void yamlSyntaxErrorHasItsLine() {
        List<String> p = problems("dag: d\ndeadline_ms: 5\nnodes:\n  a: {op: x\noutput: a\n");
        assertEquals(1, p.size());
        assertEquals(true, p.get(0).startsWith("dag-configs/x.yaml:5: YAML syntax:"), p.get(0));
    }

    @Test
    void anIntegerTooLargeSaysSoRatherThanThatItIsNotAnInteger() {
        assertEquals(List.of(
                        "dag-configs/x.yaml:2: deadline_ms is out of range for int, got 99999999999",
                        "dag-configs/x.yaml:4: node 'a': min_inputs is out of range for int, got -3000000000"),
                problems("dag: d\ndeadline_ms: 99999999999\nnodes:\n  a: {op: x, min_inputs: -3000000000}\noutput: a\n"));
    }

    @Test
    void routingTextReadAsADagSaysSoInOneProblem() {
        // It was "unknown key 'scenes'", "missing 'dag'", "missing 'deadline_ms'", … for routing-v2.yaml.
        assertEquals(List.of("dag-configs/x.yaml:1: this is routing (it has 'scenes:'), not a DAG: routing is read only from a file "
                        + "named routing.yaml (PUT /admin/routes on the server); a DAG file starts with 'dag:'"),
                problems("scenes:\n  home:\n    routes:\n      - {name: a, dag: d, traffic: 100}\n"));
    }

    @Test
    void yamlSyntaxErrorSaysWhereWhatItWasReadingBegan() {
        // The parser's problem alone was a fragment: "but found another document", "expected ',' or '}', but got :".
        assertEquals(List.of("dag-configs/x.yaml:5: YAML syntax: while parsing a flow mapping (line 4), expected ',' or '}', but got :"),
                problems("dag: d\ndeadline_ms: 5\nnodes:\n  a: {op: x\noutput: a\n"));
        assertEquals(List.of("dag-configs/x.yaml:6: YAML syntax: expected a single document in the stream (line 1), but found another document"),
                problems("dag: d\ndeadline_ms: 5\nnodes:\n  a: {op: x}\noutput: a\n---\ndag: e\n"));
        assertEquals(List.of("r.yaml:4: not valid YAML: while parsing a flow sequence (line 3), expected ',' or ']', but got <stream end>"),
                dev.funnel.engine.route.RoutingLoader.read("r.yaml", "scenes:\n  home:\n    routes: [{name: a, dag: d, traffic: 100}\n").problems()
                        .stream().map(Problem::toString).toList());
    }

    @Test
    void afterMayBeASingleId() throws Exception {
        DagSpec s = DagLoader.parse("f", "dag: d\ndeadline_ms: 5\nnodes:\n  a: {op: x}\n  b: {op: x, after: a}\noutput: b\n");
        assertEquals(List.of("a"), s.nodes().get("b").after());
    }
}
