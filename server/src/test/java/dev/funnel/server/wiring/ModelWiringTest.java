package dev.funnel.server.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.model.batch.BatcherConfig;
import dev.funnel.model.serving.ModelRuntimeConfig;
import dev.funnel.server.FunnelConfig;
import org.junit.jupiter.api.Test;

class ModelWiringTest {

    @Test
    void batcherKeysReachTheRuntimeConfig() {
        ModelRuntimeConfig d = ModelWiring.runtimeConfig(FunnelConfig.DEFAULT);
        assertEquals(BatcherConfig.runnersForCores(Runtime.getRuntime().availableProcessors()), d.batcher().runners());
        assertTrue(d.batcher().dispatchWhenIdle());
        assertEquals(1024, d.batcher().maxBatchRows());

        ModelRuntimeConfig c = ModelWiring.runtimeConfig(FunnelConfig.DEFAULT.with("model.batcher_runners", "2")
                .with("model.dispatch_when_idle", "false").with("model.max_batch_rows", "256")
                .with("model.max_queue_delay_us", "300").with("model.intra_op_threads", "2"));
        assertEquals(2, c.batcher().runners());
        assertFalse(c.batcher().dispatchWhenIdle());
        assertEquals(256, c.batcher().maxBatchRows());
        assertEquals(300, c.batcher().maxQueueDelayMicros());
        assertEquals(2, c.backend().intraOpThreads());
    }

    @Test
    void theDefaultRunnersScaleWithTheCores() {
        // One runner assembles and scores for every event loop: on 16 cores one runner capped a
        // server at ~3,200 req/s with cores to spare (BENCHMARKS.md, session 18).
        assertEquals(1, BatcherConfig.runnersForCores(1));
        assertEquals(1, BatcherConfig.runnersForCores(2));
        assertEquals(1, BatcherConfig.runnersForCores(7));
        assertEquals(2, BatcherConfig.runnersForCores(8));
        assertEquals(4, BatcherConfig.runnersForCores(16));
        assertEquals(BatcherConfig.MAX_RUNNERS, BatcherConfig.runnersForCores(1024));
    }

    @Test
    void badValuesNameTheKeyAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelWiring.runtimeConfig(FunnelConfig.DEFAULT.with("model.batcher_runners", "two")));
        assertEquals("model.batcher_runners must be an integer, got 'two'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelWiring.runtimeConfig(FunnelConfig.DEFAULT.with("model.batcher_runners", "0")));
        assertTrue(e.getMessage().contains("runners must be in 1..64, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelWiring.runtimeConfig(FunnelConfig.DEFAULT.with("model.dispatch_when_idle", "yes")));
        assertEquals("model.dispatch_when_idle must be true or false, got 'yes'", e.getMessage());
    }
}
