package dev.funnel.engine.dag;

import dev.funnel.engine.exec.TestOps;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DagValidatorTest {

    private static final String F = "dag-configs/home.yaml";

    private static List<String> problems(String... lines) throws DagException {
        DagSpec spec = DagLoader.parse(F, String.join("\n", lines) + "\n");
        return DagValidator.validate(spec, TestOps.registry()).stream().map(Problem::toString).toList();
    }

    @Test
    void everyProblemOfAFileIsReportedInOnePassShapeErrorsIncluded(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("home.yaml");
        java.nio.file.Files.writeString(file, String.join("\n",
                "dag: d",                                                          // 1
                "deadline_ms: 60",                                                 // 2
                "defaults: {on_timeout: skip, on_eror: skip}",                     // 3 unknown key (loader)
                "nodes:",                                                          // 4
                "  a: {op: src, deadline_ms: fast}",                               // 5 not an integer (loader)
                "  b: {op: src, deadline_ms: -3}",                                 // 6
                "  u: {op: union, after: [a, b, a], min_inputs: 4}",               // 7 duplicate after; min_inputs
                "  t: {op: strict, after: [u], params: {keep: 5}, target_p95_ms: -1, on_error: {fallback: t}}", // 8
                "output: t",
                ""));
        String f = file.toString();
        assertEquals(List.of(
                f + ":3: defaults: unknown key 'on_eror'; did you mean 'on_error'? (allowed: [deadline_ms, on_error, on_timeout])",
                f + ":5: node 'a': deadline_ms must be an integer, got string 'fast'",
                f + ":6: node 'b': deadline_ms must be >= 1, got -3",
                f + ":7: node 'u': 'after' lists 'a' twice",
                f + ":7: node 'u': min_inputs must be between 0 and 3 (the number of 'after' nodes), got 4",
                f + ":8: node 't': target_p95_ms must be > 0, got -1.0",
                f + ":8: node 't': on_error falls back to 't', which is not upstream of it (its output would not be ready)"),
                dev.funnel.engine.route.ConfigSet.check(List.of(file), TestOps.registry()).stream().map(Problem::toString).toList());
        DagException e = org.junit.jupiter.api.Assertions.assertThrows(DagException.class,
                () -> dev.funnel.engine.route.ConfigSet.load(file, TestOps.registry()));
        assertEquals(7, e.problems().size(), e.getMessage());
    }

    @Test
    void theOperatorsOwnParamChecksAreReportedWithEveryOtherProblemByValidateAsTheCompilerWould(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("c7.yaml");
        java.nio.file.Files.writeString(file, String.join("\n",
                "dag: d",                                                          // 1
                "deadline_ms: 60",                                                 // 2
                "nodes:",                                                          // 3
                "  a: {op: src}",                                                  // 4
                "  b: {op: src, deadline_ms: -3}",                                 // 5
                "  m: {op: strict, after: [a], params: {keep: 5, model: bad}}",    // 6 rejected by strict's check
                "  n: {op: strict, after: [a, b], params: {keep: 5, fields: ['input:a', 'input:nothere']}}", // 7 likewise
                "  u: {op: union, after: [m, n]}",                                 // 8
                "output: u",
                ""));
        String f = file.toString();
        assertEquals(List.of(
                f + ":5: node 'b': deadline_ms must be >= 1, got -3",
                f + ":6: node 'm': op 'strict' rejected its params: model 'bad' is malformed",
                f + ":7: node 'n': op 'strict' rejected its params: param 'fields': 'nothere' is not an input [a, b]"),
                dev.funnel.engine.route.ConfigSet.check(List.of(file), TestOps.registry()).stream().map(Problem::toString).toList());
        // The compiler refuses the same file with the same words.
        DagException e = org.junit.jupiter.api.Assertions.assertThrows(DagException.class,
                () -> new DagCompiler(TestOps.registry(), new dev.funnel.engine.spi.OperatorEnv())
                        .compile(DagLoader.parse(f, java.nio.file.Files.readString(file))));
        assertEquals(3, e.problems().size(), e.getMessage());
    }

    @Test
    void anOperatorsCheckSeesEveryNodeUpstreamAndEachKeyItRejectsIsAProblemAtThatKeysLine() throws Exception {
        // Before, a check saw only the 'after' ids and its one problem sat on the node's line: a
        // quota keyed by a source behind a filter could not be told from a typo, and neither pointed at the key.
        String[] file = {
                "dag: d",                                   // 1
                "deadline_ms: 60",                          // 2
                "nodes:",                                   // 3
                "  a: {op: src}",                           // 4
                "  b: {op: src}",                           // 5
                "  side: {op: src}",                        // 6
                "  u: {op: union, after: [a]}",             // 7
                "  t:",                                     // 8
                "    op: strict",                           // 9
                "    after: [u, b]",                        // 10
                "    params:",                              // 11
                "      keep: 5",                            // 12
                "      quota:",                             // 13
                "        a: 1",                             // 14 upstream through u: fine
                "        nope: 2",                          // 15 no such node
                "        b: 3",                             // 16 an input: fine
                "        side: 4",                          // 17 a node, but not wired into t
                "  w: {op: union, after: [t, side]}",       // 18
                "output: w"};
        assertEquals(List.of(
                F + ":15: node 't': op 'strict' rejected its params: quota 'nope' is not upstream [a, b, u]",
                F + ":17: node 't': op 'strict' rejected its params: quota 'side' is not upstream [a, b, u]"),
                problems(file));
        DagException e = org.junit.jupiter.api.Assertions.assertThrows(DagException.class,
                () -> new DagCompiler(TestOps.registry(), new dev.funnel.engine.spi.OperatorEnv())
                        .compile(DagLoader.parse(F, String.join("\n", file) + "\n")));
        assertEquals(List.of(15, 17), e.problems().stream().map(Problem::line).toList(), "the compiler refuses it at the same lines");
    }

    @Test
    void targetP95OnANodeWithNoWidthParamIsAProblemNotASilentNoOp() throws Exception {
        // Accepted before, it compiled to a node that never narrowed: "width follows latency" did nothing.
        assertEquals(List.of(
                F + ":5: node 'u': target_p95_ms 5.0 has no effect: op 'union' has no width param to narrow (limit, keep, k)",
                F + ":6: node 'n': target_p95_ms 8.0 has no effect: op 'src' has no width param to narrow (limit, keep, k)"),
                problems(
                        "dag: d",
                        "deadline_ms: 60",
                        "nodes:",
                        "  a: {op: src}",
                        "  u: {op: union, after: [a, n], target_p95_ms: 5}",
                        "  n: {op: src, params: {n: 50}, target_p95_ms: 8}",
                        "  t: {op: strict, after: [u], params: {keep: 5}, target_p95_ms: 8}",
                        "output: t"));
    }

    @Test
    void aShapeErrorThatLeavesNoGraphStopsBeforeValidation() throws Exception {
        // An op that is not a string: what the node is cannot be known, so checks of it would be echoes.
        DagLoader.Parsed p = DagLoader.read(F, String.join("\n",
                "dag: d", "deadline_ms: oops", "nodes:", "  a: {op: [src], deadline_ms: -1}", "output: a", ""));
        assertEquals(null, p.spec());
        assertEquals(List.of(F + ":2: deadline_ms must be an integer, got string 'oops'",
                        F + ":4: node 'a': op must be a string, got a list"),
                p.problems().stream().map(Problem::toString).toList());
        // An ill-typed DAG deadline alone: the rest is validated, without an echo about the deadline.
        DagLoader.Parsed q = DagLoader.read(F, String.join("\n",
                "dag: d", "deadline_ms: oops", "nodes:", "  a: {op: src, deadline_ms: 900}", "output: a", ""));
        assertEquals(List.of(), DagValidator.validate(q.spec(), TestOps.registry()));
        assertEquals(1, q.problems().size());
    }

    @Test
    void validDagHasNoProblems() throws Exception {
        assertEquals(List.of(), problems(
                "dag: d",
                "deadline_ms: 60",
                "defaults: {deadline_ms: 20}",
                "nodes:",
                "  p: {op: profile}",
                "  a: {op: src}",
                "  n: {op: needs_profile, after: [p, a]}",
                "  t: {op: strict, after: [n, a], params: {keep: 5, mode: b, ratio: 1, fields: [x], quota: {a: 2}}, on_timeout: {fallback: a}}",
                "output: t"));
    }

    @Test
    void unknownOpSuggestsTheClosestName() throws Exception {
        assertEquals(List.of(F + ":4: node 'a': unknown op 'delya'; did you mean 'delay'?"),
                problems("dag: d", "deadline_ms: 60", "nodes:", "  a: {op: delya}", "output: a"));
        assertEquals(List.of(F + ":4: node 'a': unknown op 'recall.everything'"),
                problems("dag: d", "deadline_ms: 60", "nodes:", "  a: {op: recall.everything}", "output: a"));
    }

    @Test
    void unknownParamIsReportedAtItsOwnLine() throws Exception {
        assertEquals(List.of(F + ":8: node 'a': unknown param 'kep' for op 'strict'; did you mean 'keep'? (accepted: keep, mode, ratio, model, flag, fields, quota)"),
                problems("dag: d", "deadline_ms: 60", "nodes:", "  a:", "    op: strict", "    params:", "      keep: 1", "      kep: 2", "output: a"));
    }

    @Test
    void outOfRangeParam() throws Exception {
        assertEquals(List.of(F + ":14: node 'rank': param 'keep' must be >= 1, got -5"),
                problems("dag: d", "deadline_ms: 60", "nodes:", "  a: {op: src}", "", "", "", "", "", "", "", "", "  rank:",
                        "    {op: strict, after: [a], params: {keep: -5}}", "output: rank"));
        assertEquals(List.of(F + ":4: node 'a': param 'ratio' must be <= 1, got 1.5"),
                problems("dag: d", "deadline_ms: 60", "nodes:", "  a: {op: strict, params: {keep: 1, ratio: 1.5}}", "output: a"));
    }

    @Test
    void illTypedParams() throws Exception {
        assertEquals(List.of(
                        F + ":7: node 'a': param 'keep' must be an integer, got 'ten'",
                        F + ":8: node 'a': param 'mode' must be one of [a, b], got 'c'",
                        F + ":9: node 'a': param 'flag' must be true or false, got 1",
                        F + ":10: node 'a': param 'fields' must be a list of strings, got 'x'",
                        F + ":11: node 'a': param 'quota' entry 'ann' must be a number, got 'lots'",
                        F + ":12: node 'a': param 'model' must be a string, got 42",
                        F + ":13: node 'a': param 'ratio' must be a number, got 'half'"),
                problems("dag: d", "deadline_ms: 60", "nodes:", "  a:", "    op: strict", "    params:",
                        "      keep: ten",
                        "      mode: c",
                        "      flag: 1",
                        "      fields: x",
                        "      quota: {ann: lots}",
                        "      model: 42",
                        "      ratio: half",
                        "output: a"));
    }

    @Test
    void missingRequiredParam() throws Exception {
        assertEquals(List.of(F + ":4: node 'a': missing required param 'keep' (int)"),
                problems("dag: d", "deadline_ms: 60", "nodes:", "  a: {op: strict}", "output: a"));
    }

    @Test
    void danglingAfterAndFallback() throws Exception {
        assertEquals(List.of(
                        F + ":5: node 'b': 'after' names unknown node 'aa'; did you mean 'a'?",
                        F + ":6: node 'c': on_error falls back to unknown node 'zzz'"),
                problems("dag: d", "deadline_ms: 60", "nodes:", "  a: {op: src}",
                        "  b: {op: union, after: [a, aa]}",
                        "  c: {op: union, after: [b], on_error: {fallback: zzz}}",
                        "output: c"));
    }

    @Test
    void cyclesAreNamed() throws Exception {
        assertEquals(List.of(
                        F + ":5: cycle: a -> b -> c -> a",
                        F + ":9: node 'self': lists itself in 'after' (cycle: self -> self)"),
                problems("dag: d", "deadline_ms: 60", "nodes:", "  s: {op: src}",
                        "  a: {op: union, after: [s, c]}",
                        "  b: {op: union, after: [a]}",
                        "  c: {op: union, after: [b]}",
                        "  out: {op: union, after: [c, self]}",
                        "  self: {op: union, after: [self, s]}",
                        "output: out"));
    }

    @Test
    void nodesThatDoNotContributeToTheOutput() throws Exception {
        assertEquals(List.of(F + ":5: node 'orphan' does not contribute to output 'a': no path leads from it to the output"),
                problems("dag: d", "deadline_ms: 60", "nodes:", "  a: {op: src}", "  orphan: {op: src}", "output: a"));
    }

    @Test
    void missingAndUnknownOutput() throws Exception {
        assertEquals(List.of(F + ":1: missing 'output: <node>'"),
                problems("dag: d", "deadline_ms: 60", "nodes:", "  a: {op: src}"));
        assertEquals(List.of(F + ":5: output 'rernak' is not a node; did you mean 'rerank'?"),
                problems("dag: d", "deadline_ms: 60", "nodes:", "  rerank: {op: src}", "output: rernak"));
    }

    @Test
    void nodeDeadlineAboveTheDags() throws Exception {
        assertEquals(List.of(
                        F + ":3: defaults: deadline_ms 100 exceeds the DAG's deadline_ms 60",
                        F + ":6: node 'a': deadline_ms 80 exceeds the DAG's deadline_ms 60",
                        F + ":8: node 'b': deadline_ms must be >= 1, got 0"),
                problems("dag: d", "deadline_ms: 60", "defaults: {deadline_ms: 100}", "nodes:", "  a:", "    deadline_ms: 80", "    op: src",
                        "  b: {op: union, after: [a], deadline_ms: 0}", "output: b"));
    }

    @Test
    void fallbackMustBeUpstream() throws Exception {
        assertEquals(List.of(F + ":6: node 'b': on_timeout falls back to 'c', which is not upstream of it (its output would not be ready)"),
                problems("dag: d", "deadline_ms: 60", "nodes:", "  a: {op: src}", "  b:",
                        "    {op: union, after: [a], on_timeout: {fallback: c}}",
                        "  c: {op: union, after: [b]}", "output: c"));
    }

    @Test
    void fallbackInDefaultsIsRejected() throws Exception {
        assertEquals(List.of(F + ":3: defaults: on_error cannot be a fallback (it would apply to every node); set it per node"),
                problems("dag: d", "deadline_ms: 60", "defaults: {on_error: {fallback: a}}", "nodes:", "  a: {op: src}", "output: a"));
    }

    @Test
    void minInputsOutOfRange() throws Exception {
        assertEquals(List.of(F + ":5: node 'u': min_inputs must be between 0 and 1 (the number of 'after' nodes), got 3"),
                problems("dag: d", "deadline_ms: 60", "nodes:", "  a: {op: src}", "  u: {op: union, after: [a], min_inputs: 3}", "output: u"));
    }

    @Test
    void requiredInputTypeNotProvided() throws Exception {
        assertEquals(List.of(F + ":5: node 'n': op 'needs_profile' needs an input of type String, but none of its 'after' nodes [a] produces one"),
                problems("dag: d", "deadline_ms: 60", "nodes:", "  a: {op: src}", "  n: {op: needs_profile, after: [a]}", "output: n"));
    }

    @Test
    void everyProblemInOneFileIsReportedInLineOrder() throws Exception {
        assertEquals(List.of(
                        F + ":2: deadline_ms must be >= 1, got 0",
                        F + ":5: node 'a': unknown op 'sorc'; did you mean 'src'?",
                        F + ":6: node 'b': param 'keep' must be >= 1, got -5",
                        F + ":6: node 'b': 'after' names unknown node 'x'",
                        F + ":6: node 'b': deadline_ms 90 exceeds the DAG's deadline_ms 0",
                        F + ":7: node 'c': unknown param 'speed' for op 'union' (accepted: none)",
                        F + ":7: node 'c': min_inputs must be between 0 and 1 (the number of 'after' nodes), got 2",
                        F + ":8: cycle: d -> e -> d",
                        F + ":8: node 'd' does not contribute to output 'c': no path leads from it to the output",
                        F + ":9: node 'e' does not contribute to output 'c': no path leads from it to the output",
                        F + ":10: node 'n': op 'needs_profile' needs an input of type String, but none of its 'after' nodes [b] produces one",
                        F + ":10: node 'n' does not contribute to output 'c': no path leads from it to the output"),
                problems("dag: d",
                        "deadline_ms: 0",
                        "defaults: {on_timeout: skip}",
                        "nodes:",
                        "  a: {op: sorc}",
                        "  b: {op: strict, after: [a, x], params: {keep: -5}, deadline_ms: 90}",
                        "  c: {op: union, after: [b], params: {speed: 3}, min_inputs: 2}",
                        "  d: {op: union, after: [e]}",
                        "  e: {op: union, after: [d]}",
                        "  n: {op: needs_profile, after: [b]}",
                        "output: c"));
    }
}
