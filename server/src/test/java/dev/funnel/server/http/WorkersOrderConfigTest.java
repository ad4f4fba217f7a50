package dev.funnel.server.http;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code workers.order}: {@code arrival} (the default, which the other server tests run on) or
 * {@code fifo}; anything else stops the start at once with a message naming the key and the choices.
 */
class WorkersOrderConfigTest {

    private static FunnelConfig config() {
        String dags = Path.of("src/test/resources/failing-dags").toAbsolutePath().toString();
        return TestServers.config().withEphemeralPorts("workers-order-test-token").withDagsDir(dags).withSim(5, 2_000, 100);
    }

    @Test
    void anUnknownOrderIsAConfigErrorNamingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FunnelApp.start(config().with("workers.order", "lifo"), true, List.of()));
        assertTrue(e.getMessage().contains("workers.order must be arrival or fifo, got 'lifo'"), e.getMessage());
    }

    @Test
    void fifoStartsAndBecomesReady() throws Exception {
        try (FunnelApp app = FunnelApp.start(config().with("workers.order", "fifo"), true, List.of())) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!app.readiness().ready()) {
                assertTrue(System.nanoTime() < until, "not ready after 60 s: " + app.readiness());
                Thread.sleep(20);
            }
        }
    }
}
