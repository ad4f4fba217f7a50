package dev.funnel.streams.kafka;

import dev.funnel.streams.Retention;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Topics that exist before Funnel opens them (made by an older Funnel, or by an operator with the broker's
 * defaults): their settings are reconciled to Funnel's, or warned about — once per topic, naming the setting,
 * the found and the expected value — and reported by {@link KafkaTransport#topicConfigMismatches}.
 */
class KafkaTopicConfigTest {

    private static final long SIX_HOURS_MS = 6 * 3_600_000L;
    /** What an operator's topic gets from a stock broker: a week, deleted by age, 1 MB records. */
    private static final Map<String, String> STOCK = Map.of(TopicConfig.RETENTION_MS_CONFIG, "604800000",
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE, TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1048588");

    private static KafkaBroker broker;
    private final List<LogRecord> warnings = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (warnings) {
                    warnings.add(r);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.shared();
    }

    @BeforeEach
    void captureWarnings() {
        Logger.getLogger(KafkaTransport.class.getName()).addHandler(capture);
    }

    @AfterEach
    void releaseWarnings() {
        Logger.getLogger(KafkaTransport.class.getName()).removeHandler(capture);
    }

    @Test
    void existingTopicsGetFunnelsSettingsAtStart() throws Exception {
        String prefix = "funnel-old.";
        try (Admin admin = admin()) {
            create(admin, prefix + Topics.IMPRESSIONS, STOCK);
            create(admin, prefix + Topics.ITEM_UPDATES, STOCK);
            keyedRecord(prefix + Topics.ITEM_UPDATES); // written by a Funnel that keyed its item updates, before compaction
            try (KafkaTransport t = transport(prefix, TopicConfigPolicy.RECONCILE)) {
                t.appender(Topics.IMPRESSIONS);
                t.tailer(Topics.ITEM_UPDATES, "replica-1-items").close();
                assertEquals(List.of(), t.topicConfigMismatches(Topics.IMPRESSIONS));
                assertEquals(List.of(), t.topicConfigMismatches(Topics.ITEM_UPDATES));
            }
            assertEquals(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(SIX_HOURS_MS),
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(KafkaTransport.MAX_MESSAGE_BYTES)), settings(admin, prefix + Topics.IMPRESSIONS));
            assertEquals(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(KafkaTransport.MAX_MESSAGE_BYTES)), settings(admin, prefix + Topics.ITEM_UPDATES));
        }
        assertEquals(List.of(), warnings(), "nothing left to warn about");
    }

    @Test
    void topicsManagedOutsideFunnelAreOnlyWarnedAbout() throws Exception {
        String prefix = "funnel-ext.";
        String topic = prefix + Topics.FEEDBACK;
        try (Admin admin = admin()) {
            create(admin, topic, STOCK);
            try (KafkaTransport t = transport(prefix, TopicConfigPolicy.WARN)) {
                t.appender(Topics.FEEDBACK);
                t.appender(Topics.FEEDBACK); // opened twice, checked (and warned) once
                assertEquals(List.of("max.message.bytes is 1048588, expected 67108864", "retention.ms is 604800000, expected 21600000"),
                        t.topicConfigMismatches(Topics.FEEDBACK).stream().map(Object::toString).toList());
            }
            assertEquals(STOCK, settings(admin, topic), "left as found");
        }
        List<String> w = warnings();
        assertEquals(1, w.size(), "one warning per topic: " + w);
        assertTrue(w.get(0).startsWith("kafka topic " + topic + ": max.message.bytes is 1048588, expected 67108864 ("
                + TopicConfigPolicy.KEY + "=warn"), w.get(0));
        assertTrue(w.get(0).contains("retention.ms is 604800000, expected 21600000"), w.get(0));
        assertTrue(w.get(0).endsWith("--entity-name " + topic + " --add-config max.message.bytes=67108864,retention.ms=21600000"), w.get(0));
    }

    /** A cluster that refuses the change (ACLs, a config policy): the topic works as it is, and says what is off. */
    @Test
    void aRefusedChangeIsWarnedAboutAndReported() throws Exception {
        String prefix = LockedTopicsPolicy.PREFIX;
        String topic = prefix + Topics.IMPRESSIONS;
        try (Admin admin = admin()) {
            create(admin, topic, Map.of()); // the broker's defaults (this one takes 64 MB records)
            Map<String, String> before = settings(admin, topic);
            try (KafkaTransport t = transport(prefix, TopicConfigPolicy.RECONCILE)) {
                t.appender(Topics.IMPRESSIONS).append(new byte[]{1});
                List<TopicConfigMismatch> left = t.topicConfigMismatches(Topics.IMPRESSIONS);
                assertEquals(List.of("retention.ms is 604800000, expected 21600000"), left.stream().map(Object::toString).toList());
                assertTrue(left.get(0).why().contains("managed by the platform team"), left.get(0).why());
            }
            assertEquals(before, settings(admin, topic));
        }
        List<String> w = warnings();
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("retention.ms is 604800000, expected 21600000 (the cluster refused the change: PolicyViolationException"), w.get(0));
    }

    /**
     * An item-updates topic from before Funnel keyed its records holds the catalog in unkeyed records, which
     * the log cleaner deletes once the topic is compacted: its retention is fixed, its policy is not.
     */
    @Test
    void unkeyedItemUpdatesAreNotCompactedAway() throws Exception {
        String prefix = "funnel-unkeyed.";
        String topic = prefix + Topics.ITEM_UPDATES;
        try (Admin admin = admin()) {
            create(admin, topic, STOCK);
            try (Transport old = transport(prefix, TopicConfigPolicy.WARN)) {
                var a = old.appender(Topics.ITEM_UPDATES);
                a.append(new byte[]{1});
                a.append(new byte[]{2});
                a.flush();
            }
            warnings.clear();
            try (KafkaTransport t = transport(prefix, TopicConfigPolicy.RECONCILE)) {
                t.appender(Topics.ITEM_UPDATES);
                List<TopicConfigMismatch> left = t.topicConfigMismatches(Topics.ITEM_UPDATES);
                assertEquals(1, left.size(), left.toString());
                assertEquals("cleanup.policy is delete, expected compact", left.get(0).toString());
                assertTrue(left.get(0).why().startsWith("it holds 2 records without a key"), left.get(0).why());
            }
            Map<String, String> s = settings(admin, topic);
            assertEquals(TopicConfig.CLEANUP_POLICY_DELETE, s.get(TopicConfig.CLEANUP_POLICY_CONFIG));
            assertEquals("-1", s.get(TopicConfig.RETENTION_MS_CONFIG), "the catalog no longer expires");
        }
        List<String> w = warnings();
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("cleanup.policy is delete, expected compact (it holds 2 records without a key"), w.get(0));
        assertTrue(!w.get(0).contains("kafka-configs.sh"), "no command that would delete the catalog: " + w.get(0));
    }

    /**
     * Funnel writes and reads partition 0 only: a topic made with three is reported (the partitions setting,
     * with the records the other partitions hold now), and Funnel still works on its partition 0. Training
     * samples elsewhere are only reported.
     */
    @Test
    void aTopicWithSeveralPartitionsIsReportedWithTheRecordsTheOthersHold() throws Exception {
        String prefix = "funnel-parts.";
        try (Admin admin = admin(); KafkaTransport t = transport(prefix, TopicConfigPolicy.RECONCILE)) {
            // Funnel's settings (the transport opens no topic until asked): only the partition count differs.
            admin.createTopics(List.of(new NewTopic(prefix + Topics.ITEM_UPDATES, 3, (short) 1).configs(t.topicConfigs(Topics.ITEM_UPDATES)),
                    new NewTopic(prefix + Topics.FEEDBACK, 3, (short) 1).configs(t.topicConfigs(Topics.FEEDBACK)))).all().get();
            record(prefix + Topics.FEEDBACK, 2);
            record(prefix + Topics.FEEDBACK, 2);
            var items = t.appender(Topics.ITEM_UPDATES);
            t.appender(Topics.FEEDBACK);
            List<TopicConfigMismatch> left = t.topicConfigMismatches(Topics.ITEM_UPDATES);
            assertEquals(List.of("partitions is 3, expected 1"), left.stream().map(Object::toString).toList());
            assertTrue(left.get(0).why().contains("records on other partitions are never read; partitions 1..2 hold 0 records now"),
                    left.get(0).why());
            TopicConfigMismatch feedback = t.topicConfigMismatches(Topics.FEEDBACK).get(0);
            assertEquals("partitions is 3, expected 1", feedback.toString());
            assertTrue(feedback.why().contains("partitions 1..2 hold 2 records now"), feedback.why());

            items.append(7L, new byte[]{7}, 0, 1);
            items.flush();
            List<Byte> read = new ArrayList<>();
            try (var tailer = t.tailer(Topics.ITEM_UPDATES, "replica-1-items")) {
                long until = System.nanoTime() + 30_000_000_000L;
                while (read.isEmpty() && System.nanoTime() < until) {
                    tailer.poll((pos, bytes) -> read.add(bytes.get(0)), 10);
                }
            }
            assertEquals(List.of((byte) 7), read, "Funnel works on partition 0");
        }
        List<String> w = warnings();
        assertEquals(2, w.size(), "one warning per topic: " + w);
        assertTrue(w.stream().anyMatch(m -> m.startsWith("kafka topic " + prefix + Topics.FEEDBACK + ": partitions is 3, expected 1"
                + " (Funnel writes and reads partition 0 only; records on other partitions are never read; partitions 1..2 hold 2 records now")), w.toString());
    }

    /**
     * Records on a partition Funnel never reads, in a topic whose every record is state a replica applies
     * (the catalog, the model's versions, the pins), fail the open: it would serve without them, silently.
     */
    @Test
    void stateOnAnotherPartitionFailsTheOpen() throws Exception {
        String prefix = "funnel-parts-state.";
        try (Admin admin = admin(); KafkaTransport t = transport(prefix, TopicConfigPolicy.WARN)) {
            for (String topic : List.of(Topics.ITEM_UPDATES, Topics.MODEL_DELTAS, Topics.MODEL_CONTROL)) {
                admin.createTopics(List.of(new NewTopic(prefix + topic, 3, (short) 1).configs(t.topicConfigs(topic)))).all().get();
                record(prefix + topic, 2);
            }
            for (String topic : List.of(Topics.ITEM_UPDATES, Topics.MODEL_DELTAS, Topics.MODEL_CONTROL)) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.tailer(topic, "replica-1"));
                assertEquals("kafka topic " + prefix + topic + " has 3 partitions and partitions 1..2 hold 1 record, which Funnel"
                        + " never reads (it writes and reads partition 0 only); every record of this topic is state a replica must"
                        + " apply, so it does not start without them: recreate the topic with one partition and write them to it again",
                        e.getMessage());
                assertThrows(IllegalStateException.class, () -> t.appender(topic), "checked again when opened again");
            }
        }
    }

    /**
     * A compacted topic's offsets have gaps (compaction's, and a transactional producer's commit markers): its other
     * partitions' records are counted by reading them, not from their offsets, which would count the gaps as records.
     */
    @Test
    void aCompactedTopicsOtherPartitionsAreCountedByReadingThem() throws Exception {
        String prefix = "funnel-parts-gaps.";
        String topic = prefix + Topics.ITEM_UPDATES;
        try (Admin admin = admin(); KafkaTransport t = transport(prefix, TopicConfigPolicy.WARN)) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1).configs(t.topicConfigs(Topics.ITEM_UPDATES)))).all().get();
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "catalog-feed");
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            try (KafkaProducer<byte[], byte[]> feed = new KafkaProducer<>(p)) {
                feed.initTransactions();
                feed.beginTransaction();
                feed.send(new ProducerRecord<>(topic, 2, new byte[8], new byte[]{1}));
                feed.commitTransaction(); // the record at offset 0, its commit marker at 1
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.tailer(Topics.ITEM_UPDATES, "replica-1"));
            assertTrue(e.getMessage().startsWith("kafka topic " + topic + " has 3 partitions and partitions 1..2 hold 1 record,"),
                    e.getMessage());
        }
    }

    /**
     * Partitions added to a topic while Funnel has it open take records it never reads: the periodic check (run here
     * by hand, as its thread would) reports them as a {@code partitions} mismatch, warned about once per change.
     */
    @Test
    void partitionsAddedAfterTheOpenAreReportedByTheCheck() throws Exception {
        String prefix = "funnel-parts-later.";
        try (Admin admin = admin(); KafkaTransport t = transport(prefix, TopicConfigPolicy.RECONCILE)) {
            t.appender(Topics.FEEDBACK);
            t.appender(Topics.ITEM_UPDATES);
            assertEquals(0, t.checkPartitions(), "one partition each");
            assertEquals(List.of(), t.topicConfigMismatches(Topics.ITEM_UPDATES));

            admin.createPartitions(Map.of(prefix + Topics.ITEM_UPDATES, NewPartitions.increaseTo(3))).all().get();
            assertEquals(1, t.checkPartitions());
            List<TopicConfigMismatch> left = t.topicConfigMismatches(Topics.ITEM_UPDATES);
            assertEquals(List.of("partitions is 3, expected 1"), left.stream().map(Object::toString).toList());
            assertTrue(left.get(0).why().contains("added while Funnel had it open"), left.get(0).why());
            assertEquals(List.of(), t.topicConfigMismatches(Topics.FEEDBACK));

            assertEquals(1, t.checkPartitions());
            assertEquals(left, t.topicConfigMismatches(Topics.ITEM_UPDATES));
            List<String> w = warnings();
            assertEquals(1, w.size(), "one warning, not one per check: " + w);
            assertTrue(w.get(0).startsWith("kafka topic " + prefix + Topics.ITEM_UPDATES + ": partitions is 3, expected 1"), w.get(0));
        }
    }

    /** What a trainer compares with its base interval: the delta topic's age limit, as the cluster applies it. */
    @Test
    void expiryIsTheRetentionOfTopicsDeletedByAge() throws Exception {
        try (Admin admin = admin()) {
            create(admin, "funnel-exp." + Topics.MODEL_DELTAS, Map.of(TopicConfig.RETENTION_MS_CONFIG, "1800000"));
        }
        try (Transport t = transport("funnel-exp.", TopicConfigPolicy.RECONCILE)) {
            assertEquals(OptionalLong.of(1_800_000), t.expiryMillis(Topics.MODEL_DELTAS), "model deltas' retention is the operator's");
            assertEquals(OptionalLong.of(SIX_HOURS_MS), t.expiryMillis(Topics.IMPRESSIONS));
            assertEquals(OptionalLong.empty(), t.expiryMillis(Topics.ITEM_UPDATES), "compacted, never deleted by age");
        }
        try (Transport t = new KafkaTransport(broker.bootstrapServers(), "funnel-exp2.", 1, 15_000, Retention.DEFAULT)) {
            assertEquals(OptionalLong.of(604_800_000), t.expiryMillis(Topics.MODEL_DELTAS), "the broker's default: 7 days");
        }
    }

    private List<String> warnings() {
        synchronized (warnings) {
            return warnings.stream().map(LogRecord::getMessage).toList();
        }
    }

    private static KafkaTransport transport(String prefix, TopicConfigPolicy policy) {
        return new KafkaTransport(broker.bootstrapServers(), prefix, 1, 15_000, Retention.ofHours(6), policy);
    }

    private static void create(Admin admin, String topic, Map<String, String> configs) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs))).all().get();
    }

    /** A keyed record on {@code partition}, as another producer of the topic would write it. */
    private static void record(String topic, int partition) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, partition, new byte[8], new byte[]{1})).get();
        }
    }

    private static void keyedRecord(String topic) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, new byte[8], new byte[]{1})).get();
        }
    }

    /** The three settings Funnel owns, as the cluster has them. */
    private static Map<String, String> settings(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        var config = admin.describeConfigs(List.of(r)).all().get().get(r);
        return Map.of(TopicConfig.RETENTION_MS_CONFIG, config.get(TopicConfig.RETENTION_MS_CONFIG).value(),
                TopicConfig.CLEANUP_POLICY_CONFIG, config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value(),
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value());
    }

    private static Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return Admin.create(p);
    }
}
