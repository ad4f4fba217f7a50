package dev.funnel.engine.exec;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagLoader;
import dev.funnel.engine.dag.Policy;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.time.VirtualLoopScheduler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DagExecutorTest {

    private static final long MS = 1_000_000L;

    private VirtualLoopScheduler loop;
    private RecordingListener listener;
    private DagExecutor executor;

    @BeforeEach
    void setUp() {
        loop = new VirtualLoopScheduler();
        listener = new RecordingListener();
        executor = new DagExecutor(Runnable::run, listener);
        TestOps.DELAYS_CANCELLED.set(0);
    }

    private CompiledDag compile(String yaml) throws Exception {
        return new DagCompiler(TestOps.registry(), new OperatorEnv()).compile(DagLoader.parse("t.yaml", yaml));
    }

    private CompletableFuture<DagResult> run(CompiledDag dag, long deadlineMs, boolean debug) {
        return executor.execute(dag, TestOps.ctx(loop, deadlineMs, debug));
    }

    private static Degradation degradation(DagResult r, String node) {
        for (Degradation d : r.degraded()) {
            if (d.node().equals(node)) {
                return d;
            }
        }
        return null;
    }

    @Test
    void synchronousDagCompletesBeforeExecuteReturnsAndSchedulesNoTimer() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 50\nnodes:\n"
                + "  a: {op: src, params: {n: 3, base: 1}}\n"
                + "  b: {op: src, params: {n: 2, base: 10}}\n"
                + "  u: {op: union, after: [a, b]}\n"
                + "output: u\n");
        CompletableFuture<DagResult> f = run(dag, 50, false);
        assertTrue(f.isDone());
        assertEquals(0, loop.pendingTasks(), "no timer for synchronous operators");
        DagResult r = f.join();
        assertFalse(r.failed());
        assertFalse(r.partial());
        Candidates c = (Candidates) r.output();
        assertEquals(5, c.size());
        assertEquals(1, c.id(0));
        assertEquals(10, c.id(3));
        assertEquals("d", r.dag());
        assertTrue(r.version().startsWith("d@"));
        assertTrue(r.trace().isEmpty(), "no trace without debug");
        assertEquals(List.of("a:OK:3", "b:OK:2", "u:OK:5"), listener.nodes);
        assertEquals(1, listener.requests);
    }

    @Test
    void independentBranchesRunConcurrently() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  a: {op: delay, params: {delay_ms: 30}}\n"
                + "  b: {op: delay, params: {delay_ms: 40}}\n"
                + "  c: {op: delay, params: {delay_ms: 20}}\n"
                + "  u: {op: union, after: [a, b, c]}\n"
                + "output: u\n");
        CompletableFuture<DagResult> f = run(dag, 100, true);
        assertFalse(f.isDone());
        loop.advanceMillis(39);
        assertFalse(f.isDone());
        loop.advanceMillis(1);
        assertTrue(f.isDone(), "done at 40 ms (the slowest branch), not 90 ms");
        DagResult r = f.join();
        assertEquals(40 * MS, r.tookNanos());
        assertEquals(6, ((Candidates) r.output()).size());
        // every branch started at 0
        for (NodeSpan s : r.trace()) {
            if (!s.node().equals("u")) {
                assertEquals(0, s.startNanos(), s.toString());
            }
        }
        assertEquals(0, loop.pendingTasks(), "timers cancelled on completion");
    }

    @Test
    void aNodeStartsAsSoonAsItsInputsSettle() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  a: {op: delay, params: {delay_ms: 10}}\n"
                + "  b: {op: delay, after: [a], params: {delay_ms: 10}}\n"
                + "  slow: {op: delay, params: {delay_ms: 50}}\n"
                + "  u: {op: union, after: [b, slow]}\n"
                + "output: u\n");
        DagResult r = runTo(dag, 100, 100);
        assertEquals(10 * MS, span(r, "b").startNanos());
        assertEquals(50 * MS, span(r, "u").startNanos());
    }

    @Test
    void nodeDeadlineTimesOutAndSkips() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  fast: {op: src}\n"
                + "  slow: {op: delay, deadline_ms: 20, params: {delay_ms: 500}}\n"
                + "  u: {op: union, after: [fast, slow]}\n"
                + "output: u\n");
        CompletableFuture<DagResult> f = run(dag, 100, false);
        loop.advanceMillis(20);
        assertTrue(f.isDone());
        DagResult r = f.join();
        assertFalse(r.failed());
        assertTrue(r.partial());
        assertEquals(3, ((Candidates) r.output()).size());
        Degradation d = degradation(r, "slow");
        assertEquals(NodeOutcome.TIMEOUT, d.cause());
        assertEquals(Policy.SKIP, d.action());
        assertEquals(1, TestOps.DELAYS_CANCELLED.get(), "the timed-out Mono was disposed");
        assertEquals(0, loop.pendingTasks(), "the delay's own timer was cancelled too");
    }

    @Test
    void slowBranchUnderTheDagDeadlineReturnsPartialAtTheDeadline() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 60\nnodes:\n"
                + "  fast: {op: src}\n"
                + "  slow: {op: delay, params: {delay_ms: 500}}\n"
                + "  u: {op: union, after: [fast, slow]}\n"
                + "  top: {op: strict, after: [u], params: {keep: 2}}\n"
                + "output: top\n");
        CompletableFuture<DagResult> f = run(dag, 1000, true);
        loop.advanceMillis(59);
        assertFalse(f.isDone());
        loop.advanceMillis(1);
        assertTrue(f.isDone());
        DagResult r = f.join();
        assertFalse(r.failed(), r.failure());
        assertTrue(r.partial());
        assertEquals(60 * MS, r.tookNanos());
        assertEquals(2, ((Candidates) r.output()).size());
        assertEquals(List.of("slow"), r.degraded().stream().map(Degradation::node).toList());
        assertEquals(NodeOutcome.TIMEOUT, r.degraded().get(0).cause());
        assertEquals(NodeOutcome.OK, span(r, "top").outcome());
        assertEquals(1, TestOps.DELAYS_CANCELLED.get());
    }

    @Test
    void asyncNodeReadyAtTheDeadlineIsCut() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 60\nnodes:\n"
                + "  slow: {op: delay, params: {delay_ms: 500}}\n"
                + "  fast: {op: src}\n"
                + "  u: {op: union, after: [fast, slow]}\n"
                + "  late: {op: delay, after: [u], params: {delay_ms: 1}}\n"
                + "output: late\n");
        DagResult r = runTo(dag, 1000, 60);
        assertTrue(r.failed());
        assertEquals(NodeOutcome.TIMEOUT, degradation(r, "late").cause());
        assertEquals(0, span(r, "late").tookNanos());
    }

    @Test
    void aResultThatArrivesPastTheDeadlineBeforeItsTimerStillLetsTheTailFinish() throws Exception {
        // slow's Mono completes from another thread at 61 ms while the loop was busy: when the loop
        // gets to slow's 60 ms timer, the result is already there and wins. The union after it must
        // still run (synchronously, as after a timeout) rather than find the budget gone.
        reactor.core.publisher.Sinks.One<Object> late = reactor.core.publisher.Sinks.one();
        TestOps.Factory hop = new TestOps.Factory("hop", dev.funnel.engine.spi.ParamSchema.NONE, Candidates.class,
                java.util.Set.of(), -1, false, (p, env) -> (in, ctx) -> late.asMono());
        var reg = dev.funnel.engine.dag.OperatorRegistry.of(hop,
                (TestOps.Factory) TestOps.registry().find("src").orElseThrow(),
                (TestOps.Factory) TestOps.registry().find("union").orElseThrow());
        CompiledDag dag = new DagCompiler(reg, new OperatorEnv()).compile(DagLoader.parse("t.yaml",
                "dag: d\ndeadline_ms: 60\nnodes:\n  fast: {op: src}\n  slow: {op: hop}\n"
                        + "  u: {op: union, after: [fast, slow]}\noutput: u\n"));
        CompletableFuture<DagResult> f = run(dag, 1000, true);
        loop.advanceMillis(59);
        loop.burn(2 * MS); // the loop was busy past the deadline; meanwhile the result came
        Thread t = new Thread(() -> late.tryEmitValue(TestOps.source("slow", 50, 4)));
        t.start();
        t.join();
        loop.runPending(); // the overdue timer and the hop both run now
        assertTrue(f.isDone());
        DagResult r = f.join();
        assertFalse(r.failed(), r.failure());
        assertEquals(7, ((Candidates) r.output()).size());
        assertEquals(NodeOutcome.OK, span(r, "u").outcome());
    }

    @Test
    void budgetShrinksAlongTheChain() throws Exception {
        // a spends 45 ms of the 60 ms budget; b (own deadline 30 ms) only gets the 15 ms left
        CompiledDag dag = compile("dag: d\ndeadline_ms: 60\nnodes:\n"
                + "  a: {op: delay, params: {delay_ms: 45}}\n"
                + "  b: {op: delay, after: [a], deadline_ms: 30, params: {delay_ms: 20}, on_timeout: {fallback: a}}\n"
                + "output: b\n");
        CompletableFuture<DagResult> f = run(dag, 1000, true);
        loop.advanceMillis(59);
        assertFalse(f.isDone());
        loop.advanceMillis(1);
        DagResult r = f.join();
        assertFalse(r.failed(), r.failure());
        assertEquals(15 * MS, span(r, "b").tookNanos());
        Degradation d = degradation(r, "b");
        assertEquals(NodeOutcome.TIMEOUT, d.cause());
        assertEquals(Policy.Kind.FALLBACK, d.action().kind());
        assertEquals(2, ((Candidates) r.output()).size(), "a's output stands in");
    }

    @Test
    void clientDeadlineShorterThanTheDagsWins() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  a: {op: delay, params: {delay_ms: 50}, on_timeout: fail}\n"
                + "output: a\n");
        CompletableFuture<DagResult> f = run(dag, 30, false);
        loop.advanceMillis(30);
        assertTrue(f.join().failed());
        assertTrue(f.join().failure().contains("node 'a' timeout"), f.join().failure());
    }

    @Test
    void pastTheDeadlineACpuHeavyNodeIsNotStartedAndItsOnTimeoutDecides() throws Exception {
        // hog overruns the 60 ms budget on the loop: next (cpu-heavy) would only queue expired work
        CompiledDag dag = compile("dag: d\ndeadline_ms: 60\nnodes:\n"
                + "  hog: {op: burn, params: {burn_ms: 70}}\n"
                + "  next: {op: heavy, after: [hog], min_inputs: 0}\n"
                + "  u: {op: union, after: [hog, next], min_inputs: 0}\n"
                + "output: u\n");
        DagResult r = runTo(dag, 1000, 0);
        Degradation d = degradation(r, "next");
        assertEquals(NodeOutcome.NO_BUDGET, d.cause());
        assertEquals(Policy.Kind.SKIP, d.action().kind(), "on_timeout's default");
        assertEquals(-1, span(r, "next").startNanos());
        assertFalse(r.failed(), r.failure());
        assertTrue(r.partial());
        assertEquals(NodeOutcome.OK, span(r, "u").outcome(), "the synchronous tail still runs, with what arrived");
        assertEquals(1, ((Candidates) r.output()).size());

        CompiledDag strict = compile("dag: d\ndeadline_ms: 60\nnodes:\n"
                + "  hog: {op: burn, params: {burn_ms: 70}}\n"
                + "  next: {op: heavy, after: [hog], on_timeout: fail}\n"
                + "output: next\n");
        DagResult failed = runTo(strict, 1000, 0);
        assertTrue(failed.failed());
        assertTrue(failed.failure().contains("node 'next' no_budget"), failed.failure());
    }

    @Test
    void aSynchronousOverrunBeforeRankingServesTheFilteredMergeAsTheFallbacksSay() throws Exception {
        // home_feed's shape: the exposure filter (here: burn) overruns the budget on the loop. The
        // ranker (cpu-heavy) is not started and falls back to the filtered list; the rerank chain,
        // which only has on_error fallbacks, still runs synchronously on it: partial, not a 503.
        CompiledDag dag = compile("dag: d\ndeadline_ms: 60\n"
                + "defaults: {deadline_ms: 25, on_timeout: skip, on_error: skip}\nnodes:\n"
                + "  a: {op: src, params: {n: 5, base: 1}}\n"
                + "  b: {op: src, params: {n: 4, base: 100}}\n"
                + "  merge: {op: union, after: [a, b], min_inputs: 1}\n"
                + "  seen: {op: burn, after: [merge], params: {burn_ms: 70}, on_timeout: {fallback: merge}, on_error: {fallback: merge}}\n"
                + "  rank: {op: heavy, after: [seen], on_timeout: {fallback: seen}, on_error: {fallback: seen}}\n"
                + "  top: {op: strict, after: [rank], params: {keep: 8}, on_error: {fallback: seen}}\n"
                + "  rules: {op: strict, after: [top], params: {keep: 6}, on_error: {fallback: top}}\n"
                + "  diverse: {op: strict, after: [rules], params: {keep: 5}, on_timeout: {fallback: rules}, on_error: {fallback: rules}}\n"
                + "output: diverse\n");
        DagResult r = runTo(dag, 1000, 0);
        assertFalse(r.failed(), r.failure());
        assertTrue(r.partial());
        assertEquals(5, ((Candidates) r.output()).size());
        Degradation rank = degradation(r, "rank");
        assertEquals(NodeOutcome.NO_BUDGET, rank.cause());
        assertEquals(Policy.fallback("seen"), rank.action());
        for (String n : List.of("top", "rules", "diverse")) {
            assertEquals(NodeOutcome.OK, span(r, n).outcome(), n);
            assertNull(degradation(r, n), n);
        }
    }

    @Test
    void aSynchronousOverrunOfATinyClientBudgetStillAnswersFromTheFastBranch() throws Exception {
        // slow_branch's shape with a client timeout of 1 ms that the fast branch overruns on the loop
        CompiledDag dag = compile("dag: d\ndeadline_ms: 60\ndefaults: {on_timeout: skip, on_error: skip}\nnodes:\n"
                + "  fast: {op: burn, params: {burn_ms: 2}}\n"
                + "  source: {op: src, params: {n: 2, base: 50}}\n"
                + "  slow: {op: delay, after: [source], params: {delay_ms: 500}}\n"
                + "  merge: {op: union, after: [fast, slow], min_inputs: 1}\n"
                + "  top: {op: strict, after: [merge], params: {keep: 50}}\n"
                + "output: top\n");
        DagResult r = runTo(dag, 1, 0);
        assertFalse(r.failed(), r.failure());
        assertTrue(r.partial());
        assertEquals(1, ((Candidates) r.output()).size(), "fast's item");
        assertEquals(NodeOutcome.TIMEOUT, degradation(r, "slow").cause(), "async work past the deadline times out at once");
        assertEquals(NodeOutcome.OK, span(r, "merge").outcome());
        assertEquals(NodeOutcome.OK, span(r, "top").outcome());
        assertEquals(1, TestOps.DELAYS_CANCELLED.get(), "the delay's timer was disposed");
        assertEquals(0, loop.pendingTasks(), "nothing left scheduled");
    }

    @Test
    void aSourceThatSignalsWhenCancelledIsSettledOnceAsTimeout() throws Exception {
        TestOps.Factory rude = new TestOps.Factory("rude", dev.funnel.engine.spi.ParamSchema.NONE, Candidates.class,
                java.util.Set.of(), -1, false, (p, env) -> (in, ctx) -> Mono.fromDirect(s -> s.onSubscribe(
                        new org.reactivestreams.Subscription() {
                            @Override
                            public void request(long n) {
                            }

                            @Override
                            public void cancel() {
                                s.onError(new IllegalStateException("cancelled")); // not spec-compliant, but seen
                            }
                        })));
        var reg = dev.funnel.engine.dag.OperatorRegistry.of(rude,
                (TestOps.Factory) TestOps.registry().find("src").orElseThrow(),
                (TestOps.Factory) TestOps.registry().find("union").orElseThrow());
        CompiledDag dag = new DagCompiler(reg, new OperatorEnv()).compile(DagLoader.parse("t.yaml",
                "dag: d\ndeadline_ms: 60\nnodes:\n  a: {op: src}\n  r: {op: rude, deadline_ms: 10}\n"
                        + "  u: {op: union, after: [a, r]}\noutput: u\n"));
        DagResult r = runTo(dag, 100, 10);
        assertFalse(r.failed(), r.failure());
        assertEquals(List.of("a:OK:3", "r:TIMEOUT:-1", "u:OK:3"), listener.nodes);
    }

    @Test
    void failPolicyFailsTheRequestAndCancelsOutstandingNodes() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  slow: {op: delay, params: {delay_ms: 50}}\n"
                + "  bad: {op: delay, deadline_ms: 10, params: {delay_ms: 90}, on_timeout: fail}\n"
                + "  u: {op: union, after: [slow, bad]}\n"
                + "output: u\n");
        CompletableFuture<DagResult> f = run(dag, 100, true);
        loop.advanceMillis(10);
        assertTrue(f.isDone());
        DagResult r = f.join();
        assertTrue(r.failed());
        assertNull(r.output());
        assertTrue(r.failure().startsWith("node 'bad' timeout"), r.failure());
        assertEquals(NodeOutcome.CANCELLED, span(r, "slow").outcome());
        assertEquals(NodeOutcome.CANCELLED, span(r, "u").outcome());
        assertEquals(2, TestOps.DELAYS_CANCELLED.get(), "both the failed and the outstanding delay were disposed");
        assertEquals(0, loop.pendingTasks());
    }

    @Test
    void errorsThrownByOperatorsAreErrorsNotCrashes() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  ok: {op: src}\n"
                + "  thrower: {op: boom, on_error: skip}\n"
                + "  signaller: {op: error, on_error: skip}\n"
                + "  u: {op: union, after: [ok, thrower, signaller]}\n"
                + "output: u\n");
        DagResult r = runTo(dag, 100, 0);
        assertFalse(r.failed());
        assertEquals(NodeOutcome.ERROR, degradation(r, "thrower").cause());
        assertTrue(degradation(r, "thrower").detail().contains("kaboom"));
        assertEquals(NodeOutcome.ERROR, degradation(r, "signaller").cause());
        assertTrue(degradation(r, "signaller").detail().contains("bad signal"));
        assertEquals(3, ((Candidates) r.output()).size());
        assertEquals(0, executor.internalErrors());
    }

    @Test
    void anOperatorThatSignalsItsOwnTimeoutIsATimeoutAndItsOnTimeoutDecides() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  a: {op: src, params: {n: 4}}\n"
                + "  rank: {op: late, after: [a], on_timeout: {fallback: a}, on_error: fail}\n"
                + "output: rank\n");
        DagResult r = runTo(dag, 100, 0);
        assertFalse(r.failed(), r.failure());
        assertEquals(4, ((Candidates) r.output()).size());
        Degradation d = degradation(r, "rank");
        assertEquals(NodeOutcome.TIMEOUT, d.cause());
        assertEquals(Policy.fallback("a"), d.action());
        assertTrue(d.detail().contains("deadline passed while queued"), d.detail());
        assertTrue(listener.nodes.contains("rank:TIMEOUT:4"), listener.nodes.toString());
    }

    @Test
    void defaultErrorPolicyIsFail() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  ok: {op: src}\n"
                + "  thrower: {op: boom}\n"
                + "  u: {op: union, after: [ok, thrower]}\n"
                + "output: u\n");
        DagResult r = runTo(dag, 100, 0);
        assertTrue(r.failed());
        assertTrue(r.failure().contains("kaboom"), r.failure());
    }

    @Test
    void errorFallbackUsesTheUpstreamOutput() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  a: {op: src, params: {n: 4}}\n"
                + "  rank: {op: boom, after: [a], on_error: {fallback: a}}\n"
                + "output: rank\n");
        DagResult r = runTo(dag, 100, 0);
        assertFalse(r.failed());
        assertEquals(4, ((Candidates) r.output()).size());
        assertEquals(Policy.fallback("a"), degradation(r, "rank").action());
    }

    @Test
    void minInputsGateAMerge() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  a: {op: src}\n"
                + "  b: {op: error, on_error: skip}\n"
                + "  c: {op: error, on_error: skip}\n"
                + "  two: {op: union, after: [a, b, c], min_inputs: 2, on_error: skip}\n"
                + "  one: {op: union, after: [a, b, c]}\n"
                + "  u: {op: union, after: [two, one]}\n"
                + "output: u\n");
        DagResult r = runTo(dag, 100, 0);
        assertFalse(r.failed());
        Degradation d = degradation(r, "two");
        assertEquals(NodeOutcome.MISSING_INPUTS, d.cause());
        assertEquals("1 of 3 inputs present, needs 2", d.detail());
        assertNull(degradation(r, "one"), "union's default min_inputs is 1");
        assertEquals(3, ((Candidates) r.output()).size());
    }

    @Test
    void missingInputOfAnAllInputsNodeIsHandledByItsErrorPolicy() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  a: {op: error, on_error: skip}\n"
                + "  b: {op: strict, after: [a], params: {keep: 1}}\n"
                + "output: b\n");
        DagResult r = runTo(dag, 100, 0);
        assertTrue(r.failed());
        assertEquals(NodeOutcome.MISSING_INPUTS, degradation(r, "b").cause());
        assertTrue(r.failure().startsWith("node 'b' missing_inputs"), r.failure());
    }

    @Test
    void emptyMonoMeansNoOutput() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  a: {op: src}\n"
                + "  e: {op: empty}\n"
                + "  u: {op: union, after: [a, e]}\n"
                + "output: u\n");
        DagResult r = runTo(dag, 100, 0);
        assertFalse(r.failed());
        assertEquals(3, ((Candidates) r.output()).size());
    }

    @Test
    void traceHasASpanPerNodeWithSizesAndOutputs() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  a: {op: src, params: {n: 5}}\n"
                + "  d: {op: delay, after: [a], params: {delay_ms: 7}}\n"
                + "  t: {op: strict, after: [d], params: {keep: 2}}\n"
                + "output: t\n");
        loop.advanceMillis(3); // arrival is not 0
        DagResult r = runTo(dag, 100, 100);
        assertEquals(List.of("a", "d", "t"), r.trace().stream().map(NodeSpan::node).toList());
        NodeSpan d = span(r, "d");
        assertEquals("delay", d.op());
        assertEquals(0, d.startNanos());
        assertEquals(7 * MS, d.tookNanos());
        assertEquals(5, d.inputSize());
        assertEquals(5, d.outputSize());
        assertNotNull(d.output());
        NodeSpan t = span(r, "t");
        assertEquals(7 * MS, t.startNanos());
        assertEquals(2, t.outputSize());
        assertEquals(-1, span(r, "a").inputSize(), "no candidate inputs");
        assertEquals(r.output(), t.output());
    }

    @Test
    void traceIsRightOnALoopWhoseClockIsNegative() throws Exception {
        loop = new VirtualLoopScheduler(-5_000_000_000L); // System.nanoTime() may be negative too
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  a: {op: error, on_error: skip}\n"
                + "  b: {op: delay, params: {delay_ms: 4}}\n"
                + "  c: {op: strict, after: [a], params: {keep: 1}, on_error: skip}\n"
                + "  u: {op: union, after: [b, c]}\n"
                + "output: u\n");
        DagResult r = runTo(dag, 100, 4);
        assertEquals(0, span(r, "b").startNanos());
        assertEquals(4 * MS, span(r, "b").tookNanos());
        assertEquals(-1, span(r, "c").startNanos(), "not started");
        assertEquals(NodeOutcome.MISSING_INPUTS, span(r, "c").outcome());
        assertEquals(4 * MS, span(r, "u").startNanos());
    }

    /** DAG d: node h ({@code heavy}, a cpu-heavy spec) feeding t, which keeps one candidate. */
    private CompiledDag heavyThenKeepOne(int deadlineMs, String heavy) throws Exception {
        return compile("dag: d\ndeadline_ms: " + deadlineMs + "\nnodes:\n"
                + "  h: " + heavy + "\n"
                + "  t: {op: strict, after: [h], params: {keep: 1}}\n"
                + "output: t\n");
    }

    @Test
    void cpuHeavyOperatorsRunOnThePoolAndHopBack() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "cpu-pool-1"));
        try {
            DagExecutor ex = new DagExecutor(pool, listener);
            CompiledDag dag = heavyThenKeepOne(100, "{op: heavy}");
            var ctx = TestOps.ctx(loop, 100, false);
            CompletableFuture<DagResult> f = ex.execute(dag, ctx);
            assertFalse(f.isDone(), "waits for the pool");
            assertEquals(1, loop.awaitAndRun(5_000));
            assertTrue(f.isDone());
            assertEquals("cpu-pool-1", ctx.attributes().get("heavy.thread"));
            assertEquals(1, ((Candidates) f.join().output()).size());
            assertEquals(0, loop.pendingTasks(), "the heavy node's timer was cancelled");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCpuHeavyNodeThatAFullPoolRefusesFailsAtOnceAndItsPolicyDecides() throws Exception {
        WorkerPool pool = new WorkerPool("cpu-pool-", 1, 1, WorkerPool.Order.ARRIVAL);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try {
            WorkerPoolTest.occupy(pool, release); // the only worker, busy
            pool.execute(() -> { }); // and the one waiting place taken
            DagExecutor ex = new DagExecutor(pool, listener);
            CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                    + "  src: {op: src, params: {n: 3}}\n"
                    + "  h: {op: heavy, after: [src], on_error: {fallback: src}}\n"
                    + "output: h\n");
            CompletableFuture<DagResult> f = ex.execute(dag, TestOps.ctx(loop, 100, false));
            loop.runPending();
            assertTrue(f.isDone(), "refused on the loop, at once: nothing waits for the pool");
            DagResult r = f.join();
            assertEquals(List.of("h"), r.degraded().stream().map(Degradation::node).toList());
            assertEquals(NodeOutcome.ERROR, r.degraded().get(0).cause());
            assertTrue(r.degraded().get(0).detail().contains("worker pool is full (1 nodes waiting)"), r.degraded().toString());
            assertEquals(3, ((Candidates) r.output()).size(), "the fallback's list");
            assertEquals(0, loop.pendingTasks(), "the refused node's timer was cancelled");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aCpuHeavyNodesWorkerCpuTimeGoesToTheListenerFromTheWorker() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "cpu-pool-1"));
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        long[] cpu = new long[1];
        try {
            DagExecutor ex = new DagExecutor(pool, new ExecutionListener() {
                @Override
                public void onNodeCpu(String dag, String node, String op, long cpuNanos) {
                    seen.add(dag + "/" + node + "/" + op + " on " + Thread.currentThread().getName());
                    cpu[0] = cpuNanos;
                }
            });
            CompiledDag dag = heavyThenKeepOne(1000, "{op: spin, deadline_ms: 1000, params: {cpu_ms: 20}}");
            var ctx = TestOps.ctx(loop, 1000, false);
            CompletableFuture<DagResult> f = ex.execute(dag, ctx);
            assertEquals(1, loop.awaitAndRun(10_000));
            assertTrue(f.isDone());
            pool.shutdown(); // the worker reports after its signal: the request may be answered first
            assertTrue(pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(List.of("d/h/spin on cpu-pool-1"), seen, "the heavy node only, from its worker");
            long spun = (Long) ctx.attributes().get("spin.cpu");
            assertTrue(spun >= 20_000_000L, "spun " + spun);
            assertTrue(cpu[0] >= spun && cpu[0] < spun + 50_000_000L, "node CPU " + cpu[0] + " ns for " + spun + " ns spun");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPoolThatRunsOlderRequestsFirstTakesAnOlderRequestsNextNodeBeforeANewerRequestsFirst() throws Exception {
        PriorityQueue<Runnable> queue = new PriorityQueue<>(WorkerPool.OLDEST_FIRST); // a WorkerPool's run order
        DagExecutor ex = new DagExecutor(queue::add, listener); // the queue stands for the pool; the test is its worker
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  h1: {op: heavy}\n"
                + "  h2: {op: heavy, after: [h1]}\n"
                + "output: h2\n");
        long aStart = loop.nanoTime();
        CompletableFuture<DagResult> a = ex.execute(dag, TestOps.ctx(loop, 100, false));
        loop.runPending();
        loop.advanceMillis(1);
        CompletableFuture<DagResult> b = ex.execute(dag, TestOps.ctx(loop, 100, false));
        loop.runPending();
        assertEquals(2, queue.size(), "each request's h1 waits for the worker");
        Runnable first = queue.poll();
        assertEquals(aStart, ((WorkerPool.Ordered) first).arrivalNanos(), "a task carries its request's start");
        first.run(); // a's h1; its result hops back to the loop, where a's h2 becomes ready and is queued
        loop.runPending();
        assertEquals(2, queue.size());
        Runnable second = queue.poll();
        assertEquals(aStart, ((WorkerPool.Ordered) second).arrivalNanos(),
                "a's h2, queued after b's h1, goes first: a arrived first");
        second.run();
        loop.runPending();
        assertTrue(a.isDone());
        assertFalse(b.isDone());
        while (!queue.isEmpty()) {
            queue.poll().run();
            loop.runPending();
        }
        assertTrue(b.isDone());
        assertFalse(b.join().partial(), "b ran both its nodes, later: " + b.join().degraded());
    }

    @Test
    void cpuHeavyNodeThatOutlivesItsDeadlineTimesOut() throws Exception {
        List<Runnable> queued = new ArrayList<>();
        DagExecutor ex = new DagExecutor(queued::add, listener);
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  a: {op: src}\n"
                + "  h: {op: heavy, deadline_ms: 10}\n"
                + "  u: {op: union, after: [a, h]}\n"
                + "output: u\n");
        var ctx = TestOps.ctx(loop, 100, false);
        CompletableFuture<DagResult> f = ex.execute(dag, ctx);
        loop.advanceMillis(10);
        assertTrue(f.isDone());
        assertEquals(NodeOutcome.TIMEOUT, degradation(f.join(), "h").cause());
        queued.forEach(Runnable::run); // the pool gets to it late: expired work is dropped
        assertNull(ctx.attributes().get("heavy.thread"));
    }

    @Test
    void executeFromAnotherThreadRunsOnTheRealLoop() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 1000\nnodes:\n"
                + "  a: {op: src}\n"
                + "  d: {op: delay, after: [a], params: {delay_ms: 5}}\n"
                + "output: d\n");
        try (dev.funnel.engine.time.SingleThreadLoopScheduler real = new dev.funnel.engine.time.SingleThreadLoopScheduler("real-loop")) {
            long now = real.nanoTime();
            var ctx = dev.funnel.engine.spi.RequestContext.builder().requestId("r").userId("u").scene("s").loop(real)
                    .timing(now, now + 1_000 * MS).build();
            DagExecutor executor = new DagExecutor(Runnable::run, ExecutionListener.NOOP);
            CompletableFuture<DagResult> f = executor.execute(dag, ctx);
            for (int attempt = 1; f.isDone() && attempt < 5; attempt++) {
                // This thread stalled past the 5 ms DAG (a loaded CI machine): a callback attached now
                // would run here and say nothing about the thread that completed it. Run it again.
                long again = real.nanoTime();
                ctx = dev.funnel.engine.spi.RequestContext.builder().requestId("r" + attempt).userId("u").scene("s")
                        .loop(real).timing(again, again + 1_000 * MS).build();
                f = executor.execute(dag, ctx);
            }
            CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
            DagResult r = f.whenComplete((x, t) -> onLoop.complete(real.inLoop()))
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertFalse(r.failed(), r.failure());
            assertEquals(3, ((Candidates) r.output()).size());
            assertTrue(r.tookNanos() >= 5 * MS);
            assertTrue(onLoop.get(10, java.util.concurrent.TimeUnit.SECONDS), "completed on the loop thread");
        }
    }

    @Test
    void listenerSeesEveryNodeOutcome() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n"
                + "  a: {op: src}\n"
                + "  slow: {op: delay, deadline_ms: 5, params: {delay_ms: 50}}\n"
                + "  u: {op: union, after: [a, slow]}\n"
                + "output: u\n");
        runTo(dag, 100, 5);
        assertEquals(List.of("a:OK:3", "slow:TIMEOUT:-1", "u:OK:3"), listener.nodes);
    }

    @Test
    void aThrowingListenerDoesNotFailRequests() throws Exception {
        DagExecutor ex = new DagExecutor(Runnable::run, new ExecutionListener() {
            @Override
            public void onNode(String dag, String node, String op, NodeOutcome outcome, long tookNanos, int outputSize) {
                throw new IllegalStateException("metrics down");
            }
        });
        CompiledDag dag = compile("dag: d\ndeadline_ms: 100\nnodes:\n  a: {op: src}\noutput: a\n");
        DagResult r = ex.execute(dag, TestOps.ctx(loop, 100, false)).join();
        assertFalse(r.failed());
        assertEquals(1, ex.listenerFailures());
    }

    @Test
    void manyConcurrentRequestsOnOneLoopStayIndependent() throws Exception {
        CompiledDag dag = compile("dag: d\ndeadline_ms: 50\nnodes:\n"
                + "  a: {op: src}\n"
                + "  d: {op: delay, params: {delay_ms: 30}}\n"
                + "  u: {op: union, after: [a, d]}\n"
                + "output: u\n");
        List<CompletableFuture<DagResult>> fs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            fs.add(run(dag, i % 2 == 0 ? 50 : 20, false));
            loop.advance(100_000);
        }
        loop.advanceMillis(60);
        int partial = 0;
        for (CompletableFuture<DagResult> f : fs) {
            DagResult r = f.join();
            assertFalse(r.failed());
            partial += r.partial() ? 1 : 0;
        }
        assertEquals(50, partial, "requests with a 20 ms client deadline lose the 30 ms branch");
    }

    private DagResult runTo(CompiledDag dag, long deadlineMs, long advanceMs) {
        CompletableFuture<DagResult> f = run(dag, deadlineMs, true);
        loop.advanceMillis(advanceMs);
        assertTrue(f.isDone(), "not done after " + advanceMs + " ms");
        return f.join();
    }

    private static NodeSpan span(DagResult r, String node) {
        for (NodeSpan s : r.trace()) {
            if (s.node().equals(node)) {
                return s;
            }
        }
        throw new AssertionError("no span for " + node + " in " + r.trace());
    }

    static final class RecordingListener implements ExecutionListener {
        final List<String> nodes = new ArrayList<>();
        int requests;

        @Override
        public void onNode(String dag, String node, String op, NodeOutcome outcome, long tookNanos, int outputSize) {
            nodes.add(node + ":" + outcome + ":" + outputSize);
        }

        @Override
        public void onRequest(String dag, DagResult result) {
            requests++;
        }
    }
}
