package dev.funnel.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm-up's gate on its own: it starts only once the other gates are open, and it is best
 * effort — with nothing answering, the gate still opens when the time is up.
 */
class WarmUpGateTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void waitsForTheOtherGatesAndOpensItsOwnEvenWhenNothingAnswers() throws Exception {
        Readiness readiness = new Readiness();
        readiness.register("catalog");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        WarmUp warmUp = new WarmUp(vertx, readiness, () -> List.of("home"), WarmUp.syntheticUsers(10), "token", 300, 2,
                meters);
        assertEquals(Boolean.FALSE, readiness.gates().get(WarmUp.GATE));
        warmUp.start("127.0.0.1", unusedPort(), false);

        Thread.sleep(500); // the catalog gate is closed: nothing is sent, the warm-up does not end
        assertEquals(0.0, meters.get("funnel.warmup.requests.failed").counter().count());
        assertFalse(warmUp.finished());
        assertFalse(readiness.ready());

        readiness.open("catalog");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!readiness.ready()) {
            assertTrue(System.nanoTime() < until, "warm-up gate still closed: " + readiness);
            Thread.sleep(10);
        }
        assertTrue(warmUp.finished());
        double failed = meters.get("funnel.warmup.requests.failed").counter().count();
        assertTrue(failed > 0, "no request was attempted against the closed port");
        // 2 in flight for 300 ms, each pausing 100 ms after a refused connection: not a busy loop.
        assertTrue(failed <= 12, failed + " attempts in 300 ms: the warm-up spins on refused connections");
    }

    @Test
    void noRoutedSceneEndsTheWarmUpAtOnce() throws Exception {
        Readiness readiness = new Readiness();
        WarmUp warmUp = new WarmUp(vertx, readiness, List::of, WarmUp.syntheticUsers(1), "token", 60_000, 1,
                new SimpleMeterRegistry());
        warmUp.start("127.0.0.1", unusedPort(), false);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!readiness.ready()) { // no other gate: ready once the warm-up's own opens
            assertTrue(System.nanoTime() < until, "warm-up without scenes did not end: " + readiness);
            Thread.sleep(10);
        }
        assertTrue(warmUp.finished());
    }

    @Test
    void refusesSettingsThatCannotWarmAnything() {
        Readiness readiness = new Readiness();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        assertThrows(IllegalArgumentException.class,
                () -> new WarmUp(vertx, readiness, List::of, WarmUp.syntheticUsers(1), "t", 1000, 0, meters));
        assertThrows(IllegalArgumentException.class,
                () -> new WarmUp(vertx, readiness, List::of, List.of(), "t", 1000, 1, meters));
    }

    @Test
    void readsUserIdsFromAFileAndNamesItWhenItCannot(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("users.txt");
        Files.writeString(file, "# production users seen yesterday\nu1\n\n  u2  \n#u3\nu4\n");
        assertEquals(List.of("u1", "u2", "u4"), WarmUp.usersFrom(file));

        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "# nothing\n\n");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> WarmUp.usersFrom(empty));
        assertTrue(none.getMessage().contains("warmup.users_file") && none.getMessage().contains("empty.txt"),
                none.getMessage());

        Path missing = dir.resolve("missing.txt");
        IllegalArgumentException unreadable = assertThrows(IllegalArgumentException.class, () -> WarmUp.usersFrom(missing));
        assertTrue(unreadable.getMessage().contains("cannot read") && unreadable.getMessage().contains("missing.txt"),
                unreadable.getMessage());
    }

    private static int unusedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort(); // closed again: connections to it are refused
        }
    }
}
