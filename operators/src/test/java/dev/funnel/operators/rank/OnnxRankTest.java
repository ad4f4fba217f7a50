package dev.funnel.operators.rank;

import reactor.core.publisher.Hooks;
import dev.funnel.model.batch.BatcherConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.LoopScheduler;
import dev.funnel.engine.spi.LoopScheduler.Cancellable;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.features.FeatureBatch;
import dev.funnel.features.FeatureSchema;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemStore;
import dev.funnel.model.ctr.CtrInputs;
import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.ctr.CtrWeights;
import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.ModelRuntimeConfig;
import dev.funnel.model.serving.RankModel;
import dev.funnel.operators.recall.SimFixtures;
import dev.funnel.operators.testing.OperatorHarness;
import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimUser;
import dev.funnel.sim.SimWorld;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.test.StepVerifier;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxRankTest {

    private final SimWorld world = SimWorld.generate(SimConfig.small(11));
    private final ItemIndex index = SimFixtures.index(world);
    private final FeatureSchema schema = FeatureSchema.defaultSchema(world.config().dim());
    private final CtrModelSpec spec = CtrModelSpec.forSchema(schema, 4, new int[] {16}, List.of("click", "like"));
    private final CtrWeights weights = CtrWeights.init(spec, 3, 0.1);
    private final ModelRuntime runtime = ModelRuntime.start(ModelRuntimeConfig.DEFAULT, new SimpleMeterRegistry());
    private final RankModel model;
    private final OperatorEnv env;
    private final OnnxRank factory = new OnnxRank();

    OnnxRankTest() {
        model = runtime.addCtrModel("ctr", schema, spec);
        runtime.registry().load("ctr", "w3", CtrModel.toOnnx(weights)).join();
        // Some learned sparse rows, so the tables matter.
        SplittableRandom rnd = new SplittableRandom(1);
        FeatureBatch all = model.extractor().extract(profile(world.users().get(0)), Map.of("device", "ios"), 0,
                new ItemsOf(index), ids(200), 200);
        for (int r = 0; r < all.size(); r++) {
            for (int f = 0; f < all.fieldCount(); f++) {
                float[] v = {(float) rnd.nextDouble(-1, 1), (float) rnd.nextDouble(-1, 1), (float) rnd.nextDouble(-1, 1), 0.5f};
                model.fieldTable().put(all.fieldId(r, f), v, 0);
            }
            model.wideTable().put(all.wideId(r, 0), new float[] {0.3f, -0.2f}, 0);
        }
        env = new OperatorEnv().register(ModelRuntime.class, runtime).register(ItemStore.class, index);
    }

    @AfterAll
    void close() {
        runtime.close();
    }

    @Test
    void scoresEqualTheReferenceForwardPassFusedAndCut() {
        SimUser u = world.users().get(0);
        UserProfile p = withEmbedding(profile(u), world.items().get(5).embedding());
        long[] ids = ids(300);
        Candidates in = Candidates.fromSource("prerank", ids, new float[ids.length], ids.length);
        RequestContext ctx = request(u.id(), Long.MAX_VALUE / 4);
        Candidates out = run(in, p, ctx, "click * (1 + 0.5 * like)", 40);

        FeatureBatch logged = (FeatureBatch) ctx.attributes().get(OnnxRank.ATTR_FEATURES);
        assertEquals(300, logged.size());
        assertEquals(Map.of("ctr", "w3"), ctx.attributes().get(OnnxRank.ATTR_MODELS));
        CtrInputs x = new CtrInputs(spec, 300).fill(logged, new ItemsOf(index), model.fieldTable(), model.wideTable());
        float[] probs = CtrModel.forward(weights, 300, x.userEmb(), x.itemEmb(), x.fieldEmb(), x.dense(), x.wide());
        Integer[] order = IntStream.range(0, 300).boxed().toArray(Integer[]::new);
        java.util.Arrays.sort(order, (a, b) -> Double.compare(fused(probs, b), fused(probs, a)));
        assertEquals(40, out.size());
        for (int i = 0; i < 40; i++) {
            assertEquals(ids[order[i]], out.id(i), "rank " + i);
            assertEquals(fused(probs, order[i]), out.score(i), 1e-5);
        }
    }

    @Test
    void aModelThatPredictsAlmostNoClicksStillRanksInItsOrder() {
        // What a model trained on impressions without clicks serves: predictions of 1e-12..1e-7.
        // Fused and ranked through the batcher they must keep the reference's order, not tie.
        CtrWeights quiet = weights.copy();
        java.util.Arrays.fill(quiet.bias(quiet.layers() - 1), -22f);
        RankModel quietModel = runtime.addCtrModel("quiet", schema, spec);
        runtime.registry().load("quiet", "q1", CtrModel.toOnnx(quiet)).join();
        SimUser u = world.users().get(2);
        UserProfile p = withEmbedding(profile(u), world.items().get(9).embedding());
        long[] ids = ids(300);
        Candidates in = Candidates.fromSource("prerank", ids, new float[ids.length], ids.length);
        RequestContext ctx = request(u.id(), Long.MAX_VALUE / 4);
        Candidates out = run("quiet", in, p, ctx, "click * (1 + 0.5 * like)", 40);

        FeatureBatch logged = (FeatureBatch) ctx.attributes().get(OnnxRank.ATTR_FEATURES);
        CtrInputs x = new CtrInputs(spec, 300).fill(logged, new ItemsOf(index), quietModel.fieldTable(),
                quietModel.wideTable());
        float[] probs = CtrModel.forward(quiet, 300, x.userEmb(), x.itemEmb(), x.fieldEmb(), x.dense(), x.wide());
        Integer[] order = IntStream.range(0, 300).boxed().toArray(Integer[]::new);
        java.util.Arrays.sort(order, (a, b) -> Double.compare(fused(probs, b), fused(probs, a)));
        assertTrue(fused(probs, order[0]) < 1e-7, "the test's model predicts " + fused(probs, order[0]));
        assertEquals(40, out.size());
        for (int i = 0; i < 40; i++) {
            double want = fused(probs, order[i]);
            assertEquals(ids[order[i]], out.id(i), "rank " + i);
            assertEquals(want, out.score(i), want * 1e-3, "rank " + i);
        }
    }

    @Test
    void anUnknownUserRanksWithColdStartFeatures() {
        long[] ids = ids(50);
        Candidates in = Candidates.fromSource("prerank", ids, new float[ids.length], ids.length);
        RequestContext ctx = request("nobody", Long.MAX_VALUE / 4);
        Inputs inputs = new Inputs("rank", new String[] {"prerank", "profile"}, new Object[] {in, null});
        Candidates out = (Candidates) factory.create(OperatorHarness.params(factory, "model", "ctr", "keep", 10), env)
                .apply(inputs, ctx).block(Duration.ofSeconds(5));
        assertEquals(10, out.size());
        FeatureBatch logged = (FeatureBatch) ctx.attributes().get(OnnxRank.ATTR_FEATURES);
        assertTrue(logged.userEmbedding() == null);
    }

    /** Dropped by the batcher as late: a timeout to the engine (on_timeout decides), not an error. */
    @Test
    void aRequestWhoseBudgetIsGoneIsDroppedNotScoredAndSignalsATimeout() {
        long[] ids = ids(20);
        Candidates in = Candidates.fromSource("prerank", ids, new float[ids.length], ids.length);
        RequestContext ctx = request("u", System.nanoTime() - 1_000_000);
        Inputs inputs = new Inputs("rank", new String[] {"prerank", "profile"}, new Object[] {in, profile(world.users().get(1))});
        StepVerifier.create(factory.create(OperatorHarness.params(factory, "model", "ctr", "keep", 10), env).apply(inputs, ctx))
                .expectErrorSatisfies(e -> {
                    assertTrue(e instanceof TimeoutException, e.toString());
                    assertTrue(e.getMessage().contains("deadline passed"), e.getMessage());
                })
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void configurationMistakesAreReportedAtCreate() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> factory.create(OperatorHarness.params(factory, "model", "ctr2"), env));
        assertEquals("model 'ctr2' is not registered; registered: [ctr]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> factory.create(OperatorHarness.params(factory, "model", "ctr", "fusion", "click * share"), env));
        assertTrue(e.getMessage().contains("unknown name 'share'"), e.getMessage());
    }

    @Test
    void aTaskCancelledByItsTimedOutNodeEndsWithoutADroppedError() throws Exception {
        // A batcher that waits 300 ms to fill a batch: the node lets go of its task before it runs.
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        List<Throwable> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try (ModelRuntime rt = slowRuntime(300_000, meters)) {
            OperatorEnv slowEnv = new OperatorEnv().register(ModelRuntime.class, rt).register(ItemStore.class, index);
            long[] ids = ids(20);
            Inputs inputs = unscored(ids);
            reactor.core.Disposable d = factory.create(OperatorHarness.params(factory, "model", "ctr", "keep", 10), slowEnv)
                    .apply(inputs, request("u", Long.MAX_VALUE / 4)).subscribe();
            d.dispose(); // what the executor does when the node's timer fires
            io.micrometer.core.instrument.Counter cancelled = meters.get("funnel.batcher.rows.dropped").tag("reason", "cancelled").counter();
            long until = System.nanoTime() + 10_000_000_000L;
            while (cancelled.count() < ids.length && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertEquals(ids.length, cancelled.count(), "the batcher dropped the cancelled rows");
            Thread.sleep(50); // the task's failure is delivered right after the count
        } finally {
            Hooks.resetOnErrorDropped();
        }
        assertEquals(List.of(), dropped, "no error reaches Reactor's dropped-error hook");
    }

    /**
     * The other order on the loop: the batcher drops the rows as late, the failure is queued to the request's
     * loop, and the node's timer fires first there and lets the task go. The late failure then reaches a
     * cancelled Mono: it must be discarded, not logged by Reactor's dropped-error hook (seen in the demo's
     * warm-up as an ERROR with a stack trace).
     */
    @Test
    void aLateFailureArrivingAfterTheNodeLetGoIsNotADroppedError() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        List<Throwable> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.ConcurrentLinkedQueue<Runnable> queued = new java.util.concurrent.ConcurrentLinkedQueue<>();
        LoopScheduler loop = new LoopScheduler() {
            @Override public long nanoTime() { return System.nanoTime(); }
            @Override public Cancellable schedule(long delayNanos, Runnable task) { throw new UnsupportedOperationException(); }
            @Override public void execute(Runnable task) { queued.add(task); }
            @Override public boolean inLoop() { return true; }
        };
        Hooks.onErrorDropped(dropped::add);
        try (ModelRuntime rt = slowRuntime(50_000, meters)) {
            OperatorEnv slowEnv = new OperatorEnv().register(ModelRuntime.class, rt).register(ItemStore.class, index);
            long[] ids = ids(20);
            Inputs inputs = unscored(ids);
            RequestContext ctx = RequestContext.builder().requestId("r").userId("u").scene("home").count(10)
                    .context(Map.of("device", "ios")).loop(loop).timing(0, 1_000_000).build(); // 1 ms: late in the queue
            List<Throwable> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            reactor.core.Disposable d = factory.create(OperatorHarness.params(factory, "model", "ctr", "keep", 10), slowEnv)
                    .apply(inputs, ctx).subscribe(v -> { }, seen::add);
            io.micrometer.core.instrument.Counter late = meters.get("funnel.batcher.rows.dropped").tag("reason", "deadline").counter();
            long until = System.nanoTime() + 10_000_000_000L;
            while ((late.count() < ids.length || queued.isEmpty()) && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertEquals(ids.length, late.count(), "the batcher dropped the late rows");
            d.dispose(); // the node's timer, first in the loop's queue
            for (Runnable r; (r = queued.poll()) != null; ) {
                r.run(); // then the batcher's failure
            }
            assertEquals(List.of(), seen, "the node had let go: nothing is delivered");
        } finally {
            Hooks.resetOnErrorDropped();
        }
        assertEquals(List.of(), dropped, "no error reaches Reactor's dropped-error hook");
    }

    /**
     * A node cancelled before its Mono is subscribed (its budget ran out between apply and subscribe) whose
     * task the batcher had already failed: the failure is discarded, not a dropped error.
     */
    @Test
    void aFailedTaskOfANodeCancelledBeforeItSubscribesIsNotADroppedError() throws Exception {
        List<Throwable> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try {
            long[] ids = ids(20);
            Inputs inputs = unscored(ids);
            RequestContext gone = RequestContext.builder().requestId("r").userId("u").scene("home").count(10)
                    .context(Map.of("device", "ios")).loop(OperatorHarness.DirectLoop.INSTANCE).timing(0, 1).build();
            reactor.core.publisher.Mono<Candidates> mono = factory.create(OperatorHarness.params(factory, "model", "ctr", "keep", 10), env)
                    .apply(inputs, gone);
            Thread.sleep(200); // the batcher drops the late rows meanwhile
            List<Object> signals = new java.util.concurrent.CopyOnWriteArrayList<>();
            mono.subscribe(new reactor.core.publisher.BaseSubscriber<Candidates>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                    cancel(); // what NodeCall does when it was cancelled before the subscription
                }

                @Override
                protected void hookOnNext(Candidates v) {
                    signals.add(v);
                }

                @Override
                protected void hookOnError(Throwable t) {
                    signals.add(t);
                }
            });
            Thread.sleep(50);
            assertEquals(List.of(), signals);
        } finally {
            Hooks.resetOnErrorDropped();
        }
        assertEquals(List.of(), dropped, "no error reaches Reactor's dropped-error hook");
    }

    @Test
    void anEmptyListPassesThrough() {
        Candidates empty = Candidates.fromSource("prerank", new long[0], new float[0], 0);
        assertSame(empty, run(empty, profile(world.users().get(1)), request("u", Long.MAX_VALUE / 4), null, 10));
    }

    private double fused(float[] probs, int row) {
        return probs[row * 2] * (1 + 0.5 * probs[row * 2 + 1]);
    }

    private Candidates run(Candidates in, UserProfile p, RequestContext ctx, String fusion, int keep) {
        return run("ctr", in, p, ctx, fusion, keep);
    }

    private Candidates run(String modelName, Candidates in, UserProfile p, RequestContext ctx, String fusion, int keep) {
        Inputs inputs = new Inputs("rank", new String[] {"prerank", "profile"}, new Object[] {in, p});
        Object[] kv = fusion == null ? new Object[] {"model", modelName, "keep", keep}
                : new Object[] {"model", modelName, "keep", keep, "fusion", fusion};
        return (Candidates) factory.create(OperatorHarness.params(factory, kv), env).apply(inputs, ctx).block(Duration.ofSeconds(5));
    }

    private static RequestContext request(String user, long deadlineNanos) {
        return RequestContext.builder().requestId("r").userId(user).scene("home").count(10)
                .context(Map.of("device", "ios")).loop(OperatorHarness.DirectLoop.INSTANCE).timing(0, deadlineNanos).build();
    }

    /** A runtime with the test's model whose batcher waits {@code delayMicros} to fill a batch before it runs it. */
    private ModelRuntime slowRuntime(long delayMicros, SimpleMeterRegistry meters) {
        ModelRuntime rt = ModelRuntime.start(ModelRuntimeConfig.DEFAULT.withBatcher(
                new BatcherConfig(1024, delayMicros, 64).withDispatchWhenIdle(false)), meters);
        rt.addCtrModel("ctr", schema, spec);
        rt.registry().load("ctr", "w3", CtrModel.toOnnx(weights)).join();
        return rt;
    }

    /** The prerank list of {@code ids}, unscored, and a sim user's profile: a rank node's inputs. */
    private Inputs unscored(long[] ids) {
        return new Inputs("rank", new String[] {"prerank", "profile"},
                new Object[] {Candidates.fromSource("prerank", ids, new float[ids.length], ids.length), profile(world.users().get(1))});
    }

    private static long[] ids(int n) {
        return IntStream.rangeClosed(1, n).mapToLong(i -> i * 7L).toArray();
    }

    private static UserProfile profile(SimUser u) {
        return SimFixtures.profile(u);
    }

    private static UserProfile withEmbedding(UserProfile p, float[] e) {
        return new UserProfile(p.userId(), p.demographics(), p.interestTags(), p.recentClicks(), e, p.updatedAtMillis());
    }

    /** The index as feature-library item attributes (what the operator adapts internally). */
    static final class ItemsOf implements dev.funnel.features.ItemAttributes {
        private final ItemStore s;

        ItemsOf(ItemStore s) {
            this.s = s;
        }

        @Override public String category(long id) { return s.category(id); }
        @Override public String author(long id) { return s.author(id); }
        @Override public List<String> tags(long id) { return s.tags(id); }
        @Override public long createdAtMillis(long id) { return s.createdAtMillis(id); }
        @Override public double popularity(long id) { return s.popularity(id); }
        @Override public float[] embedding(long id) { return s.embedding(id); }
    }
}
