package dev.funnel.trainer;

import dev.funnel.features.FeatureSchema;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.serving.CtrBootstrap;
import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.ModelRuntimeConfig;
import dev.funnel.streams.StreamAppender;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A standalone trainer with default settings continues the model the server serves, and publishes no
 * dense snapshot while its dense weights are unchanged: it used to replace the serving model with a
 * random one of another shape a minute after starting.
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

    @Test
    void anUntrainedTrainerPublishesNoDenseSnapshot() {
        Properties none = new Properties();
        FeatureSchema schema = TrainerMain.schema(none);
        CtrModelSpec spec = TrainerMain.spec(none, schema);
        AtomicLong clock = new AtomicLong();
        try (Transport t = new ChronicleTransport(dir.resolve("topics"))) {
            Trainer idle = TrainerMain.newTrainer(TrainerConfig.defaults("ctr", dir.resolve("ckpt")), t, spec, schema,
                    TrainerMain.initialWeights(none, schema, spec), clock::get);
            for (int i = 0; i < 5; i++) {
                clock.addAndGet(TrainerConfig.DEFAULT_DENSE_INTERVAL_MILLIS);
                idle.runOnce();
            }
            idle.close();
            assertEquals(0, idle.version());
            assertEquals(List.of(), deltas(t), "nothing trained, nothing published");
        }
    }

    @Test
    void aDenseSnapshotGoesOutOnlyWhenTheDenseWeightsChanged() {
        AtomicLong clock = new AtomicLong();
        try (Transport t = new ChronicleTransport(dir.resolve("topics"))) {
            StreamAppender imp = t.appender(Topics.IMPRESSIONS);
            StreamAppender fb = t.appender(Topics.FEEDBACK);
            Trainer trainer = TrainerRestartTest.trainer(t, dir.resolve("ckpt"), clock); // dense every 5 s
            TrainerRestartTest.appendRequests(imp, fb, 0, 100);
            for (int turn = 0; turn < 20; turn++) {
                clock.addAndGet(1_000);
                trainer.runOnce();
            }
            long trained = trainer.publishedDense();
            assertTrue(trained >= 1, "training changed the dense weights: a snapshot went out");
            for (int turn = 0; turn < 30; turn++) {
                clock.addAndGet(1_000);
                trainer.runOnce();
            }
            assertEquals(trained, trainer.publishedDense(), "idle: no more snapshots of the same weights");
            trainer.close();
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

    /** A standalone trainer creates topics with the cluster's replication: it used to create them with 1 whatever it was told. */
    @Test
    void kafkaReplicationIsReadAsTheServerReadsIt() {
        Properties p = new Properties();
        p.setProperty("streams.transport", "kafka");
        p.setProperty("streams.kafka.bootstrap", "127.0.0.1:1");
        p.setProperty("streams.kafka.replication", "0");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> TrainerMain.transport(p));
        assertEquals("kafka transport: replication factor must be >= 1, got 0", e.getMessage());
        p.setProperty("streams.kafka.replication", "1");
        p.setProperty("streams.kafka.topic_configs", "ignore");
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> TrainerMain.transport(p));
        assertEquals("streams.kafka.topic_configs must be reconcile or warn, got 'ignore'", e.getMessage());
    }
}
