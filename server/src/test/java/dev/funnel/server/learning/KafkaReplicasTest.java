package dev.funnel.server.learning;

import dev.funnel.index.ItemStore;
import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import dev.funnel.streams.Topics;
import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.RankModel;
import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.kafka.KafkaBroker;
import dev.funnel.streams.kafka.KafkaTransport;
import dev.funnel.streams.schema.ModelDelta;
import dev.funnel.trainer.apply.DeltaApplier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Serving replicas sharing one real Kafka cluster as their streams, without the sim world, as the Kubernetes
 * manifests run them: the catalog is the {@code item-updates} topic, and {@code PUT/DELETE /v1/items} on any
 * replica goes through it, so every replica serves the change, and a replica that starts later replays each
 * item's newest update (the topic is compacted by item id).
 */
class KafkaReplicasTest {

    private static final String TOKEN = "test-admin-token";
    private static final Path DAGS = Path.of("src/test/resources/it-dags").toAbsolutePath();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static KafkaBroker broker;
    /** Each replica's pin file: as on separate hosts, and nothing written into the working tree. */
    @TempDir
    static Path pins;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.shared();
    }

    /**
     * An item-updates topic an older Funnel made (deleted after a stock week, not compacted) is reconciled at start;
     * an item written on one replica, attributes and all, is then in the other's index and recall, and a delete on
     * the other reaches the first.
     */
    @Test
    void anItemWrittenOnOneReplicaIsServedByTheOther() throws Exception {
        String prefix = "funnel-replicas.";
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(prefix + Topics.ITEM_UPDATES, 1, (short) 1).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE, TopicConfig.RETENTION_MS_CONFIG, "604800000"))))
                    .all().get();
        }
        try (FunnelApp a = start(prefix, "replica-a"); FunnelApp b = start(prefix, "replica-b")) {
            assertTrue(metrics(a).contains("funnel_streams_topic_config_mismatches{topic=\"item-updates\"} 0.0"), "reconciled, nothing left");
            assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT, topicConfig(prefix + Topics.ITEM_UPDATES, TopicConfig.CLEANUP_POLICY_CONFIG));

            long id = 501;
            HttpResponse<String> put = items(a, "PUT", id, "{\"category\":\"c_kafka\",\"author\":\"a1\",\"status\":\"online\","
                    + "\"popularity\":7e30,\"attributes\":{\"brand\":\"acme\"}}");
            assertEquals(201, put.statusCode(), put.body());
            ItemStore onA = a.env().require(ItemStore.class);
            assertEquals("c_kafka", onA.category(id), "the writer reads its write when answered");

            ItemStore onB = b.env().require(ItemStore.class);
            await(() -> "c_kafka".equals(onB.category(id)), "the item reaches the other replica's index");
            assertEquals("acme", onB.attribute(id, "brand"), "attributes travel with it");
            await(() -> served(b).contains(id), "the other replica serves it from recall.hot");

            HttpResponse<String> delete = items(b, "DELETE", id, null);
            assertEquals(200, delete.statusCode(), delete.body());
            await(() -> onA.category(id) == null, "a delete on the other replica reaches the first");
            assertEquals(404, items(a, "DELETE", id, null).statusCode(), "gone everywhere");
        }
    }

    /**
     * Item updates are keyed by item id, so compaction keeps each item's newest: once the log cleaner has run, the
     * topic holds one record of an item written twice, and a replica starting afterwards serves the newer.
     */
    /**
     * A catalog feed that wrote to an item-updates topic made with three partitions put some items where
     * no replica reads: the replica does not start (it would serve a catalog without them, and say nothing),
     * and says why.
     */
    @Test
    void catalogRecordsOnAPartitionFunnelDoesNotReadFailTheStart() throws Exception {
        String prefix = "funnel-partitioned.";
        String topic = prefix + Topics.ITEM_UPDATES;
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> feed = new KafkaProducer<>(p)) {
            feed.send(new ProducerRecord<>(topic, 2, new byte[8], new byte[]{1})).get();
        }
        RuntimeException e = assertThrows(RuntimeException.class, () -> start(prefix, "replica-a"));
        assertTrue(String.valueOf(e.getMessage()).contains("kafka topic " + topic + " has 3 partitions and partitions 1..2 hold 1 record,"
                + " which Funnel never reads"), String.valueOf(e.getMessage()));
    }

    @Test
    void compactionKeepsEachItemsNewestForAReplicaThatStartsLater() throws Exception {
        String prefix = "funnel-compacted.";
        String topic = prefix + Topics.ITEM_UPDATES;
        try (Admin admin = admin()) {
            // Small segments and any dirt worth cleaning (not settings Funnel owns): the cleaner gets to it within the test.
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT, TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.SEGMENT_MS_CONFIG, "300",
                    TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01")))).all().get();
        }
        long id = 601;
        try (FunnelApp writer = start(prefix, "replica-w")) {
            assertEquals(201, items(writer, "PUT", id, item("c_old")).statusCode());
            assertEquals(200, items(writer, "PUT", id, item("c_new")).statusCode());
            assertEquals(List.of(id, id), keys(topic), "keyed by item id (8 bytes, big-endian)");
            long filler = 700;
            while (keys(topic).stream().filter(k -> k == id).count() > 1) {
                // Writing rolls the 300 ms segments, so the older ones can be cleaned; the deadline bounds the wait.
                assertEquals(201, items(writer, "PUT", filler++, item("c_filler")).statusCode());
                assertTrue(filler < 700 + 3_000, "the cleaner did not compact " + topic + " in time: " + keys(topic));
            }
        }
        try (FunnelApp fresh = start(prefix, "replica-fresh")) {
            assertEquals("c_new", fresh.env().require(ItemStore.class).category(id));
        }
    }

    /**
     * A rollback through one replica's admin API reaches the other through the {@code model-control} topic on
     * Kafka, a replica started afterwards starts pinned, and an unpin on another replica releases them all.
     */
    @Test
    void aRollbackOnOneReplicaPinsEveryReplicaOnKafka() throws Exception {
        String prefix = "funnel-pins.";
        try (FunnelApp a = start(prefix, "replica-a"); FunnelApp b = start(prefix, "replica-b");
             KafkaTransport trainer = new KafkaTransport(broker.bootstrapServers(), prefix, 1)) {
            RankModel ctr = a.env().require(ModelRuntime.class).requireRankModel("ctr");
            StreamAppender deltas = trainer.appender(Topics.MODEL_DELTAS);
            deltas.append(RollbackPinTest.base(ctr, 1, 11).encode());
            deltas.append(RollbackPinTest.dense(ctr, 2, 12).encode());
            deltas.flush();
            await(() -> "v2".equals(live(a)) && "v2".equals(live(b)), "v2 live on both replicas");

            HttpResponse<String> back = RollbackPinTest.admin(HTTP, a, "POST", "/admin/models/ctr/rollback");
            assertEquals(200, back.statusCode(), back.body());
            assertEquals("v1", live(a), "the replica that answered has applied it when it answers");
            await(() -> "v1".equals(live(b)), "the rollback on A reached B through Kafka");

            try (FunnelApp c = start(prefix, "replica-c")) {
                await(() -> c.env().require(DeltaApplier.class).appliedVersion() == 2, "C replayed the deltas");
                assertEquals("v1", live(c), "a replica started after the rollback serves the pinned version");

                // C received v2, the version rolled back from, after the pin: it drops it as A and B did, so the
                // unpin leaves every replica on v1 rather than C alone on v2.
                HttpResponse<String> unpin = RollbackPinTest.admin(HTTP, b, "POST", "/admin/models/ctr/unpin");
                assertEquals(200, unpin.statusCode(), unpin.body());
                assertEquals("v1", new JsonObject(unpin.body()).getString("version"), unpin.body());
                await(() -> !pinned(a) && !pinned(c), "the unpin on B reached A and C");
                for (FunnelApp app : List.of(a, b, c)) {
                    assertEquals("v1", live(app), "the same version everywhere after the unpin");
                }
                deltas.append(RollbackPinTest.dense(ctr, 3, 13).encode());
                deltas.flush();
                await(() -> "v3".equals(live(a)) && "v3".equals(live(b)) && "v3".equals(live(c)), "every replica follows the newest again");
            }
        }
    }

    /**
     * A replica without an embedded trainer checks at start that the delta topic, deleted by age, keeps a base for
     * it: deltas without a base are warned about and flagged; so is a retention at or below the trainer's base
     * interval when the replica is told it; a retention longer than the interval is not.
     */
    @Test
    void aReplicaWarnsWhenTheDeltaTopicMayKeepNoBaseForIt() throws Exception {
        String prefix = "funnel-delta-retention.";
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(prefix + Topics.MODEL_DELTAS, 1, (short) 1)
                    .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "3600000")))).all().get();
        }
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(LearningLoopWiring.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel() == Level.WARNING) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        try (KafkaTransport trainer = new KafkaTransport(broker.bootstrapServers(), prefix, 1)) {
            StreamAppender deltas = trainer.appender(Topics.MODEL_DELTAS);
            // What is left once retention deleted the base: a delta of rows only.
            deltas.append(new ModelDelta("ctr", 7, ModelDelta.Kind.SPARSE, System.currentTimeMillis(), List.of(), null).encode());
            deltas.flush();
            RankModel ctr;
            try (FunnelApp a = start(prefix, "replica-a")) {
                assertTrue(metrics(a).contains("funnel_model_delta_retention_short{model=\"ctr\"} 1.0"), "flagged");
                assertTrue(warnings(warnings).contains("replica replica-a: topic model-deltas holds deltas of model ctr but no base"
                        + " of it, and deletes records after 3600000 ms"), warnings(warnings));
                ctr = a.env().require(ModelRuntime.class).requireRankModel("ctr");
            }
            deltas.append(RollbackPinTest.base(ctr, 8, 11).encode());
            deltas.flush();
            warnings.clear();
            try (FunnelApp b = start(prefix, "replica-b", Map.of("trainer.base_every_s", "3600"))) {
                assertTrue(metrics(b).contains("funnel_model_delta_retention_short{model=\"ctr\"} 1.0"), "flagged");
                assertTrue(warnings(warnings).contains("replica replica-b: topic model-deltas deletes records after 3600000 ms"
                        + " (retention.ms) but a base is published every 3600000 ms"), warnings(warnings));
            }
            warnings.clear();
            try (FunnelApp c = start(prefix, "replica-c", Map.of("trainer.base_every_s", "1800"))) {
                assertTrue(metrics(c).contains("funnel_model_delta_retention_short{model=\"ctr\"} 0.0"), "a base, and kept long enough");
                assertEquals("", warnings(warnings));
            }
        } finally {
            log.removeHandler(capture);
        }
    }

    private static String warnings(List<String> warnings) {
        return String.join("\n", warnings.stream().filter(w -> w.contains("model-deltas")).toList());
    }

    private static String live(FunnelApp app) {
        return app.env().require(ModelRuntime.class).registry().liveVersion("ctr");
    }

    private static boolean pinned(FunnelApp app) {
        return app.env().require(ModelRuntime.class).models().stream().filter(m -> m.name().equals("ctr")).findFirst().orElseThrow()
                .pinned();
    }

    private static String item(String category) {
        return "{\"category\":\"" + category + "\",\"author\":\"a1\",\"status\":\"online\",\"popularity\":1}";
    }

    private static FunnelApp start(String prefix, String replica) throws Exception {
        return start(prefix, replica, Map.of());
    }

    private static FunnelApp start(String prefix, String replica, Map<String, String> more) throws Exception {
        FunnelConfig config = TestServers.config().withEphemeralPorts(TOKEN).withDagsDir(DAGS.toString())
                .with("streams.transport", "kafka").with("streams.kafka.bootstrap", broker.bootstrapServers())
                .with("streams.kafka.prefix", prefix).with("streams.replica", replica)
                .with("model.pins", pins.resolve(prefix + replica + ".properties").toString());
        for (Map.Entry<String, String> e : more.entrySet()) {
            config = config.with(e.getKey(), e.getValue());
        }
        FunnelApp app = FunnelApp.start(config, false);
        try {
            await(() -> app.readiness().ready(), replica + " ready (its replay of the item stream caught up): " + app.readiness().gates());
        } catch (AssertionError e) {
            app.close();
            throw e;
        }
        return app;
    }

    private static HttpResponse<String> items(FunnelApp app, String method, long id, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/items/" + id))
                .timeout(Duration.ofSeconds(20)).header("authorization", "Bearer " + TOKEN);
        r = body == null ? r.method(method, HttpRequest.BodyPublishers.noBody())
                : r.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The ids of a {@code slow} response (the shared hot list). */
    private static List<Long> served(FunnelApp app) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/recommend"))
                    .timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"user_id\":\"u-kafka\",\"scene\":\"slow\",\"count\":20}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonArray items = new JsonObject(r.body()).getJsonArray("items");
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                ids.add(items.getJsonObject(i).getLong("item_id"));
            }
            return ids;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String metrics(FunnelApp app) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The keys of every record now in the topic, in order. */
    private static List<Long> keys(String topic) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, LongDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<Long, byte[]> consumer = new KafkaConsumer<>(c)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<Long> keys = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(tp) < end) {
                assertTrue(System.nanoTime() < deadline, "could not read " + topic + " to offset " + end);
                for (ConsumerRecord<Long, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    keys.add(r.key());
                }
            }
            return keys;
        }
    }

    private static String topicConfig(String topic, String setting) throws Exception {
        try (Admin admin = admin()) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            return admin.describeConfigs(List.of(r)).all().get().get(r).get(setting).value();
        }
    }

    private static Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return Admin.create(p);
    }

    /** Polls {@code condition} until it holds, failing after 30 s: changes that travel through Kafka, not timed. */
    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
