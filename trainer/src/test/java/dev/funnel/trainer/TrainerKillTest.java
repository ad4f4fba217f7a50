package dev.funnel.trainer;

import dev.funnel.model.embedding.EmbeddingTable;
import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.StreamTailer;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import dev.funnel.streams.schema.Feedback;
import dev.funnel.streams.schema.ImpressionLog;
import dev.funnel.streams.schema.ModelDelta;
import dev.funnel.trainer.apply.DeltaApplier;
import dev.funnel.trainer.join.JoinConfig;
import dev.funnel.trainer.learn.CtrShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trainer in its own JVM is killed with SIGKILL while it is training and publishing; a new trainer
 * on the same directories finishes the stream. Every served item becomes exactly one sample, and the
 * delta topic holds every version once, consecutively, all applied by a serving applier.
 */
class TrainerKillTest {

    @TempDir
    Path dir;

    static TrainerConfig config(Path ckpt) {
        return TrainerConfig.defaults("ctr", ckpt).withIntervals(20, 200).withJoin(new JoinConfig(500, 5_000))
                .withIdleAfter(300).withPollBatch(40);
    }

    @Test
    void sigkillMidStreamThenRestartLosesNoSampleAndRepeatsNoVersion() throws Exception {
        Path topics = dir.resolve("topics");
        Path ckpt = dir.resolve("ckpt");
        int requests = 1_500;
        int perRequest = 4;
        long clicks = 0;
        try (Transport w = new ChronicleTransport(topics)) {
            StreamAppender imp = w.appender(Topics.IMPRESSIONS);
            StreamAppender fb = w.appender(Topics.FEEDBACK);
            SplittableRandom r = new SplittableRandom(4);
            for (int q = 0; q < requests; q++) {
                long ts = q * 50L;
                List<ImpressionLog.Served> served = new ArrayList<>();
                for (int i = 0; i < perRequest; i++) {
                    long item = q * 10L + i;
                    served.add(new ImpressionLog.Served(item, i, 0.1f, new long[]{q % 20, item % 40}, new long[]{q % 20, item % 40, 9},
                            new float[]{0.5f}, new float[]{1, 0, 0, 0}));
                }
                imp.append(new ImpressionLog("q" + q, "u" + (q % 20), "home", "ctr", 0, "s", ts, new float[]{0, 1, 0, 0}, served).encode());
                for (ImpressionLog.Served s : served) {
                    if (r.nextDouble() < 0.25) {
                        fb.append(new Feedback("q" + q, "u", s.itemId(), Feedback.Event.CLICK, ts + 20).encode());
                        clicks++;
                    }
                }
            }
        }

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), KillableTrainerMain.class.getName(),
                topics.toString(), ckpt.toString()));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        long versionAtKill = 0;
        try (Transport reader = new ChronicleTransport(topics); StreamTailer t = reader.tailer(Topics.MODEL_DELTAS, "watch")) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            long[] newest = {0};
            while (newest[0] < 8 && System.nanoTime() < until && child.isAlive()) {
                t.poll((p, b) -> newest[0] = Math.max(newest[0], ModelDelta.decode(b).version()), 100);
            }
            versionAtKill = newest[0];
            // While the child trains, a second trainer on its checkpoint directory refuses to start, naming both.
            if (child.isAlive()) {
                try (Transport other = new ChronicleTransport(topics)) {
                    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                            () -> new Trainer(config(ckpt), other, TrainerRestartTest.learner(), (w, bb) -> new byte[]{1}, System::currentTimeMillis));
                    assertTrue(e.getMessage().contains(ckpt.toAbsolutePath().toString()) && e.getMessage().contains("pid " + child.pid()),
                            e.getMessage());
                }
            }
        } finally {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(versionAtKill >= 8, "the child published before it was killed: " + versionAtKill + "\n"
                + Files.readString(dir.resolve("child.log")));

        AtomicLong clock = new AtomicLong(System.currentTimeMillis());
        Transport second = new ChronicleTransport(topics);
        Trainer b = new Trainer(config(ckpt), second, TrainerRestartTest.learner(), (w, bb) -> new byte[]{1}, clock::get);
        long restoredImpressions = b.joinStats().impressions();
        assertTrue(restoredImpressions > 0 && restoredImpressions < requests,
                "killed mid-stream: the checkpoint had " + restoredImpressions + " of " + requests + " impressions");
        for (int turn = 0; turn < 300; turn++) {
            clock.addAndGet(100);
            b.runOnce();
        }
        b.publishDenseNow();
        assertEquals(requests, b.joinStats().impressions());
        assertEquals(0, b.joinStats().duplicateImpressions(), "replay starts right after the checkpointed position");
        assertEquals(clicks, b.joinStats().positives(), "every click is one positive");
        assertEquals((long) requests * perRequest - clicks, b.joinStats().negatives(), "every other served item one negative");
        assertEquals((long) requests * perRequest, b.learner().samplesSeen());

        List<Long> versions = new ArrayList<>();
        DeltaApplier applier = new DeltaApplier("ctr", Map.of(CtrShape.FIELD_TABLE, EmbeddingTable.builder("field", 3).build(),
                CtrShape.WIDE_TABLE, EmbeddingTable.builder("wide", 1).build()), d -> { }, clock::get);
        try (Transport reader = new ChronicleTransport(topics); StreamTailer t = reader.tailer(Topics.MODEL_DELTAS, "replica")) {
            while (t.poll((pos, buf) -> {
                versions.add(ModelDelta.decode(buf.duplicate()).version());
                assertEquals(DeltaApplier.Outcome.APPLIED, applier.apply(buf), "version " + versions.get(versions.size() - 1));
            }, 100) > 0) {
                // drain
            }
        }
        for (int i = 0; i < versions.size(); i++) {
            assertEquals(i + 1L, versions.get(i), "versions consecutive and unique");
        }
        assertTrue(versions.size() > versionAtKill);
        assertEquals(0, applier.rejected());
        b.close();
        second.close();
    }
}
