package dev.funnel.operators.filter;

import static dev.funnel.operators.testing.OperatorHarness.params;
import static dev.funnel.operators.testing.OperatorHarness.ranked;
import static dev.funnel.operators.testing.OperatorHarness.request;
import static dev.funnel.operators.testing.OperatorHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.exposure.ExposureConfig;
import dev.funnel.exposure.ExposureStore;
import dev.funnel.exposure.ExposureStores;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class ExposureFilterTest {

    final ExposureFilter factory = new ExposureFilter();

    @Test
    void dropsServedExposedAndExcludedItemsKeepingOrderAndScores() {
        ExposureStore store = ExposureStores.inMemory(ExposureConfig.DEFAULT);
        store.recordServed("u1", new long[] {2, 4}, 2);
        store.recordExposed("u1", new long[] {6}, 1);
        OperatorEnv env = new OperatorEnv().register(ExposureStore.class, store);
        Candidates out = run(factory, params(factory), env, ranked(1, 2, 3, 4, 5, 6, 7, 8), request("u1", 8));
        assertArrayEquals(new long[] {1, 3, 5, 7}, out.idsCopy());
        assertArrayEquals(new float[] {1.0f, 0.8f, 0.6f, 0.39999998f}, out.scoresCopy());
        assertArrayEquals(new String[] {"rank"}, out.sourceNames(0));

        Candidates other = run(factory, params(factory, "drop_excluded", false), env, ranked(1, 2, 8), request("u2", 8));
        assertArrayEquals(new long[] {1, 2, 8}, other.idsCopy(), "another user saw nothing; exclusion off");
    }

    @Test
    void aUserWhoRequestsTwiceGetsNoRepeats() {
        ExposureStore store = ExposureStores.inMemory(ExposureConfig.DEFAULT);
        OperatorEnv env = new OperatorEnv().register(ExposureStore.class, store);
        Candidates first = run(factory, params(factory), env, ranked(1, 2, 3, 4, 5, 6), request("u1")).truncate(3);
        store.recordServed("u1", first.idsCopy(), first.size()); // what the server does after responding
        Candidates second = run(factory, params(factory), env, ranked(1, 2, 3, 4, 5, 6), request("u1"));
        assertArrayEquals(new long[] {4, 5, 6}, second.idsCopy());
    }

    @Test
    void unchangedListIsPassedThrough() {
        ExposureStore store = ExposureStores.inMemory(ExposureConfig.DEFAULT);
        OperatorEnv env = new OperatorEnv().register(ExposureStore.class, store);
        Candidates in = ranked(1, 2, 3);
        assertSame(in, run(factory, params(factory), env, in, request("u1")));
    }

    @Test
    void unreachableRedisFailsOpenAndIsCounted() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        Vertx vertx = Vertx.vertx();
        try (ExposureStore store = ExposureStores.redis(vertx,
                ExposureConfig.DEFAULT.withRedisUrl("redis://127.0.0.1:" + deadPort), System::currentTimeMillis)) {
            OperatorEnv env = new OperatorEnv().register(ExposureStore.class, store);
            Candidates out = run(factory, params(factory), env, ranked(1, 2, 3), request("u1"));
            assertArrayEquals(new long[] {1, 2, 3}, out.idsCopy());
            assertEquals(1, store.metrics().failOpen());
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void missingStoreIsAWiringError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> factory.create(params(factory), new OperatorEnv()));
        assertEquals(true, e.getMessage().contains("ExposureStore"));
    }
}
