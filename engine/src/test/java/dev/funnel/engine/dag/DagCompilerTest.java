package dev.funnel.engine.dag;

import dev.funnel.engine.exec.TestOps;
import dev.funnel.engine.spi.OperatorEnv;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DagCompilerTest {

    private static final String F = "dag-configs/c.yaml";
    private static final String YAML = String.join("\n",
            "dag: c",                                                     // 1
            "deadline_ms: 60",                                            // 2
            "defaults: {deadline_ms: 20, on_timeout: fail}",              // 3
            "nodes:",                                                     // 4
            "  t: {op: strict, after: [u], params: {keep: 5}, on_error: {fallback: u}}", // 5
            "  u: {op: union, after: [a, b]}",                            // 6
            "  b: {op: src, deadline_ms: 10}",                            // 7
            "  a: {op: src}",                                             // 8
            "output: t",                                                  // 9
            "");

    private final DagCompiler compiler = new DagCompiler(TestOps.registry(), new OperatorEnv());

    @Test
    void compilesInTopologicalOrderWithResolvedSettings() throws Exception {
        CompiledDag dag = compiler.compile(DagLoader.parse(F, YAML));
        assertEquals("c", dag.name());
        assertEquals(60_000_000L, dag.deadlineNanos());
        assertEquals(List.of("b", "a", "u", "t"), dag.nodes().stream().map(CompiledDag.Node::id).toList());
        CompiledDag.Node u = dag.node("u");
        assertArrayEquals(new int[] {dag.node("a").index(), dag.node("b").index()}, u.inputs());
        assertArrayEquals(new String[] {"a", "b"}, u.inputIds());
        assertArrayEquals(new int[] {dag.node("t").index()}, u.dependents());
        assertEquals(1, u.minInputs(), "union's default");
        assertEquals(20_000_000L, u.deadlineNanos(), "from defaults");
        assertEquals(10_000_000L, dag.node("b").deadlineNanos());
        assertEquals(Policy.FAIL, u.onTimeout(), "from defaults");
        assertEquals(Policy.FAIL, u.onError(), "built-in default");
        CompiledDag.Node t = dag.node("t");
        assertEquals(1, t.minInputs(), "-1 resolves to all inputs");
        assertEquals(Policy.fallback("u"), t.onError());
        assertEquals(u.index(), t.errorFallback());
        assertEquals(-1, t.timeoutFallback());
        assertEquals(dag.node("t").index(), dag.outputIndex());
        assertEquals(5, t.params().getInt("keep"));
        assertEquals("a", t.params().getString("mode"), "default filled in");
        assertEquals(0.5, t.params().getDouble("ratio"));
        assertEquals(List.of(), t.params().getStringList("fields"));
        assertTrue(dag.version().matches("c@[0-9a-f]{8}"), dag.version());
    }

    @Test
    void overridesAreAppliedValidatedAndChangeTheVersion() throws Exception {
        DagSpec spec = DagLoader.parse(F, YAML);
        CompiledDag base = compiler.compile(spec);
        CompiledDag same = compiler.compile(spec);
        assertEquals(base.version(), same.version(), "the version is a function of the content");
        CompiledDag over = compiler.compile(spec, Map.of("t", Map.of("keep", 7)));
        assertEquals(7, over.node("t").params().getInt("keep"));
        assertNotEquals(base.version(), over.version());
        assertEquals(Map.of("t", Map.of("keep", 7)), over.overrides());

        DagException e = assertThrows(DagException.class,
                () -> compiler.compile(spec, Map.of("t", Map.of("keep", -1, "kep", 2), "zz", Map.of("n", 1))));
        assertEquals(List.of(
                F + ": override for unknown node 'zz'",
                F + ":5: node 't': unknown param 'kep' for op 'strict'; did you mean 'keep'? (accepted: keep, mode, ratio, model, flag, fields, quota)",
                F + ":5: node 't': param 'keep' must be >= 1, got -1"), e.problems().stream().map(Problem::toString).toList());
    }

    @Test
    void theVersionDependsOnlyOnTheContentNotOnPathLayoutOrKeyOrder() throws Exception {
        // The same DAG in block style, from another path, with other comments and params in another order.
        String block = String.join("\n",
                "# the same DAG, written differently",
                "dag: c",
                "deadline_ms: 60",
                "defaults:",
                "  on_timeout: fail",
                "  deadline_ms: 20",
                "nodes:",
                "  t:",
                "    on_error: {fallback: u}",
                "    params: {keep: 5}",
                "    after: [u]",
                "    op: strict",
                "  u: {after: [a, b], op: union}",
                "  b: {deadline_ms: 10, op: src}",
                "  a: {op: src}",
                "output: t",
                "");
        CompiledDag flow = compiler.compile(DagLoader.parse(F, YAML));
        CompiledDag other = compiler.compile(DagLoader.parse("/elsewhere/admin-put.yaml", block));
        assertEquals(flow.version(), other.version());

        // Pinned to a canonical text written out here, so nothing JVM-dependent (hash-map iteration
        // order, identity hashes) can enter the version without this test failing.
        String canonical = String.join("\n",
                "dag \"c\"",
                "deadline_ms 60",
                "defaults deadline_ms=20 on_timeout=fail on_error=fail",
                "node \"t\" op=\"strict\" after=[\"u\"] params={\"keep\":5} deadline_ms=null on_timeout=null"
                        + " on_error=fallback: u min_inputs=null target_p95_ms=null",
                "node \"u\" op=\"union\" after=[\"a\",\"b\"] params={} deadline_ms=null on_timeout=null on_error=null"
                        + " min_inputs=null target_p95_ms=null",
                "node \"b\" op=\"src\" after=[] params={} deadline_ms=10 on_timeout=null on_error=null min_inputs=null"
                        + " target_p95_ms=null",
                "node \"a\" op=\"src\" after=[] params={} deadline_ms=null on_timeout=null on_error=null min_inputs=null"
                        + " target_p95_ms=null",
                "output \"t\"",
                "overrides {}",
                "");
        assertEquals(canonical, DagVersion.canonical(DagLoader.parse(F, YAML), Map.of()));
        byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("c@" + java.util.HexFormat.of().formatHex(sha, 0, 4), flow.version());
        assertEquals("c@fcbcdaf3", flow.version(), "pinned: a change to the canonical form changes every published version");

        CompiledDag over = compiler.compile(DagLoader.parse(F, YAML), Map.of("t", Map.of("keep", 7, "mode", "b")));
        CompiledDag overReordered = compiler.compile(DagLoader.parse("x.yaml", block),
                new java.util.TreeMap<>(Map.of("t", new java.util.TreeMap<String, Object>(Map.of("mode", "b", "keep", 7)))));
        assertEquals(over.version(), overReordered.version());
        assertNotEquals(flow.version(), compiler.compile(DagLoader.parse(F, YAML.replace("keep: 5", "keep: 6"))).version());
    }

    @Test
    void aFactoryRejectingItsParamsIsAProblemAtTheNodeLine() throws Exception {
        DagSpec spec = DagLoader.parse(F, YAML.replace("params: {keep: 5}", "params: {keep: 5, model: missing}"));
        DagException e = assertThrows(DagException.class, () -> compiler.compile(spec));
        assertEquals(List.of(F + ":5: node 't': op 'strict' rejected its params: model 'missing' is not registered"),
                e.problems().stream().map(Problem::toString).toList());
    }

    @Test
    void invalidSpecsDoNotCompile() throws Exception {
        DagSpec spec = DagLoader.parse(F, YAML.replace("op: union", "op: unoin"));
        DagException e = assertThrows(DagException.class, () -> compiler.compile(spec));
        assertEquals(List.of(F + ":6: node 'u': unknown op 'unoin'; did you mean 'union'?"),
                e.problems().stream().map(Problem::toString).toList());
    }
}
