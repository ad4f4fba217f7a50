package dev.funnel.trainer;

import dev.funnel.model.embedding.EmbeddingTable;
import dev.funnel.streams.StreamTailer;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import dev.funnel.streams.schema.ModelDelta;
import dev.funnel.trainer.apply.DeltaApplier;
import dev.funnel.trainer.apply.DeltaConsumer;
import dev.funnel.trainer.join.JoinConfig;
import dev.funnel.trainer.learn.CtrShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bases (every row and the dense snapshot) every interval; replicas start at the newest; one trainer per checkpoint. */
class TrainerBaseTest {

    private static final long BASE_EVERY = 10_000;

    @TempDir
    Path dir;

    private static Trainer trainer(Transport t, Path ckpt, AtomicLong clock) {
        TrainerConfig cfg = TrainerConfig.defaults("ctr", ckpt).withIntervals(1_000, 5_000).withJoin(new JoinConfig(500, 5_000))
                .withIdleAfter(2_000).withPollBatch(40).withBaseInterval(BASE_EVERY);
        return new Trainer(cfg, t, TrainerRestartTest.learner(), (w, b) -> new byte[]{1, 2, 3}, clock::get);
    }

    private static void turns(Trainer t, AtomicLong clock, int n) {
        for (int i = 0; i < n; i++) {
            clock.addAndGet(1_000);
            t.runOnce();
        }
    }

    private static List<ModelDelta> deltas(Transport t) {
        List<ModelDelta> out = new ArrayList<>();
        try (StreamTailer tail = t.tailer(Topics.MODEL_DELTAS, "reader-" + System.nanoTime())) {
            while (tail.poll((p, b) -> out.add(ModelDelta.decode(b)), 100) > 0) {
                // drain
            }
        }
        return out;
    }

    private static final class Replica {
        final EmbeddingTable field = EmbeddingTable.builder(CtrShape.FIELD_TABLE, 3).build();
        final EmbeddingTable wide = EmbeddingTable.builder(CtrShape.WIDE_TABLE, 1).build();
        final DeltaApplier applier;

        Replica(AtomicLong clock) {
            applier = new DeltaApplier("ctr", Map.of("field", field, "wide", wide), d -> { }, clock::get);
        }
    }

    @Test
    void aBaseIsPublishedEveryIntervalAndAReplicaStartingAtTheNewestHasTheWholeModelAndMissesNothing() {
        AtomicLong clock = new AtomicLong();
        try (Transport t = new ChronicleTransport(dir.resolve("topics"))) {
            Trainer trainer = trainer(t, dir.resolve("ckpt"), clock);
            TrainerRestartTest.appendRequests(t.appender(Topics.IMPRESSIONS), t.appender(Topics.FEEDBACK), 0, 100);
            turns(trainer, clock, 9);
            assertEquals(0, trainer.publishedBases(), "none before the interval");
            for (int round = 1; round <= 3; round++) {
                TrainerRestartTest.appendRequests(t.appender(Topics.IMPRESSIONS), t.appender(Topics.FEEDBACK), round * 100, round * 100 + 100);
                turns(trainer, clock, 10);
            }
            assertEquals(3, trainer.publishedBases());
            trainer.close();

            List<ModelDelta> all = deltas(t);
            List<ModelDelta> bases = all.stream().filter(ModelDelta::base).toList();
            assertEquals(3, bases.size());
            ModelDelta newest = bases.get(bases.size() - 1);
            assertEquals(trainer.learner().fieldRows(), newest.tables().stream().filter(r -> r.table().equals("field"))
                    .mapToInt(ModelDelta.Rows::size).sum(), "a base carries every row");
            assertEquals(ModelDelta.Kind.DENSE, newest.kind());

            // One replica replays every delta, another starts at the newest base: the same tables, nothing missed.
            Replica replay = new Replica(clock);
            all.forEach(replay.applier::apply);
            Replica fresh = new Replica(clock);
            try (DeltaConsumer c = new DeltaConsumer(t, "replica-fresh", fresh.applier, 0)) {
                while (c.pollOnce() > 0) {
                    // drain
                }
            }
            long afterNewest = all.stream().filter(d -> d.version() >= newest.version()).count();
            assertEquals(afterNewest, fresh.applier.count(DeltaApplier.Outcome.APPLIED), "started at the newest base");
            assertEquals(trainer.version(), fresh.applier.appliedVersion());
            assertEquals(0, fresh.applier.versionsMissed(), "versions before a base are not missed");
            assertEquals(replay.field.size(), fresh.field.size());
            assertEquals(replay.wide.size(), fresh.wide.size());
            float[] a = new float[3];
            float[] b = new float[3];
            for (ModelDelta.Rows rows : newest.tables()) {
                if (rows.table().equals("field")) {
                    for (long id : rows.ids()) {
                        assertTrue(replay.field.get(id, a, 0) && fresh.field.get(id, b, 0));
                        assertArrayEquals(a, b, "row " + id);
                    }
                }
            }
        }
    }

