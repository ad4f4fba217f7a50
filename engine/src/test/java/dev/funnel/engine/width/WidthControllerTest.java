package dev.funnel.engine.width;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagLoader;
import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.exec.NodeOutcome;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.engine.spi.RequestContext;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WidthControllerTest {

    static final long MS = 1_000_000L;
    static final long SEC = 1_000 * MS;

    /** A recall whose operator remembers the limit it was built with. */
    static final class Sized implements Operator<Candidates> {
        final int limit;

        Sized(int limit) {
            this.limit = limit;
        }

        @Override
        public Mono<Candidates> apply(Inputs inputs, RequestContext ctx) {
            return Mono.just(Candidates.EMPTY);
        }
    }

    record Recall(String name) implements OperatorFactory {
        @Override
        public String description() {
            return "test recall";
        }

        @Override
        public ParamSchema params() {
            return ParamSchema.of(ParamSpec.optionalInt("limit", 100, 10, 10_000, "how many"));
        }

        @Override
        public Class<?> outputType() {
            return Candidates.class;
        }

        @Override
        public Operator<?> create(Params p, OperatorEnv env) {
            return new Sized(p.getInt("limit"));
        }
    }

    static final String YAML = """
            dag: feed
            deadline_ms: 50
            nodes:
              wide:  {op: recall.test, params: {limit: 1000}, target_p95_ms: 5}
              fixed: {op: recall.test, after: [wide], params: {limit: 30}}
              small: {op: recall.test, after: [fixed], params: {limit: 20}, target_p95_ms: 5}
            output: small
            """;

    CompiledDag compile(WidthLevels levels) throws DagException {
        OperatorEnv env = new OperatorEnv();
        if (levels != null) {
            env.register(WidthLevels.class, levels);
        }
        return new DagCompiler(OperatorRegistry.of(new Recall("recall.test")), env).compile(DagLoader.parse("feed.yaml", YAML));
    }

    static int limitNow(CompiledDag dag, String node) {
        return ((Sized) dag.node(node).operator()).limit;
    }

    @Test
    void theCompilerBuildsOneVariantPerLevelWithinTheParamBounds() throws Exception {
        List<WidthLevels.Level> created = new ArrayList<>();
        WidthLevels levels = new WidthLevels(created::add);
        CompiledDag dag = compile(levels);
        WidthLevels.Level wide = dag.node("wide").widthLevel();
        assertEquals(2, created.size(), "one level per node with target_p95_ms");
        assertNull(dag.node("fixed").widthLevel());
        assertEquals(1000, limitNow(dag, "wide"));
        int[] expected = {1000, 800, 640, 500, 400, 320, 250};
        for (int i = 0; i < expected.length; i++) {
            wide.set(i);
            assertEquals(expected[i], limitNow(dag, "wide"), "level " + i);
        }
        WidthLevels.Level small = dag.node("small").widthLevel();
        small.set(WidthLevels.FACTORS.length - 1);
        assertEquals(10, limitNow(dag, "small"), "never below the param's minimum");
        assertEquals(30, limitNow(dag, "fixed"));

        CompiledDag again = compile(levels);
        assertSame(wide, again.node("wide").widthLevel(), "a recompiled DAG (hot swap, route) shares the level");
        assertEquals(250, limitNow(again, "wide"));
    }

    @Test
    void withoutWidthLevelsTheNodeRunsAtFullWidth() throws Exception {
        CompiledDag dag = compile(null);
        assertNull(dag.node("wide").widthLevel());
        assertEquals(1000, limitNow(dag, "wide"));
    }

    @Test
    void narrowsStepByStepWhileAboveTargetAndRecoversBelowIt() throws Exception {
        AtomicLong clock = new AtomicLong(100 * SEC);
        WidthLevels levels = new WidthLevels();
        CompiledDag dag = compile(levels);
        WidthLevels.Level wide = dag.node("wide").widthLevel();
        WidthController c = new WidthController(levels, clock::get, SEC, 20, 0.7);

        assertEquals(0, c.tick(), "no samples, no decision");
        feed(c, clock, 8 * MS, 10);
        assertEquals(0, c.tick(), "too few samples");
        feed(c, clock, 8 * MS, 30);
        assertEquals(1, c.tick());
        assertEquals(0.8, wide.factor());
        assertEquals(800, limitNow(dag, "wide"));

        // Within the cooldown nothing moves, however slow.
        clock.addAndGet(SEC);
        feed(c, clock, 20 * MS, 50);
        assertEquals(0, c.tick());

        // Keeps narrowing while slow, one step per cooldown, down to the last level.
        for (int step = 2; step < WidthLevels.FACTORS.length + 2; step++) {
            clock.addAndGet(2 * SEC);
            feed(c, clock, 8 * MS, 30);
            c.tick();
        }
        assertEquals(WidthLevels.FACTORS.length - 1, wide.index());

        // Between 0.7× target and the target: hold.
        clock.addAndGet(3 * SEC);
        feed(c, clock, 4 * MS, 30);
        assertEquals(0, c.tick());

        // Fast again: widen back to full, step by step.
        for (int step = 0; step < WidthLevels.FACTORS.length + 1; step++) {
            clock.addAndGet(3 * SEC);
            feed(c, clock, 1 * MS, 30);
            c.tick();
        }
        assertEquals(0, wide.index());
        assertEquals(1000, limitNow(dag, "wide"));
        assertEquals(1.0, levels.factor("feed", "fixed"), "uncontrolled nodes report full width");
    }

    private static void feed(WidthController c, AtomicLong clock, long tookNanos, int n) {
        for (int i = 0; i < n; i++) {
            c.onNode("feed", "wide", "recall.test", NodeOutcome.OK, tookNanos, 100);
        }
    }
}
