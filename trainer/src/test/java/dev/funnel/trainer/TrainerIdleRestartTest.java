package dev.funnel.trainer;

import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TrainerIdleRestartTest {

    @TempDir
    Path dir;

    /** A trainer closed before it read anything (a server stopped while idle) checkpointed; the next one restores it. */
    @Test
    void aTrainerClosedBeforeReadingAnyImpressionRestarts() {
        Path ckpt = dir.resolve("ckpt");
        AtomicLong clock = new AtomicLong();
        try (Transport t = new ChronicleTransport(dir.resolve("topics"))) {
            TrainerRestartTest.trainer(t, ckpt, clock).close();
            Trainer b = TrainerRestartTest.trainer(t, ckpt, clock);
            TrainerRestartTest.appendRequests(t.appender(Topics.IMPRESSIONS), t.appender(Topics.FEEDBACK), 0, 50);
            for (int turn = 0; turn < 10; turn++) {
                clock.addAndGet(1_000);
                b.runOnce();
            }
            b.close();
            assertEquals(50, b.joinStats().impressions());
            TrainerRestartTest.trainer(t, ckpt, clock).close();
        }
    }

}
