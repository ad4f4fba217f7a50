package dev.funnel.model.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.features.FeatureBatch;
import dev.funnel.features.FeatureSchema;
import dev.funnel.features.ItemAttributes;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.model.batch.ScoringTask;
import dev.funnel.model.batch.Scores;
import dev.funnel.model.ctr.CtrInputs;
import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.ctr.CtrWeights;
import dev.funnel.model.onnx.OnnxGraph;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ModelRuntimeTest {

    private static final FeatureSchema SCHEMA = FeatureSchema.defaultSchema(4);

    /** Three items: same everything but their content embedding. */
    private static final ItemAttributes ITEMS = new ItemAttributes() {
        @Override public String category(long id) { return "c1"; }
        @Override public String author(long id) { return "a1"; }
        @Override public List<String> tags(long id) { return List.of("t1"); }
        @Override public long createdAtMillis(long id) { return Long.MIN_VALUE; }
        @Override public double popularity(long id) { return 0.01; }
        @Override public float[] embedding(long id) {
            return id == 1 ? new float[] {1, 0, 0, 0} : id == 2 ? new float[] {0, 1, 0, 0} : new float[] {-1, 0, 0, 0};
        }
    };

    @Test
    void theDemoModelPrefersItemsCloserToTheUsersTaste() throws Exception {
        try (ModelRuntime rt = ModelRuntime.demo(SCHEMA, ModelRuntimeConfig.DEFAULT, new SimpleMeterRegistry())) {
            assertEquals(Map.of("ctr", CtrBootstrap.VERSION), rt.liveVersions());
            RankModel m = rt.requireRankModel("ctr");
            UserProfile user = new UserProfile("u1", Map.of(), Map.of(), new long[0], new float[] {0.5f, 0.1f, 0, 0}, 0);
            Scores s = score(m, user, new long[] {1, 2, 3});
            float[] p = s.outputs()[0];
            int heads = m.heads().size();
            assertTrue(p[0] > p[heads] && p[heads] > p[2 * heads], "click probabilities follow affinity: " + java.util.Arrays.toString(p));
            for (float x : p) {
                assertTrue(x > 0.001 && x < 0.5, "probabilities stay plausible for a click, got " + x);
            }
        }
    }

    /** Rollback and unpin rewrite the pin file; a restarted runtime reading it is pinned again. */
    @Test
    void rollbackAndUnpinAreKeptInThePinFileAndRestoredOnTheNextStart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        dev.funnel.model.registry.PinFile pins = new dev.funnel.model.registry.PinFile(dir.resolve("model-pins.properties"));
        byte[] v1 = CtrBootstrap.onnx(SCHEMA, CtrModelSpec.forSchema(SCHEMA), 11);
        try (ModelRuntime rt = ModelRuntime.demo(SCHEMA, ModelRuntimeConfig.DEFAULT, new SimpleMeterRegistry())) {
            assertEquals(Map.of(), rt.keepPinsIn(pins));
            rt.registry().load("ctr", "v1", v1).join();
            assertEquals(CtrBootstrap.VERSION, rt.rollback("ctr").get(30, TimeUnit.SECONDS));
            assertEquals(Map.of("ctr", CtrBootstrap.VERSION), pins.read(), "the rollback's pin is on disk when it answers");
        }
        try (ModelRuntime rt = ModelRuntime.demo(SCHEMA, ModelRuntimeConfig.DEFAULT, new SimpleMeterRegistry())) {
            assertEquals(Map.of("ctr", true), rt.keepPinsIn(pins), "the bootstrap version is live at start: pinned at once");
            rt.registry().load("ctr", "v1", v1).join(); // replayed
            assertEquals(CtrBootstrap.VERSION, rt.registry().liveVersion("ctr"), "the restart kept the rollback");
            assertEquals("v1", rt.unpin("ctr").get(30, TimeUnit.SECONDS));
            assertEquals(Map.of(), pins.read(), "unpin removed the pin from disk");
        }
    }

    /** A pin or release made on another replica is saved like a local rollback or unpin. */
    @Test
    void aPinToANamedVersionAndItsReleaseAreKeptInThePinFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        dev.funnel.model.registry.PinFile pins = new dev.funnel.model.registry.PinFile(dir.resolve("model-pins.properties"));
        try (ModelRuntime rt = ModelRuntime.demo(SCHEMA, ModelRuntimeConfig.DEFAULT, new SimpleMeterRegistry())) {
            rt.keepPinsIn(pins);
            rt.registry().load("ctr", "v1", CtrBootstrap.onnx(SCHEMA, CtrModelSpec.forSchema(SCHEMA), 11)).join();
            assertEquals(CtrBootstrap.VERSION, rt.pinTo("ctr", CtrBootstrap.VERSION).get(30, TimeUnit.SECONDS));
            assertEquals(Map.of("ctr", CtrBootstrap.VERSION), pins.read());
            assertEquals(CtrBootstrap.VERSION, rt.release("ctr").get(30, TimeUnit.SECONDS));
            assertEquals(Map.of(), pins.read());
        }
    }

    @Test
    void aPinThatCannotBeSavedFailsTheAnswerButTheRollbackStands(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path notADir = java.nio.file.Files.writeString(dir.resolve("file"), "x");
        try (ModelRuntime rt = ModelRuntime.demo(SCHEMA, ModelRuntimeConfig.DEFAULT, new SimpleMeterRegistry())) {
            rt.keepPinsIn(new dev.funnel.model.registry.PinFile(notADir.resolve("model-pins.properties")));
            rt.registry().load("ctr", "v1", CtrBootstrap.onnx(SCHEMA, CtrModelSpec.forSchema(SCHEMA), 11)).join();
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> rt.rollback("ctr").get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof ModelRuntime.PinNotSavedException, e.toString());
            assertTrue(e.getCause().getMessage().contains("rollback made '0' live, but the pins could not be saved"), e.getCause().getMessage());
            assertEquals(CtrBootstrap.VERSION, rt.registry().liveVersion("ctr"));
        }
    }

    @Test
    void aUserSuppliedModelServesUnderMappedNames() throws Exception {
        CtrModelSpec spec = CtrModelSpec.forSchema(SCHEMA, 2, new int[0], List.of("click", "like"));
        CtrWeights w = CtrWeights.init(spec, 9, 0.2);
        int[] widths = CtrModel.inputWidths(spec);
        // What a PyTorch export of the same logistic model looks like: other names, no funnel metadata.
        OnnxGraph g = OnnxGraph.named("torch_jit");
        for (int i = 0; i < widths.length; i++) {
            g.input("input." + (i + 1), OnnxGraph.DYNAMIC, widths[i]);
        }
        byte[] torch = g.output("output", OnnxGraph.DYNAMIC, 2)
                .concat(1, "x", "input.1", "input.2", "input.3", "input.4")
                .initializer("W", w.weights(0), spec.mlpInputWidth(), 2)
                .initializer("B", w.bias(0), 2)
                .gemm("x", "W", "B", "z")
                .binary("Add", "z", "input.5", "l")
                .unary("Sigmoid", "l", "output")
                .toModelBytes();
        Map<String, String> inputs = Map.of(CtrModel.USER_EMB, "input.1", CtrModel.ITEM_EMB, "input.2",
                CtrModel.FIELD_EMB, "input.3", CtrModel.DENSE, "input.4", CtrModel.WIDE, "input.5");
        try (ModelRuntime rt = ModelRuntime.start(ModelRuntimeConfig.DEFAULT, new SimpleMeterRegistry())) {
            RankModel m = rt.addCtrModel("torch", SCHEMA, spec, inputs, Map.of(CtrModel.PROBS, "output"));
            rt.registry().load("torch", "t1", torch).join();
            UserProfile user = new UserProfile("u1", Map.of(), Map.of(), new long[0], new float[] {0.5f, 0.5f, 0, 0}, 0);
            long[] ids = {1, 2, 3};
            Scores s = score(m, user, ids);
            FeatureBatch fb = m.extractor().extract(user, Map.of(), 0, ITEMS, ids, 3);
            CtrInputs x = new CtrInputs(spec, 3).fill(fb, ITEMS, m.fieldTable(), m.wideTable());
            float[] expected = CtrModel.forward(w, 3, x.userEmb(), x.itemEmb(), x.fieldEmb(), x.dense(), x.wide());
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], s.outputs()[0][i], 1e-5);
            }
            // Our own ctr export is refused here: its tensors do not carry the mapped names.
            CompletionException e = assertThrows(CompletionException.class,
                    () -> rt.registry().load("torch", "t2", CtrModel.toOnnx(w)).join());
            assertTrue(e.getMessage().contains("maps to 'input.1'"), e.getMessage());
            assertEquals("t1", rt.registry().liveVersion("torch"));
        }
    }

    @Test
    void aCtrVersionForAnotherFeatureSchemaNeverGoesLive() {
        try (ModelRuntime rt = ModelRuntime.demo(SCHEMA, ModelRuntimeConfig.DEFAULT, new SimpleMeterRegistry())) {
            FeatureSchema other = FeatureSchema.builder("ctr-v2").field("item_id", FeatureSchema.Source.ITEM_ID, null)
                    .contentDim(4).dense(FeatureSchema.DenseFeature.values()).tagSlots(0).build();
            // Same widths as the live model: only the feature schema version recorded in the model differs.
            CtrModelSpec spec = CtrModelSpec.forSchema(SCHEMA);
            CtrModelSpec foreign = new CtrModelSpec(other.version(), spec.contentDim(), spec.fieldCount(), spec.fieldDim(),
                    spec.denseCount(), spec.hidden(), spec.heads());
            CompletionException e = assertThrows(CompletionException.class,
                    () -> rt.registry().load("ctr", "x", CtrModel.toOnnx(CtrWeights.init(foreign, 1, 0.1))).join());
            assertTrue(e.getMessage().contains("metadata 'funnel.feature_schema'"), e.getMessage());
            assertEquals(CtrBootstrap.VERSION, rt.registry().liveVersion("ctr"));
        }
    }

    private static Scores score(RankModel m, UserProfile user, long[] ids) throws Exception {
        FeatureBatch fb = m.extractor().extract(user, Map.of(), 0, ITEMS, ids, ids.length);
        CtrInputs x = new CtrInputs(m.spec(), ids.length).fill(fb, ITEMS, m.fieldTable(), m.wideTable());
        ScoringTask t = new ScoringTask(ids.length, x.arrays(), m.nowNanos() + TimeUnit.SECONDS.toNanos(10), null);
        m.batcher().offer(t);
        return t.result().get(10, TimeUnit.SECONDS);
    }
}
