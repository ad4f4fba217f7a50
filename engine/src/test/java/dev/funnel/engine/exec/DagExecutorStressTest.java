package dev.funnel.engine.exec;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagLoader;
import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.engine.time.SingleThreadLoopScheduler;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many requests on one real loop whose operators complete on four other threads, around their
 * 2 ms deadline (so completions race timeouts), plus one branch that never completes: every
 * request completes on the loop, exactly once, with its bookkeeping consistent.
 */
class DagExecutorStressTest {

    @Test
    void completionsFromOtherThreadsRacingTimeoutsKeepEveryInvariant() throws Exception {
        ScheduledExecutorService completers = Executors.newScheduledThreadPool(4);
        AtomicInteger cancelled = new AtomicInteger();
        AtomicInteger offLoopListenerCalls = new AtomicInteger();
        AtomicInteger nodeEvents = new AtomicInteger();
        try (SingleThreadLoopScheduler loop = new SingleThreadLoopScheduler("stress-loop")) {
            TestOps.Factory async = new TestOps.Factory("async", ParamSchema.NONE, Candidates.class, Set.of(), -1, false,
                    (p, env) -> (in, ctx) -> Mono.create(sink -> {
                        long delayMicros = ThreadLocalRandom.current().nextLong(1_000, 3_000);
                        ScheduledFuture<?> f = completers.schedule(() -> sink.success(TestOps.source(in.nodeId(), 1, 2)),
                                delayMicros, TimeUnit.MICROSECONDS);
                        sink.onCancel(() -> {
                            if (f.cancel(false)) {
                                cancelled.incrementAndGet();
                            }
                        });
                    }));
            AtomicInteger neverDisposed = new AtomicInteger();
            TestOps.Factory never = new TestOps.Factory("never", ParamSchema.NONE, Candidates.class, Set.of(), -1, false,
                    (p, env) -> (in, ctx) -> Mono.create(sink -> sink.onCancel(neverDisposed::incrementAndGet)));
            OperatorRegistry reg = OperatorRegistry.of(async, never, (TestOps.Factory) TestOps.registry().find("union").orElseThrow());
            CompiledDag dag = new DagCompiler(reg, new OperatorEnv()).compile(DagLoader.parse("stress.yaml", String.join("\n",
                    "dag: stress",
                    "deadline_ms: 5000",
                    "defaults: {deadline_ms: 2}",
                    "nodes:",
                    "  a: {op: async}",
                    "  b: {op: async}",
                    "  c: {op: async}",
                    "  d: {op: never}",
                    "  u: {op: union, after: [a, b, c, d], min_inputs: 0}",
                    "output: u", "")));
            DagExecutor executor = new DagExecutor(Runnable::run, new ExecutionListener() {
                @Override
                public void onNode(String d, String node, String op, NodeOutcome outcome, long tookNanos, int outputSize) {
                    nodeEvents.incrementAndGet();
                    if (!loop.inLoop()) {
                        offLoopListenerCalls.incrementAndGet();
                    }
                }
            });
            int requests = 1_000;
            List<CompletableFuture<DagResult>> results = new ArrayList<>();
            AtomicInteger completedOffLoop = new AtomicInteger();
            CountDownLatch answered = new CountDownLatch(requests);
            // Submitted in paced batches so the loop also runs hops and timers in between, as a server loop would.
            int batch = 4;
            CompletableFuture<Void> submitted = new CompletableFuture<>();
            for (int start = 0; start < requests; start += batch) {
                int from = start;
                loop.schedule(TimeUnit.MILLISECONDS.toNanos(start / batch), () -> {
                for (int i = from; i < from + batch; i++) {
                    long now = loop.nanoTime();
                    RequestContext ctx = RequestContext.builder().requestId("r" + i).userId("u").scene("s").loop(loop)
                            .timing(now, now + TimeUnit.MILLISECONDS.toNanos(5_000)).build();
                    CompletableFuture<DagResult> f = executor.execute(dag, ctx);
                    f.thenRun(() -> {
                        if (!loop.inLoop()) {
                            completedOffLoop.incrementAndGet();
                        }
                        answered.countDown();
                    });
                    results.add(f);
                }
                if (from + batch >= requests) {
                    submitted.complete(null);
                }
                });
            }
            submitted.get(10, TimeUnit.SECONDS);
            // Waits on the callbacks themselves, not on allOf: a thread that attaches to a future still pending can
            // end up running the future's other dependents, the check above among them, on itself.
            assertTrue(answered.await(30, TimeUnit.SECONDS), answered.getCount() + " requests not answered");
            int timeouts = 0;
            for (CompletableFuture<DagResult> f : results) {
                DagResult r = f.join();
                assertFalse(r.failed(), r.failure());
                for (Degradation d : r.degraded()) {
                    assertEquals(NodeOutcome.TIMEOUT, d.cause(), d.toString());
                    assertTrue(Set.of("a", "b", "c", "d").contains(d.node()));
                }
                timeouts += r.degraded().size();
                assertEquals(2 * (4 - r.degraded().size()), ((Candidates) r.output()).size(), r.toString());
            }
            assertEquals(0, completedOffLoop.get(), "every future completes on the loop");
            assertEquals(0, offLoopListenerCalls.get(), "bookkeeping happens on the loop");
            assertEquals(5 * requests, nodeEvents.get(), "each node settles exactly once per request");
            assertEquals(0, executor.internalErrors());
            assertEquals(requests, neverDisposed.get(), "every never-completing node was disposed at its deadline");
            assertTrue(timeouts >= requests, "at least node d timed out in each request: " + timeouts);
            assertTrue(cancelled.get() + neverDisposed.get() <= timeouts, "only timed-out nodes are disposed");
        } finally {
            completers.shutdownNow();
        }
    }
}