    @Test
    void aRestartedTrainerTimesItsNextBaseFromTheNewestInTheTopicAndAnIdleOnePublishesNone() {
        AtomicLong clock = new AtomicLong();
        Path ckpt = dir.resolve("ckpt");
        try (Transport t = new ChronicleTransport(dir.resolve("topics"))) {
            Trainer a = trainer(t, ckpt, clock);
            TrainerRestartTest.appendRequests(t.appender(Topics.IMPRESSIONS), t.appender(Topics.FEEDBACK), 0, 100);
            turns(a, clock, 12);
            assertEquals(1, a.publishedBases());
            a.close();
            long baseAt = deltas(t).stream().filter(ModelDelta::base).findFirst().orElseThrow().createdAtMillis();

            Trainer b = trainer(t, ckpt, clock);
            TrainerRestartTest.appendRequests(t.appender(Topics.IMPRESSIONS), t.appender(Topics.FEEDBACK), 100, 200);
            while (clock.get() + 1_000 < baseAt + BASE_EVERY) {
                turns(b, clock, 1);
            }
            assertEquals(0, b.publishedBases(), "the interval runs from the base in the topic, not from the restart");
            turns(b, clock, 2);
            assertEquals(1, b.publishedBases());
            long version = b.version();
            turns(b, clock, 60); // nothing new to read: nothing published, so no base either
            assertEquals(1, b.publishedBases());
            assertEquals(version, b.version());
            b.close();
        }
    }

    /**
     * Where the delta topic deletes records by age (Kafka's retention.ms), an idle model's base is published
     * again before it would be deleted, so a replica starting after a quiet spell still finds one.
     */
    @Test
    void anIdleModelRepublishesItsBaseBeforeTheTopicWouldDeleteIt() {
        AtomicLong clock = new AtomicLong();
        long expiry = 30_000;
        try (ChronicleTransport chronicle = new ChronicleTransport(dir.resolve("topics"))) {
            Transport t = new Transport() {
                @Override
                public dev.funnel.streams.StreamAppender appender(String topic) {
                    return chronicle.appender(topic);
                }

                @Override
                public StreamTailer tailer(String topic, String name) {
                    return chronicle.tailer(topic, name);
                }

                @Override
                public java.util.OptionalLong expiryMillis(String topic) {
                    return topic.equals(Topics.MODEL_DELTAS) ? java.util.OptionalLong.of(expiry) : java.util.OptionalLong.empty();
                }

                @Override
                public void close() {
                    chronicle.close();
                }
            };
            Trainer trainer = trainer(t, dir.resolve("ckpt"), clock);
            TrainerRestartTest.appendRequests(t.appender(Topics.IMPRESSIONS), t.appender(Topics.FEEDBACK), 0, 100);
            turns(trainer, clock, 12);
            assertEquals(1, trainer.publishedBases());
            for (int i = 0; i < 90; i++) { // 90 s with nothing to read
                turns(trainer, clock, 1);
                long newestBase = deltas(t).stream().filter(ModelDelta::base).mapToLong(ModelDelta::createdAtMillis).max().orElseThrow();
                assertTrue(clock.get() - newestBase < expiry, "at " + clock.get() + " ms the newest base (" + newestBase
                        + ") is past the topic's retention");
            }
            assertTrue(trainer.publishedBases() >= 4, trainer.publishedBases() + " bases");
            trainer.close();
        }
    }

    @Test
    void aSecondTrainerOnTheSameCheckpointDirectoryRefusesToStart() {
        AtomicLong clock = new AtomicLong();
        Path ckpt = dir.resolve("ckpt");
        try (Transport t = new ChronicleTransport(dir.resolve("topics"))) {
            Trainer a = trainer(t, ckpt, clock);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer(t, ckpt, clock));
            assertTrue(e.getMessage().contains(ckpt.toAbsolutePath().toString()), e.getMessage());
            assertTrue(e.getMessage().contains("this process"), e.getMessage());
            a.close();
            trainer(t, ckpt, clock).close(); // free again once the first closed
        }
    }

    /**
     * The delta topic must keep a base until the next one is published: a retention at or below the base
     * interval (or any retention without bases) is warned about at start, naming both.
     */
    @Test
    void aDeltaRetentionShorterThanTheBaseIntervalIsCalledOut() {
        long hour = 3_600_000;
        assertEquals(null, Trainer.basesOutliveExpiry(java.util.OptionalLong.empty(), hour), "kept for ever, or compacted to bases");
        assertEquals(null, Trainer.basesOutliveExpiry(java.util.OptionalLong.of(7 * 24 * hour), hour), "a stock broker's week");
        String tooShort = Trainer.basesOutliveExpiry(java.util.OptionalLong.of(hour), hour);
        assertTrue(tooShort.startsWith("topic model-deltas deletes records after 3600000 ms (retention.ms) but a base is published every"
                + " 3600000 ms (trainer.base_every_s / base.every.s)"), tooShort);
        String noBases = Trainer.basesOutliveExpiry(java.util.OptionalLong.of(7 * 24 * hour), 0);
        assertTrue(noBases.contains("bases are off"), noBases);
    }
}
