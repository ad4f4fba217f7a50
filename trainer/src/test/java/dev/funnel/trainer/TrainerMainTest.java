package dev.funnel.trainer;

import dev.funnel.features.FeatureSchema;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.serving.CtrBootstrap;
import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.ModelRuntimeConfig;
import dev.funnel.streams.StreamTailer;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import dev.funnel.streams.schema.ModelDelta;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A standalone trainer with default settings continues the model the server serves: it used to
 * replace the serving model with a random one of another shape a minute after starting.
 */
class TrainerMainTest {

    @TempDir
    Path dir;

    @Test
    void defaultsStartFromTheModelTheServerServes() {
        Properties none = new Properties();
        FeatureSchema schema = TrainerMain.schema(none);
        CtrModelSpec spec = TrainerMain.spec(none, schema);
        CtrModelSpec served;
        try (ModelRuntime rt = ModelRuntime.demo(FeatureSchema.defaultSchema(64), ModelRuntimeConfig.DEFAULT, new SimpleMeterRegistry())) {
            served = rt.requireRankModel("ctr").spec();
        }
        assertEquals(served.schemaVersion(), spec.schemaVersion());
        assertArrayEquals(served.layerWidths(), spec.layerWidths(), "hidden layers and heads as the server's");
        assertEquals(served.fieldDim(), spec.fieldDim());
        assertEquals(served.heads(), spec.heads());

        try (Transport t = new ChronicleTransport(dir.resolve("topics"))) {
            Trainer trainer = TrainerMain.newTrainer(TrainerConfig.defaults("ctr", dir.resolve("ckpt")), t, spec, schema,
                    TrainerMain.initialWeights(none, schema, spec), new AtomicLong()::get);
            trainer.publishDenseNow();
            trainer.close();
            assertArrayEquals(CtrBootstrap.onnx(schema, served, CtrBootstrap.DEFAULT_SEED), deltas(t).get(0).onnx(),
                    "its first snapshot is the server's version 0");
        }
    }

    private static List<ModelDelta> deltas(Transport t) {
        List<ModelDelta> out = new ArrayList<>();
        try (StreamTailer tail = t.tailer(Topics.MODEL_DELTAS, "test-reader")) {
            tail.seekToStart();
            while (tail.poll((pos, buf) -> out.add(ModelDelta.decode(buf)), 100) > 0) {
                // drain
            }
        }
        return out;
    }
}
