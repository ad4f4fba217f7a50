package dev.funnel.trainer;

import dev.funnel.streams.chronicle.ChronicleTransport;

import java.nio.file.Path;

/**
 * A trainer process for {@link TrainerKillTest}: trains over {@code args[0]} (topics) with checkpoints in
 * {@code args[1]}, a few records per turn so that it is still busy when the test kills it (SIGKILL).
 */
public final class KillableTrainerMain {

    private KillableTrainerMain() {
    }

    public static void main(String[] args) throws Exception {
        ChronicleTransport transport = new ChronicleTransport(Path.of(args[0]));
        Trainer t = new Trainer(TrainerKillTest.config(Path.of(args[1])).withPollBatch(5), transport, TrainerRestartTest.learner(),
                (w, b) -> new byte[]{1}, System::currentTimeMillis);
        System.out.println("started at version " + t.version());
        while (true) {
            t.runOnce();
            Thread.sleep(5);
        }
    }
}
