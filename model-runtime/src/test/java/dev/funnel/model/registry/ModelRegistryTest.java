package dev.funnel.model.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.features.FeatureSchema;
import dev.funnel.model.InferenceBackend;
import dev.funnel.model.ModelLease;
import dev.funnel.model.ModelSignature;
import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.ctr.CtrWeights;
import dev.funnel.model.onnx.OnnxGraph;
import dev.funnel.model.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {

    private final InferenceBackend cpu = TestModels.cpu();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ModelRegistry registry = new ModelRegistry(cpu, Runnable::run, meters);
    private final CtrModelSpec spec = TestModels.SPEC;

    ModelRegistryTest() {
        registry.define(ModelDefinition.of("ctr", TestModels.ctrSignature(spec)));
    }

    @AfterEach
    void close() {
        registry.close();
        cpu.close();
    }

    @Test
    void aLoadedVersionGoesLiveAndLeasesScoreOnIt() throws Exception {
        registry.load("ctr", "v1", TestModels.constantCtr(spec, 0.25)).join();
        assertEquals(Map.of("ctr", "v1"), registry.liveVersions());
        try (ModelLease lease = registry.acquire("ctr")) {
            assertEquals("v1", lease.version());
            assertEquals(0.25f, runOne(lease), 1e-6);
        }
        assertEquals(1, registry.openSessions());
    }

    @Test
    void loadsRunOnTheLoaderNotTheCaller() {
        ArrayDeque<Runnable> pending = new ArrayDeque<>();
        Executor manual = pending::add;
        ModelRegistry r = new ModelRegistry(cpu, manual, meters);
        r.define(ModelDefinition.of("m", null));
        CompletableFuture<String> f = r.load("m", "v1", TestModels.constantCtr(spec, 0.5));
        assertFalse(f.isDone());
        assertNull(r.liveVersion("m"));
        pending.poll().run();
        assertEquals("v1", f.join());
        r.close();
    }

    @Test
    void aModelFailingItsSignatureNeverGoesLive() {
        registry.load("ctr", "v1", TestModels.constantCtr(spec, 0.25)).join();
        CtrModelSpec other = CtrModelSpec.forSchema(FeatureSchema.defaultSchema(8), 4, new int[] {8}, List.of("click", "like"));
        CompletionException e = assertThrows(CompletionException.class,
                () -> registry.load("ctr", "v2", TestModels.constantCtr(other, 0.5)).join());
        assertTrue(e.getMessage().contains("input 'user_emb' has width 8, expected 16"), e.getMessage());
        assertEquals("v1", registry.liveVersion("ctr"));
        assertEquals(1, registry.openSessions(), "the rejected session was closed");
        assertEquals(1.0, meters.get("funnel.model.loads").tag("outcome", "rejected").counter().count());
    }

    /** A NaN bias (a diverged trainer's snapshot) would null every score: the version never goes live. */
    @Test
    void aModelWhoseWarmUpIsNotFiniteNeverGoesLive() {
        registry.load("ctr", "v1", TestModels.constantCtr(spec, 0.25)).join();
        CtrWeights w = CtrWeights.init(spec, 1, 0.05);
        w.bias(w.layers() - 1)[0] = Float.NaN;
        CompletionException e = assertThrows(CompletionException.class, () -> registry.load("ctr", "v2", CtrModel.toOnnx(w)).join());
        assertTrue(e.getMessage().contains("model 'ctr' version 'v2' rejected: warm-up output 'probs' column 0 is NaN, not finite"),
                e.getMessage());
        assertEquals("v1", registry.liveVersion("ctr"), "the old version keeps serving");
        assertEquals(1, registry.openSessions(), "the rejected session was closed");
        assertEquals(1.0, meters.get("funnel.model.loads").tag("outcome", "rejected").counter().count());
    }

    /**
     * Weights that are finite and score the all-zero row fine, but overflow on any non-zero row: the
     * first layer scales the inputs' sum by 1e30 into two ReLU units (one for each sign), the second
     * scales again to infinity in two units, and the output takes their difference, Inf - Inf = NaN.
     * A warm-up on zeros alone let such a snapshot go live.
     */
    @Test
    void aModelThatOverflowsOnlyOnNonZeroInputsNeverGoesLive() {
        registry.load("ctr", "v1", TestModels.constantCtr(spec, 0.25)).join();
        CtrWeights w = CtrWeights.zeros(spec);
        int[] widths = spec.layerWidths();
        float[] w0 = w.weights(0);
        for (int i = 0; i < widths[0]; i++) {
            w0[i * widths[1]] = 1e30f;
            w0[i * widths[1] + 1] = -1e30f;
        }
        float[] w1 = w.weights(1);
        for (int i = 0; i < 2; i++) {
            w1[i * widths[2]] = 1e30f;
            w1[i * widths[2] + 1] = 1e30f;
        }
        float[] w2 = w.weights(2);
        w2[0] = 1f;               // unit 0 → head 0
        w2[widths[3]] = -1f;      // unit 1 → head 0
        byte[] onnx = CtrModel.toOnnx(w);
        float[][] zeros = TestModels.zeroInputs(spec, 1);
        assertEquals(0.5f, CtrModel.forward(w, 1, zeros[0], zeros[1], zeros[2], zeros[3], zeros[4])[0], 1e-6,
                "the all-zero row scores a plain 0.5");
        CompletionException e = assertThrows(CompletionException.class, () -> registry.load("ctr", "v2", onnx).join());
        assertTrue(e.getMessage().contains("model 'ctr' version 'v2' rejected: warm-up output 'probs' column 0 is NaN, not finite,"
                + " on the non-zero input row"), e.getMessage());
        assertEquals("v1", registry.liveVersion("ctr"), "the old version keeps serving");
        assertEquals(1, registry.openSessions(), "the rejected session was closed");
    }

    @Test
    void bytesThatAreNotAModelNeverGoLive() {
        CompletionException e = assertThrows(CompletionException.class, () -> registry.load("ctr", "bad", new byte[] {9, 9, 9}).join());
        assertTrue(e.getMessage().contains("model 'ctr' version 'bad' rejected: load failed"), e.getMessage());
        assertNull(registry.liveVersion("ctr"));
    }

    @Test
    void aSwappedOutSessionStaysOpenUntilItsLeaseCloses() throws Exception {
        registry.load("ctr", "v1", TestModels.constantCtr(spec, 0.25)).join();
        ModelLease held = registry.acquire("ctr");
        registry.load("ctr", "v2", TestModels.constantCtr(spec, 0.75)).join();
        assertEquals(2, registry.openSessions());
        assertEquals(0.25f, runOne(held), 1e-6, "the old version still runs for its in-flight batch");
        try (ModelLease now = registry.acquire("ctr")) {
            assertEquals("v2", now.version());
        }
        held.close();
        assertEquals(1, registry.openSessions());
    }

    @Test
    void rollbackRestoresThePreviousVersion() throws Exception {
        registry.load("ctr", "v1", TestModels.constantCtr(spec, 0.25)).join();
        registry.load("ctr", "v2", TestModels.constantCtr(spec, 0.75)).join();
        assertEquals(List.of("v1"), registry.models().get(0).previous());
        assertEquals("v1", registry.rollback("ctr").join());
        try (ModelLease lease = registry.acquire("ctr")) {
            assertEquals("v1", lease.version());
            assertEquals(0.25f, runOne(lease), 1e-6);
        }
        CompletionException e = assertThrows(CompletionException.class, () -> registry.rollback("ctr").join());
        assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
    }

    /**
     * A rollback pins: the trainer's next snapshots are loaded and kept but do not go live (they undid an
     * operator's rollback within a minute); rolling back again while pinned works; unpin makes the newest
     * received version live, with the ones between it and the pinned version as its history.
     */
    @Test
    void aRollbackPinsUntilUnpinAndVersionsLoadedMeanwhileAreKept() throws Exception {
        registry.load("ctr", "v0", TestModels.constantCtr(spec, 0.10)).join();
        registry.load("ctr", "v1", TestModels.constantCtr(spec, 0.20)).join();
        registry.load("ctr", "v2", TestModels.constantCtr(spec, 0.30)).join();
        assertFalse(registry.models().get(0).pinned());
        assertEquals("v1", registry.rollback("ctr").join());
        assertTrue(registry.models().get(0).pinned());

        assertEquals("v3", registry.load("ctr", "v3", TestModels.constantCtr(spec, 0.40)).join(), "received, checked");
        assertEquals("v1", registry.liveVersion("ctr"), "the rollback stays live");
        assertEquals(1.0, meters.get("funnel.model.loads").tag("outcome", "pinned").counter().count());
        assertEquals(1, registry.openSessions(), "a kept version holds bytes, not a session");

        assertEquals("v0", registry.rollback("ctr").join(), "rolling back again while pinned");
        registry.load("ctr", "v4", TestModels.constantCtr(spec, 0.50)).join();
        ModelInfo pinned = registry.models().get(0);
        assertEquals(new ModelInfo("ctr", "v0", List.of(), pinned.liveSinceMillis(), true, List.of("v4", "v3")), pinned);
        assertEquals("v4", pinned.unpinVersion());
        try (ModelLease lease = registry.acquire("ctr")) {
            assertEquals(0.10f, runOne(lease), 1e-6);
        }

        assertEquals("v4", registry.unpin("ctr").join());
        ModelInfo unpinned = registry.models().get(0);
        assertFalse(unpinned.pinned());
        assertEquals(List.of("v3", "v0"), unpinned.previous(), "a later rollback goes to the version before v4");
        assertEquals(List.of(), unpinned.heldWhilePinned());
        try (ModelLease lease = registry.acquire("ctr")) {
            assertEquals("v4", lease.version());
            assertEquals(0.50f, runOne(lease), 1e-6);
        }
        CompletionException notPinned = assertThrows(CompletionException.class, () -> registry.unpin("ctr").join());
        assertTrue(notPinned.getCause() instanceof IllegalStateException, notPinned.toString());
        assertEquals("model 'ctr' is not pinned", notPinned.getCause().getMessage());

        registry.load("ctr", "v5", TestModels.constantCtr(spec, 0.60)).join();
        assertEquals("v5", registry.liveVersion("ctr"), "unpinned: loads go live again");
        assertEquals(1, registry.openSessions());
    }

    @Test
    void aVersionLoadedWhilePinnedIsStillCheckedAndUnpinWithoutOneKeepsTheLiveVersion() {
        registry.load("ctr", "v1", TestModels.constantCtr(spec, 0.25)).join();
        registry.load("ctr", "v2", TestModels.constantCtr(spec, 0.75)).join();
        registry.rollback("ctr").join();
        CtrModelSpec other = CtrModelSpec.forSchema(FeatureSchema.defaultSchema(8), 4, new int[] {8}, List.of("click", "like"));
        assertThrows(CompletionException.class, () -> registry.load("ctr", "bad", TestModels.constantCtr(other, 0.5)).join());
        assertEquals(List.of(), registry.models().get(0).heldWhilePinned(), "a rejected version is not kept");
        assertNull(registry.models().get(0).unpinVersion());

        assertEquals("v1", registry.unpin("ctr").join(), "nothing arrived: the pinned version stays");
        assertFalse(registry.models().get(0).pinned());
        registry.load("ctr", "v3", TestModels.constantCtr(spec, 0.5)).join();
        assertEquals("v3", registry.liveVersion("ctr"));
    }

    /**
     * After a restart the registry is rebuilt by replaying the delta stream: a restored pin waits for its
     * version (newer ones do not exist yet; older ones serve meanwhile), pins it when it is loaded, and
     * the versions after it are kept, not live: the state the operator's rollback left before the restart.
     */
    @Test
    void aRestoredPinWaitsForItsVersionThenHoldsAsTheRollbackDid() {
        registry.load("ctr", "0", TestModels.constantCtr(spec, 0.10)).join();
        assertFalse(registry.restorePin("ctr", "v2"), "v2 is not loaded yet");
        ModelInfo waiting = registry.models().get(0);
        assertFalse(waiting.pinned());
        assertEquals("v2", waiting.awaitedPin());
        assertEquals("v2", waiting.pinnedVersion());
        assertEquals(Map.of("ctr", "v2"), registry.pins(), "an awaited pin is still a pin to keep");

        registry.load("ctr", "v1", TestModels.constantCtr(spec, 0.20)).join();
        assertEquals("v1", registry.liveVersion("ctr"), "older versions serve until the pinned one is back");
        registry.load("ctr", "v2", TestModels.constantCtr(spec, 0.30)).join();
        registry.load("ctr", "v3", TestModels.constantCtr(spec, 0.40)).join();
        ModelInfo restored = registry.models().get(0);
        assertEquals(new ModelInfo("ctr", "v2", List.of("v1", "0"), restored.liveSinceMillis(), true, List.of("v3"), null), restored);
        assertEquals(Map.of("ctr", "v2"), registry.pins());

        assertEquals("v3", registry.unpin("ctr").join(), "unpin works as after a rollback");
        assertEquals(Map.of(), registry.pins());
    }

    @Test
    void aRestoredPinOnTheLiveVersionHoldsAtOnceAndAnAwaitedOneCanBeDropped() {
        registry.load("ctr", "0", TestModels.constantCtr(spec, 0.10)).join();
        assertTrue(registry.restorePin("ctr", "0"));
        registry.load("ctr", "v1", TestModels.constantCtr(spec, 0.20)).join();
        assertEquals("0", registry.liveVersion("ctr"), "pinned to the bootstrap version again");
        assertTrue(registry.models().get(0).pinned());

        ModelRegistry other = new ModelRegistry(cpu, Runnable::run, meters);
        other.define(ModelDefinition.of("ctr", TestModels.ctrSignature(spec)));
        other.load("ctr", "0", TestModels.constantCtr(spec, 0.10)).join();
        other.restorePin("ctr", "v9"); // the stream no longer holds v9
        other.load("ctr", "v10", TestModels.constantCtr(spec, 0.20)).join();
        assertEquals("v10", other.liveVersion("ctr"), "newer versions keep serving");
        assertEquals("v10", other.unpin("ctr").join(), "unpin drops the awaited pin, the live version stays");
        assertNull(other.models().get(0).awaitedPin());
        assertEquals(Map.of(), other.pins());
        other.load("ctr", "v9", TestModels.constantCtr(spec, 0.30)).join();
        assertEquals("v9", other.liveVersion("ctr"), "no pin any more: a load goes live");
        other.close();
    }

    /**
     * A pin another replica made names its version: this replica pins it wherever it has it (live, in
     * the history, or kept while pinned), or awaits it; applying the same pin or release twice changes nothing.
     */
    @Test
    void aPinToANamedVersionHoldsWhereverTheVersionIsAndIsIdempotent() {
        registry.load("ctr", "v1", TestModels.constantCtr(spec, 0.10)).join();
        registry.load("ctr", "v2", TestModels.constantCtr(spec, 0.20)).join();
        registry.load("ctr", "v3", TestModels.constantCtr(spec, 0.30)).join();

        assertEquals("v1", registry.pinTo("ctr", "v1").join(), "two versions back, in one step");
        ModelInfo pinned = registry.models().get(0);
        assertEquals(new ModelInfo("ctr", "v1", List.of(), pinned.liveSinceMillis(), true, List.of()), pinned,
                "the versions after it are dropped, as a rollback drops the one it leaves");
        assertEquals("v1", registry.pinTo("ctr", "v1").join(), "the same pin again");
        assertEquals(pinned, registry.models().get(0));
        assertEquals(1.0, meters.get("funnel.model.rollbacks").counter().count());

        registry.load("ctr", "v4", TestModels.constantCtr(spec, 0.40)).join();
        registry.load("ctr", "v5", TestModels.constantCtr(spec, 0.50)).join();
        assertEquals("v4", registry.pinTo("ctr", "v4").join(), "a version kept while pinned");
        ModelInfo forward = registry.models().get(0);
        assertTrue(forward.pinned());
        assertEquals("v4", registry.liveVersion("ctr"));
        assertEquals(List.of(), forward.heldWhilePinned());

        assertEquals("v4", registry.release("ctr").join());
        assertFalse(registry.models().get(0).pinned());
        assertEquals("v4", registry.release("ctr").join(), "releasing an unpinned model changes nothing");
        registry.load("ctr", "v6", TestModels.constantCtr(spec, 0.60)).join();
        assertEquals("v6", registry.liveVersion("ctr"), "released: loads go live");

        assertEquals("v6", registry.pinTo("ctr", "v8").join(), "not here yet: the pin is awaited");
        assertEquals("v8", registry.models().get(0).awaitedPin());
        registry.load("ctr", "v7", TestModels.constantCtr(spec, 0.70)).join();
        registry.load("ctr", "v8", TestModels.constantCtr(spec, 0.80)).join();
        registry.load("ctr", "v9", TestModels.constantCtr(spec, 0.90)).join();
        assertEquals("v8", registry.liveVersion("ctr"), "the awaited version holds once loaded");
        assertEquals(Map.of("ctr", "v8"), registry.pins());
        assertEquals("v9", registry.release("ctr").join());
        assertEquals(1, registry.openSessions());
    }

    /**
     * A replica behind the decision: the rollback to v1 was decided where v2 had been received; here v2 arrives
     * after the pin, and is dropped as it was there, so the unpin makes the same version live everywhere.
     */
    @Test
    void aPinSkipsThroughTheVersionsTheDecidingReplicaHadReceived() {
        registry.load("ctr", "v1", TestModels.constantCtr(spec, 0.10)).join();
        assertEquals("v1", registry.lastReceived("ctr"));
        assertEquals("v1", registry.pinTo("ctr", "v1", "v2").join());
        registry.load("ctr", "v2", TestModels.constantCtr(spec, 0.20)).join();
        assertEquals("v2", registry.lastReceived("ctr"));
        assertEquals(List.of(), registry.models().get(0).heldWhilePinned(), "v2 was rolled back from: not kept for the unpin");
        registry.load("ctr", "v3", TestModels.constantCtr(spec, 0.30)).join();
        assertEquals(List.of("v3"), registry.models().get(0).heldWhilePinned(), "received after the decision: kept");
        assertEquals("v3", registry.release("ctr").join());

        // A skip-through received already (the deciding replica's own case) skips nothing.
        assertEquals("v1", registry.pinTo("ctr", "v1", "v3").join());
        registry.load("ctr", "v4", TestModels.constantCtr(spec, 0.40)).join();
        assertEquals(List.of("v4"), registry.models().get(0).heldWhilePinned());
        // An unpin ends a skip that never came: the versions after it go live as usual.
        assertEquals("v4", registry.release("ctr").join());
        assertEquals("v4", registry.pinTo("ctr", "v4", "v9").join());
        assertEquals("v4", registry.release("ctr").join());
        registry.load("ctr", "v5", TestModels.constantCtr(spec, 0.50)).join();
        assertEquals("v5", registry.liveVersion("ctr"));
        assertEquals(1, registry.openSessions(), "dropped versions' sessions are closed");
    }

    /**
     * A replica ahead of the decision: the rollback from v2 to v1 was decided where v2 was the newest
     * received, and that replica holds v3 when it arrives after the pin. Here v3 arrived before the pin:
     * it is held as well (v2 is dropped, as there), so the unpin makes v3 live here too, not v1.
     */
    @Test
    void aPinHoldsTheVersionsReceivedAfterTheDecidingReplicasNewest() {
        registry.load("ctr", "v1", TestModels.constantCtr(spec, 0.10)).join();
        registry.load("ctr", "v2", TestModels.constantCtr(spec, 0.20)).join();
        registry.load("ctr", "v3", TestModels.constantCtr(spec, 0.30)).join();
        registry.load("ctr", "v4", TestModels.constantCtr(spec, 0.40)).join();

        assertEquals("v1", registry.pinTo("ctr", "v1", "v2").join());
        ModelInfo pinned = registry.models().get(0);
        assertTrue(pinned.pinned());
        assertEquals(List.of(), pinned.previous());
        assertEquals(List.of("v4", "v3"), pinned.heldWhilePinned(), "received after v2: held, newest first; v2 dropped");
        registry.load("ctr", "v5", TestModels.constantCtr(spec, 0.50)).join();
        assertEquals(List.of("v5", "v4", "v3"), registry.models().get(0).heldWhilePinned());
        assertEquals("v5", registry.release("ctr").join(), "the version the deciding replica's unpin makes live");
        assertEquals(List.of("v4", "v3", "v1"), registry.models().get(0).previous());

        // The deciding replica's own view (the skip-through is its live version): nothing newer to hold.
        assertEquals("v4", registry.pinTo("ctr", "v4", "v5").join());
        assertEquals(List.of(), registry.models().get(0).heldWhilePinned());
        assertEquals("v4", registry.release("ctr").join());
        assertEquals(1, registry.openSessions(), "held versions keep bytes, not sessions");
    }

    @Test
    void aPinFileIsReplacedWholeAndReadBack(@TempDir Path dir) throws Exception {
        PinFile f = new PinFile(dir.resolve("state").resolve("pins.properties"));
        assertEquals(Map.of(), f.read(), "no file: no pins");
        f.write(Map.of("ctr", "v7", "odd name=x", "v 1"));
        assertEquals(Map.of("ctr", "v7", "odd name=x", "v 1"), f.read());
        f.write(Map.of());
        assertEquals(Map.of(), f.read());
        try (var files = Files.list(f.path().getParent())) {
            assertEquals(List.of(f.path()), files.toList(), "no temporary file left behind");
        }
    }

    /** A pin may last days of dense snapshots every few seconds: only the newest few are kept. */
    @Test
    void versionsKeptWhilePinnedAreBoundedByTheHistoryDepth() {
        registry.load("ctr", "v1", TestModels.constantCtr(spec, 0.25)).join();
        registry.load("ctr", "v2", TestModels.constantCtr(spec, 0.75)).join();
        registry.rollback("ctr").join();
        for (int v = 3; v < 3 + 10; v++) {
            registry.load("ctr", "v" + v, TestModels.constantCtr(spec, 0.5)).join();
        }
        assertEquals(List.of("v12", "v11", "v10"), registry.models().get(0).heldWhilePinned());
        assertEquals("v12", registry.unpin("ctr").join());
        assertEquals(List.of("v11", "v10", "v1"), registry.models().get(0).previous());
    }

    @Test
    void loadsFromAFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ctr.onnx");
        Files.write(f, TestModels.constantCtr(spec, 0.5));
        assertEquals("f1", registry.loadFile("ctr", "f1", f).join());
        assertThrows(CompletionException.class, () -> registry.loadFile("ctr", "f2", dir.resolve("missing.onnx")).join());
        assertEquals("f1", registry.liveVersion("ctr"));
    }

    @Test
    void aUserSuppliedModelIsFedByMappedNames() throws Exception {
        // A "PyTorch export": inputs called input.1 / input.2 in the other order, output "output".
        byte[] foreign = OnnxGraph.named("torch")
                .input("input.2", OnnxGraph.DYNAMIC, 1)
                .input("input.1", OnnxGraph.DYNAMIC, 2)
                .output("output", OnnxGraph.DYNAMIC, 1)
                .initializer("w", new float[] {1f, 10f}, 2, 1)
                .initializer("b", new float[] {0f}, 1)
                .gemm("input.1", "w", "b", "z")
                .binary("Add", "z", "input.2", "output")
                .toModelBytes();
        ModelSignature logical = ModelSignature.of(
                List.of(new ModelSignature.Tensor("features", 2), new ModelSignature.Tensor("bias", 1)),
                List.of(new ModelSignature.Tensor("score", 1)));
        registry.define(new ModelDefinition("torch", logical, Map.of("features", "input.1", "bias", "input.2"),
                Map.of("score", "output"), 1));
        registry.load("torch", "t1", foreign).join();
        try (ModelLease lease = registry.acquire("torch")) {
            float[][] out = {new float[1]};
            lease.session().run(1, new FloatBuffer[] {FloatBuffer.wrap(new float[] {2, 3}), FloatBuffer.wrap(new float[] {100})}, out);
            assertEquals(2 + 30 + 100, out[0][0], 1e-5);
        }
    }

    @Test
    void undefinedModelsAreNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registry.load("nope", "v", new byte[0]));
        assertTrue(e.getMessage().startsWith("model 'nope' is not defined"), e.getMessage());
        assertNull(registry.acquire("nope"));
    }

    private float runOne(ModelLease lease) throws Exception {
        float[][] in = TestModels.zeroInputs(spec, 1);
        FloatBuffer[] bufs = new FloatBuffer[in.length];
        for (int i = 0; i < in.length; i++) {
            bufs[i] = FloatBuffer.wrap(in[i]);
        }
        float[][] out = {new float[2]};
        lease.session().run(1, bufs, out);
        return out[0][0];
    }
}
