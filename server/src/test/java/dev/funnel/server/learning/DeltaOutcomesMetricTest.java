package dev.funnel.server.learning;

import static dev.funnel.server.learning.RollbackPinTest.await;
import static dev.funnel.server.learning.RollbackPinTest.dense;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.RankModel;
import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import dev.funnel.streams.schema.ModelDelta;
import dev.funnel.trainer.apply.DeltaApplier;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every outcome of a model delta shows in {@code funnel_model_deltas_total}, another model's (ignored) too:
 * it was counted nowhere, so a replica reading only other models' deltas looked idle rather than misconfigured.
 */
class DeltaOutcomesMetricTest {

    @TempDir
    Path dir;

    @Test
    void anotherModelsDeltasAreCountedAsIgnoredWithTheirMeaningInTheHelp() throws Exception {
        FunnelConfig config = TestServers.config().withEphemeralPorts("test-admin-token")
                .withDagsDir(Path.of("..", "dag-configs").toAbsolutePath().normalize().toString()).withSim(7, 2_000, 200)
                .with("streams.dir", dir.toString())
                .with("trainer.embedded", "false"); // the test is the trainers: it publishes each delta itself
        FunnelApp app = FunnelApp.start(config, true);
        try (Transport trainers = new ChronicleTransport(dir)) {
            RankModel ctr = app.env().require(ModelRuntime.class).requireRankModel("ctr");
            DeltaApplier applier = app.env().require(DeltaApplier.class);
            StreamAppender deltas = trainers.appender(Topics.MODEL_DELTAS);
            deltas.append(new ModelDelta("cvr", 1, ModelDelta.Kind.SPARSE, System.currentTimeMillis(),
                    List.of(new ModelDelta.Rows("field", 1, new long[] {1}, new float[] {0.5f})), null).encode());
            deltas.append(dense(ctr, 1, 11).encode());
            await(() -> applier.appliedVersion() == 1, "ctr v1 applied after cvr's delta");

            String scrape = app.meterRegistry().scrape();
            assertTrue(scrape.contains("funnel_model_deltas_total{model=\"ctr\",outcome=\"ignored\"} 1.0"), scrape);
            assertTrue(scrape.contains("funnel_model_deltas_total{model=\"ctr\",outcome=\"applied\"} 1.0"), scrape);
            assertTrue(scrape.contains("# HELP funnel_model_deltas_total model-deltas records read, by outcome: applied;"
                    + " ignored (a delta of another model than learning.model"), scrape);
        } finally {
            app.close();
        }
    }
}
