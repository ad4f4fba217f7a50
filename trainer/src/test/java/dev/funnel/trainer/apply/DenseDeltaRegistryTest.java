package dev.funnel.trainer.apply;

import dev.funnel.features.FeatureSchema;
import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.ctr.CtrWeights;
import dev.funnel.model.serving.CtrBootstrap;
import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.ModelRuntimeConfig;
import dev.funnel.model.serving.RankModel;
import dev.funnel.streams.schema.ModelDelta;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A dense delta as the trainer writes it goes live in model-runtime's registry; one for another spec is refused. */
class DenseDeltaRegistryTest {

    @Test
    void denseSnapshotSwapsIntoTheRegistry() {
        FeatureSchema schema = FeatureSchema.defaultSchema(16);
        try (ModelRuntime rt = ModelRuntime.demo(schema, ModelRuntimeConfig.DEFAULT, new SimpleMeterRegistry())) {
            RankModel ctr = rt.requireRankModel("ctr");
            DeltaApplier applier = new DeltaApplier("ctr", Map.of("field", ctr.fieldTable(), "wide", ctr.wideTable()),
                    d -> rt.registry().load(d.modelName(), "v" + d.version(), d.onnx()).get(30, TimeUnit.SECONDS),
                    System::currentTimeMillis);
            CtrModelSpec spec = ctr.spec();
            CtrWeights w = CtrBootstrap.weights(schema, spec, 7);
            float[][] ws = new float[w.layers()][];
            float[][] bs = new float[w.layers()][];
            for (int l = 0; l < w.layers(); l++) {
                ws[l] = w.weights(l);
                bs[l] = w.bias(l);
            }
            ModelDelta dense = new ModelDelta("ctr", 1, ModelDelta.Kind.DENSE, 1L,
                    List.of(new ModelDelta.Rows("field", spec.fieldDim(), new long[]{42}, new float[spec.fieldDim()])),
                    CtrModel.toOnnx(CtrWeights.of(spec, ws, bs)));
            assertEquals(DeltaApplier.Outcome.APPLIED, applier.apply(dense));
            assertEquals("v1", rt.registry().liveVersion("ctr"));
            assertEquals(1, ctr.fieldTable().size());

            CtrModelSpec other = CtrModelSpec.forSchema(schema, spec.fieldDim(), new int[]{8}, List.of("click"));
            ModelDelta wrong = new ModelDelta("ctr", 2, ModelDelta.Kind.DENSE, 2L, List.of(),
                    CtrModel.toOnnx(CtrWeights.init(other, 1, 0.1)));
            assertEquals(DeltaApplier.Outcome.SINK_FAILED, applier.apply(wrong), "a model of another shape is refused");
            assertEquals("v1", rt.registry().liveVersion("ctr"));
            assertEquals(1, applier.appliedVersion());
        }
    }

    /**
     * A dense snapshot written by our own ONNX writer with a NaN output bias (a diverged trainer's) would
     * null every score; it is rejected with its reason and the live version keeps serving.
     */
    @Test
    void aSnapshotThatScoresNaNNeverGoesLive() {
        FeatureSchema schema = FeatureSchema.defaultSchema(16);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (ModelRuntime rt = ModelRuntime.demo(schema, ModelRuntimeConfig.DEFAULT, meters)) {
            RankModel ctr = rt.requireRankModel("ctr");
            DeltaApplier applier = new DeltaApplier("ctr", Map.of("field", ctr.fieldTable(), "wide", ctr.wideTable()),
                    d -> rt.registry().load(d.modelName(), "v" + d.version(), d.onnx()).get(30, TimeUnit.SECONDS),
                    System::currentTimeMillis);
            CtrWeights w = CtrBootstrap.weights(schema, ctr.spec(), 7);
            w.bias(w.layers() - 1)[1] = Float.NaN;
            ModelDelta dense = new ModelDelta("ctr", 1, ModelDelta.Kind.DENSE, 1L, List.of(), CtrModel.toOnnx(w));
            assertEquals(DeltaApplier.Outcome.SINK_FAILED, applier.apply(dense));
            assertEquals(CtrBootstrap.VERSION, rt.registry().liveVersion("ctr"), "the bootstrap version keeps serving");
            assertEquals(0, applier.appliedVersion());
            assertEquals(1, applier.rejected());
            assertEquals(1.0, meters.get("funnel.model.loads").tag("outcome", "rejected").counter().count());
        }
    }
}
