package dev.funnel.operators.merge;

import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.DagLoader;
import dev.funnel.engine.dag.DagValidator;
import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.dag.Problem;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.Params;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.engine.time.VirtualLoopScheduler;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MergeTest {

    private final RequestContext ctx = RequestContext.builder().requestId("r").userId("u").scene("s")
            .loop(new VirtualLoopScheduler()).build();

    private static Candidates list(String source, long[] ids, float[] scores) {
        return Candidates.fromSource(source, ids, scores, ids.length);
    }

    @SuppressWarnings("unchecked")
    private Candidates merge(Map<String, Object> params, String[] ids, Object... values) {
        Merge f = new Merge();
        Map<String, Object> p = new HashMap<>();
        p.put("quota", Map.of());
        p.put("limit", Merge.DEFAULT_LIMIT);
        p.put("score", "max");
        p.putAll(params);
        Operator<Candidates> op = (Operator<Candidates>) f.create(new Params(p), new OperatorEnv());
        return op.apply(new Inputs("merge", ids, values), ctx).block();
    }

    @Test
    void unionDedupsInterleavesAndKeepsProvenance() {
        Candidates hot = list("hot", new long[] {1, 2, 3}, new float[] {0.9f, 0.8f, 0.7f});
        Candidates ann = list("ann", new long[] {3, 4, 1}, new float[] {0.95f, 0.5f, 0.1f});
        Candidates m = merge(Map.of(), new String[] {"hot", "ann"}, hot, ann);
        assertArrayEquals(new long[] {1, 3, 2, 4}, m.idsCopy(), "round-robin by rank, first occurrence wins");
        assertArrayEquals(new String[] {"hot", "ann"}, m.sources());
        // item 1: found by both; score = max
        assertEquals(0.9f, m.score(0));
        assertEquals(0b11, m.sourceMask(0));
        assertEquals(0.9f, m.sourceScore(0, 0));
        assertEquals(0.1f, m.sourceScore(0, 1));
        // item 3: both, max(0.7, 0.95)
        assertEquals(0.95f, m.score(1));
        assertEquals(0b11, m.sourceMask(1));
        // item 4: ann only
        assertEquals(0b10, m.sourceMask(3));
        assertTrue(Float.isNaN(m.sourceScore(3, 0)));
        assertArrayEquals(new String[] {"ann"}, m.sourceNames(3));
    }

    @Test
    void scoreModes() {
        Candidates a = list("a", new long[] {7}, new float[] {1f});
        Candidates b = list("b", new long[] {7}, new float[] {2f});
        assertEquals(3f, merge(Map.of("score", "sum"), new String[] {"a", "b"}, a, b).score(0));
        assertEquals(1f, merge(Map.of("score", "first"), new String[] {"a", "b"}, a, b).score(0));
        assertEquals(2f, merge(Map.of("score", "max"), new String[] {"a", "b"}, a, b).score(0));
    }

    @Test
    void quotaByInputIdOrSourceNameAndLimit() {
        Candidates hot = list("hot", new long[] {1, 2, 3, 4}, new float[] {4, 3, 2, 1});
        Candidates ann = list("ann_src", new long[] {11, 12, 13, 14}, new float[] {4, 3, 2, 1});
        Candidates byInput = merge(Map.of("quota", Map.of("annNode", 2.0)), new String[] {"hot", "annNode"}, hot, ann);
        assertArrayEquals(new long[] {1, 11, 2, 12, 3, 4}, byInput.idsCopy());
        Candidates bySource = merge(Map.of("quota", Map.of("ann_src", 1.0, "hot", 0.0)), new String[] {"h", "a"}, hot, ann);
        assertArrayEquals(new long[] {11}, bySource.idsCopy());
        Candidates limited = merge(Map.of("limit", 3), new String[] {"hot", "ann"}, hot, ann);
        assertArrayEquals(new long[] {1, 11, 2}, limited.idsCopy());
    }

    @Test
    void skippedInputsAreIgnoredAndASingleInputPassesThrough() {
        Candidates hot = list("hot", new long[] {1, 2}, new float[] {1, 1});
        assertSame(hot, merge(Map.of(), new String[] {"a", "hot"}, null, hot));
        assertSame(Candidates.EMPTY, merge(Map.of(), new String[] {"a"}, (Object) null));
    }

    @Test
    void provenanceFromMergedInputsIsRemappedToTheUnion() {
        Candidates first = merge(Map.of(), new String[] {"x", "y"},
                list("x", new long[] {1}, new float[] {1}), list("y", new long[] {2}, new float[] {2}));
        Candidates z = list("y", new long[] {1}, new float[] {5});
        Candidates m = merge(Map.of(), new String[] {"z", "first"}, z, first);
        assertArrayEquals(new String[] {"y", "x"}, m.sources());
        assertEquals(0b11, m.sourceMask(0), "item 1: y (from z) and x (from first)");
        assertEquals(5f, m.sourceScore(0, 0));
        assertEquals(1f, m.sourceScore(0, 1));
        assertEquals(0b01, m.sourceMask(1), "item 2: y only");
    }

    @Test
    void manyDuplicatesStayDeduplicated() {
        int n = 10_000;
        long[] a = new long[n];
        long[] b = new long[n];
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i * 2L;
            b[i] = i * 3L;
        }
        Candidates m = merge(Map.of("limit", 1_000_000), new String[] {"a", "b"}, list("a", a, s), list("b", b, s));
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < m.size(); i++) {
            assertTrue(seen.add(m.id(i)), "duplicate " + m.id(i));
        }
        // |A ∪ B| = |A| + |B| - |multiples of 6 below 2n and 3n bounds|
        long both = java.util.stream.LongStream.range(0, n).map(i -> i * 2).filter(x -> x % 3 == 0 && x / 3 < n).count();
        assertEquals(2L * n - both, m.size());
    }

    @Test
    void schemaIsValidatedWithLinesAndMinInputsDefaultsToOne() throws Exception {
        OperatorRegistry reg = OperatorRegistry.discover();
        DagException e = assertThrows(DagException.class, () -> new DagCompiler(reg, new OperatorEnv()).compile(
                DagLoader.parse("m.yaml", "dag: m\ndeadline_ms: 50\nnodes:\n  a: {op: debug.delay}\n"
                        + "  m: {op: merge, after: [a], params: {score: avg, quota: {a: 1.5}}}\noutput: m\n")));
        assertEquals(List.of("m.yaml:5: node 'm': param 'score' must be one of [max, sum, first], got 'avg'"),
                e.problems().stream().map(Problem::toString).toList());
        assertEquals(1, new Merge().defaultMinInputs());
        DagException q = assertThrows(DagException.class, () -> new DagCompiler(reg, new OperatorEnv()).compile(
                DagLoader.parse("m.yaml", "dag: m\ndeadline_ms: 50\nnodes:\n  a: {op: debug.delay}\n"
                        + "  m: {op: merge, after: [a], params: {quota: {a: 1.5}}}\noutput: m\n")));
        assertEquals(List.of("m.yaml:5: node 'm': op 'merge' rejected its params: quota 'a' must be a whole number >= 0, got 1.5"),
                q.problems().stream().map(Problem::toString).toList());
    }

    private static List<String> validate(String... lines) throws DagException {
        return DagValidator.validate(DagLoader.parse("m.yaml", String.join("\n", lines) + "\n"), OperatorRegistry.discover())
                .stream().map(Problem::toString).toList();
    }

    @Test
    void aMistypedQuotaKeyIsOneProblemAtItsLineNamingTheMergesInputs() throws Exception {
        // Accepted before: 'anm' capped nothing and ann ran uncapped, with nothing said anywhere.
        assertEquals(List.of("m.yaml:12: node 'merge': op 'merge' rejected its params: quota 'anm' names no input of this merge"
                        + " and no node upstream of one, so it would cap nothing; inputs: [hot, ann]"),
                validate(
                        "dag: m",                      // 1
                        "deadline_ms: 50",             // 2
                        "nodes:",                      // 3
                        "  hot: {op: recall.hot}",     // 4
                        "  ann: {op: recall.fresh}",   // 5
                        "  merge:",                    // 6
                        "    op: merge",               // 7
                        "    after: [hot, ann]",       // 8
                        "    params:",                 // 9
                        "      quota:",                // 10
                        "        hot: 100",            // 11
                        "        anm: 200",            // 12
                        "output: merge"));
    }

    @Test
    void aQuotaKeyedByANodeNotWiredIntoThisMergeIsAProblem() throws Exception {
        assertEquals(List.of("m.yaml:7: node 'merge': op 'merge' rejected its params: quota 'side' names no input of this merge"
                        + " and no node upstream of one, so it would cap nothing; inputs: [hot, fresh]"),
                validate(
                        "dag: m",
                        "deadline_ms: 50",
                        "nodes:",
                        "  hot: {op: recall.hot}",
                        "  fresh: {op: recall.fresh}",
                        "  side: {op: recall.hot, params: {limit: 20}}",
                        "  merge: {op: merge, after: [hot, fresh], params: {quota: {side: 10}}}",   // 7
                        "  page: {op: merge, after: [merge, side]}",
                        "output: page"));
    }

    @Test
    void quotaKeysNamingInputsOrSourcesUpstreamOfThemAreValid() throws Exception {
        // 'src' reaches the merge through 'slow' (its list keeps 'src' as its provenance source).
        assertEquals(List.of(), validate(
                "dag: m",
                "deadline_ms: 50",
                "nodes:",
                "  hot: {op: recall.hot}",
                "  src: {op: recall.fresh}",
                "  slow: {op: debug.delay, after: [src]}",
                "  merge: {op: merge, after: [hot, slow], params: {quota: {hot: 10, slow: 5, src: 3}}}",
                "output: merge"));
    }
}
