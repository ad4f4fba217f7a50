package dev.funnel.streams.kafka;

import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.TransportContract;
import java.net.ServerSocket;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transport contract against a real KRaft broker, shared with the other Kafka test classes. */
class KafkaTransportTest extends TransportContract {

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.shared();
    }

    @Override
    protected Transport open() {
        return new KafkaTransport(broker.bootstrapServers(), "funnel-test.", 1);
    }

    /** A stock broker takes 1 MB records; a dense model snapshot can be larger. */
    @Test
    void topicsItCreatesTakeRecordsAsLargeAsTheProducerSends() throws Exception {
        try (Transport t = open(); Admin admin = admin()) {
            t.appender(Topics.MODEL_DELTAS);
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "funnel-test." + Topics.MODEL_DELTAS);
            String max = admin.describeConfigs(List.of(topic)).all().get().get(topic)
                    .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value();
            assertEquals(String.valueOf(KafkaTransport.MAX_MESSAGE_BYTES), max);
        }
    }

    /**
     * Impressions and feedback expire with the retention; item updates (the catalog) and model control
     * (the pins) never do, where a stock broker would delete them after 7 days.
     */
    @Test
    void topicsItCreatesGetTheRetention() throws Exception {
        try (Transport t = new KafkaTransport(broker.bootstrapServers(), "funnel-ret.", 1, 15_000, dev.funnel.streams.Retention.ofHours(6));
             Admin admin = admin()) {
            t.appender(Topics.IMPRESSIONS);
            t.appender(Topics.FEEDBACK);
            t.appender(Topics.ITEM_UPDATES);
            t.appender(Topics.MODEL_CONTROL);
            assertEquals(String.valueOf(6 * 3_600_000L), retentionMs(admin, "funnel-ret." + Topics.IMPRESSIONS));
            assertEquals(String.valueOf(6 * 3_600_000L), retentionMs(admin, "funnel-ret." + Topics.FEEDBACK));
            assertEquals("-1", retentionMs(admin, "funnel-ret." + Topics.ITEM_UPDATES));
            assertEquals("-1", retentionMs(admin, "funnel-ret." + Topics.MODEL_CONTROL), "the cluster's pins never expire");
        }
        try (Transport t = new KafkaTransport(broker.bootstrapServers(), "funnel-keep.", 1, 15_000, dev.funnel.streams.Retention.FOREVER);
             Admin admin = admin()) {
            t.appender(Topics.IMPRESSIONS);
            assertEquals("-1", retentionMs(admin, "funnel-keep." + Topics.IMPRESSIONS));
        }
    }

    /** Item updates are compacted to each item's newest: the transport keys them by item id, as compaction needs. */
    @Test
    void itemUpdatesAreCompactedAndKeyedByItemId() throws Exception {
        String topic = "funnel-items." + Topics.ITEM_UPDATES;
        try (Transport t = new KafkaTransport(broker.bootstrapServers(), "funnel-items.", 1); Admin admin = admin()) {
            dev.funnel.streams.StreamAppender a = t.appender(Topics.ITEM_UPDATES);
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT,
                    admin.describeConfigs(List.of(r)).all().get().get(r).get(TopicConfig.CLEANUP_POLICY_CONFIG).value());
            a.append(42L, new byte[]{1, 2}, 0, 2);
            a.append(7L, new byte[]{3}, 0, 1);
            a.flush();
            // A compacted topic refuses records without a key: the unkeyed append fails on flush, saying so.
            a.append(new byte[]{9});
            IllegalStateException e = assertThrows(IllegalStateException.class, a::flush);
            assertTrue(e.getMessage().contains(topic), e.getMessage());
        }
        Properties c = new Properties();
        c.put(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        c.put(org.apache.kafka.clients.consumer.ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.LongDeserializer.class.getName());
        c.put(org.apache.kafka.clients.consumer.ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        try (org.apache.kafka.clients.consumer.KafkaConsumer<Long, byte[]> consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(c)) {
            org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            java.util.List<Long> keys = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (keys.size() < 2 && System.nanoTime() < deadline) {
                consumer.poll(java.time.Duration.ofMillis(100)).forEach(rec -> keys.add(rec.key()));
            }
            assertEquals(List.of(42L, 7L), keys);
        }
    }

    /**
     * An awaited append answers for its own record only: another writer's refused record (unkeyed, on the compacted
     * item-updates topic) stays that writer's to learn on its flush, and a record of its own that cannot be sent is
     * this call's failure. Before, the items API appended and flushed, so a write whose record landed could be
     * answered 503 with another write's failure.
     */
    @Test
    void anAwaitedAppendAnswersForItsOwnRecordOnly() throws Exception {
        try (Transport t = new KafkaTransport(broker.bootstrapServers(), "funnel-own.", 1)) {
            KafkaAppender a = (KafkaAppender) t.appender(Topics.ITEM_UPDATES);
            a.append(new byte[]{9}); // another writer's record, refused by the broker
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (a.failures() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, a.failures(), "the unkeyed record was refused");

            a.appendAndAwait(42L, new byte[]{1, 2}, 0, 2); // lands: no failure of another record reported here

            IllegalStateException theirs = assertThrows(IllegalStateException.class, a::flush, "still the other writer's to see");
            assertTrue(theirs.getMessage().contains("funnel-own." + Topics.ITEM_UPDATES), theirs.getMessage());
            byte[] tooLarge = new byte[KafkaTransport.MAX_MESSAGE_BYTES + 1];
            IllegalStateException mine = assertThrows(IllegalStateException.class, () -> a.appendAndAwait(7L, tooLarge, 0, tooLarge.length));
            assertTrue(mine.getCause() instanceof org.apache.kafka.common.errors.RecordTooLargeException, String.valueOf(mine.getCause()));
            a.flush(); // the too-large record's failure was this call's, not left for a flush
        }
    }

    private static String retentionMs(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get().get(r).get(TopicConfig.RETENTION_MS_CONFIG).value();
    }

    /** No broker: a clear error within the timeout, not minutes of reconnect attempts behind every call. */
    @Test
    void noBrokerFailsAtOnceSayingSo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        String bootstrap = "127.0.0.1:" + port;
        long t0 = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new KafkaTransport(bootstrap, "funnel-test.", 1, 1_500));
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.getMessage().startsWith("kafka transport: no broker at " + bootstrap + " answered within 1500 ms"),
                e.getMessage());
        assertTrue(tookMillis < 15_000, "gave up after " + tookMillis + " ms");
    }

    private static Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return Admin.create(p);
    }
}
