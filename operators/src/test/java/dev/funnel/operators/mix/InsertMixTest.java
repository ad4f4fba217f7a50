package dev.funnel.operators.mix;

import static dev.funnel.operators.testing.OperatorHarness.params;
import static dev.funnel.operators.testing.OperatorHarness.ranked;
import static dev.funnel.operators.testing.OperatorHarness.request;
import static dev.funnel.operators.testing.OperatorHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.OperatorEnv;
import org.junit.jupiter.api.Test;

class InsertMixTest {

    final InsertMix factory = new InsertMix();

    static Candidates ads(long... ids) {
        float[] s = new float[ids.length];
        java.util.Arrays.fill(s, 0.01f);
        return Candidates.fromSource("ads", ids, s, ids.length);
    }

    static Inputs inputs(Candidates main, Candidates ads) {
        return new Inputs("mix", new String[] {"rerank", "ads"}, new Object[] {main, ads});
    }

    @Test
    void insertsAtSlotsAndRemovesDuplicatesFromTheMainList() {
        Candidates out = run(factory, params(factory, "from", "ads", "first", 1, "every", 3, "max", 3), new OperatorEnv(),
                inputs(ranked(1, 2, 3, 4, 5, 6), ads(100, 3, 200)), request("u"));
        // slots 1, 4, 7; item 3 moves from the main list to slot 4; slot 7 right after the main list ends.
        assertArrayEquals(new long[] {1, 100, 2, 4, 3, 5, 6, 200}, out.idsCopy());
        assertArrayEquals(new String[] {"rank", "ads"}, out.sources());
        assertArrayEquals(new String[] {"ads"}, out.sourceNames(1));
        assertArrayEquals(new String[] {"rank"}, out.sourceNames(0));
        assertEquals(0.01f, out.score(1));
    }

    @Test
    void oneSlotByDefaultAndSizeCuts() {
        Candidates out = run(factory, params(factory, "from", "ads", "size", 4), new OperatorEnv(),
                inputs(ranked(1, 2, 3, 4, 5), ads(100, 200)), request("u"));
        assertArrayEquals(new long[] {1, 2, 100, 3}, out.idsCopy());
    }

    @Test
    void skippedBranchPassesTheMainListThrough() {
        Candidates main = ranked(1, 2, 3);
        assertArrayEquals(new long[] {1, 2, 3},
                run(factory, params(factory, "from", "ads"), new OperatorEnv(), inputs(main, null), request("u")).idsCopy());
        // a slot past the end of a short list stays empty
        assertArrayEquals(new long[] {1},
                run(factory, params(factory, "from", "ads", "first", 2), new OperatorEnv(), inputs(ranked(1), ads(9)), request("u")).idsCopy());
    }

    @Test
    void aFromThatNamesNoInputIsReportedAtItsOwnLine() throws Exception {
        // It was reported at the node's line (6), which in a block-style node is not where the typo is.
        java.util.List<String> problems = dev.funnel.engine.dag.DagValidator.validate(dev.funnel.engine.dag.DagLoader.parse("x.yaml",
                String.join("\n",
                        "dag: x",                       // 1
                        "deadline_ms: 50",              // 2
                        "nodes:",                       // 3
                        "  main: {op: recall.hot}",     // 4
                        "  ads: {op: recall.fresh}",    // 5
                        "  mixed:",                     // 6
                        "    op: mix.insert",           // 7
                        "    after: [main, ads]",       // 8
                        "    params:",                  // 9
                        "      first: 1",               // 10
                        "      from: adz",              // 11
                        "output: mixed", "")), dev.funnel.engine.dag.OperatorRegistry.discover())
                .stream().map(Object::toString).toList();
        assertEquals(java.util.List.of("x.yaml:11: node 'mixed': op 'mix.insert' rejected its params: param 'from': 'adz'"
                + " is not one of the node's inputs [main, ads] (list it in 'after')"), problems);
    }
}
