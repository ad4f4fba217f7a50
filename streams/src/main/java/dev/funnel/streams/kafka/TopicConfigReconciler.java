package dev.funnel.streams.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Brings the settings Funnel owns of a topic that existed already to Funnel's values, or says which it
 * left and why: one warning per topic naming each setting with its found and expected value.
 *
 * <p>One change is never made blindly: turning on {@code cleanup.policy=compact} makes the broker's log
 * cleaner delete every record without a key, and an item-updates topic written before Funnel keyed its
 * records holds the catalog in such records. The topic is read once first; it is compacted only when
 * every record has a key.
 *
 * <p>Blocks on the cluster (admin calls, and that read): called on the thread that opens a topic, at
 * start, never an event loop. Thread-safe.
 */
final class TopicConfigReconciler {

    private static final Logger LOG = Logger.getLogger(KafkaTransport.class.getName());
    /** How long reading a topic for records without a key may take before it counts as not verified. */
    static final Duration UNKEYED_SCAN_TIMEOUT = Duration.ofMinutes(2);

    private final Admin admin;
    private final String bootstrapServers;
    private final TopicConfigPolicy policy;
    private final long timeoutMillis;

    TopicConfigReconciler(Admin admin, String bootstrapServers, TopicConfigPolicy policy, long timeoutMillis) {
        this.admin = admin;
        this.bootstrapServers = bootstrapServers;
        this.policy = policy;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Checks an existing topic against {@code expected} and, under {@link TopicConfigPolicy#RECONCILE}, sets what differs.
     *
     * @return the settings still different afterwards (empty when the topic is as Funnel wants it)
     */
    List<TopicConfigMismatch> reconcile(String topic, Map<String, String> expected) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config;
        try {
            config = admin.describeConfigs(List.of(resource)).all().get(timeoutMillis, TimeUnit.MILLISECONDS).get(resource);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            interruptIf(e);
            String why = "cannot read the topic's settings: " + cause(e);
            List<TopicConfigMismatch> left = new TreeMap<>(expected).entrySet().stream()
                    .map(x -> new TopicConfigMismatch(topic, x.getKey(), "?", x.getValue(), why)).toList();
            warn(topic, left, List.of());
            return left;
        }
        Map<String, String> differ = new TreeMap<>(); // setting -> found
        for (Map.Entry<String, String> x : new TreeMap<>(expected).entrySet()) {
            ConfigEntry entry = config.get(x.getKey());
            String found = entry == null ? null : entry.value();
            if (!same(x.getKey(), found, x.getValue())) {
                differ.put(x.getKey(), String.valueOf(found));
            }
        }
        if (differ.isEmpty()) {
            return List.of();
        }
        List<TopicConfigMismatch> left = new ArrayList<>();
        List<TopicConfigMismatch> settable = new ArrayList<>();
        if (policy == TopicConfigPolicy.WARN) {
            differ.forEach((k, found) -> settable.add(new TopicConfigMismatch(topic, k, found, expected.get(k),
                    TopicConfigPolicy.KEY + "=warn: topics are managed outside Funnel")));
            left.addAll(settable);
            warn(topic, left, settable);
            return List.copyOf(left);
        }
        Map<String, String> toSet = new TreeMap<>();
        differ.forEach((k, found) -> toSet.put(k, expected.get(k)));
        if (toSet.containsKey(TopicConfig.CLEANUP_POLICY_CONFIG)
                && policy(toSet.get(TopicConfig.CLEANUP_POLICY_CONFIG)).contains(TopicConfig.CLEANUP_POLICY_COMPACT)
                && !policy(differ.get(TopicConfig.CLEANUP_POLICY_CONFIG)).contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            long unkeyed = unkeyedRecords(topic);
            if (unkeyed != 0) {
                toSet.remove(TopicConfig.CLEANUP_POLICY_CONFIG);
                left.add(new TopicConfigMismatch(topic, TopicConfig.CLEANUP_POLICY_CONFIG, differ.get(TopicConfig.CLEANUP_POLICY_CONFIG),
                        expected.get(TopicConfig.CLEANUP_POLICY_CONFIG), (unkeyed < 0
                        ? "could not read the whole topic within " + UNKEYED_SCAN_TIMEOUT.toSeconds() + " s to check that every record has a key"
                        : "it holds " + unkeyed + " records without a key (written before Funnel keyed them)")
                        + ", which compaction would delete: rewrite them keyed (or recreate the topic and re-send the catalog),"
                        + " then Funnel compacts it at its next start"));
            }
        }
        if (!toSet.isEmpty()) {
            List<AlterConfigOp> ops = toSet.entrySet().stream()
                    .map(x -> new AlterConfigOp(new ConfigEntry(x.getKey(), x.getValue()), AlterConfigOp.OpType.SET)).toList();
            try {
                admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
                LOG.info("kafka topic " + topic + ": set " + toSet.keySet().stream()
                        .map(k -> k + " " + differ.get(k) + " -> " + toSet.get(k)).collect(Collectors.joining(", "))
                        + " (" + TopicConfigPolicy.KEY + "=reconcile)");
            } catch (ExecutionException | TimeoutException | InterruptedException e) {
                interruptIf(e);
                String why = "the cluster refused the change: " + cause(e);
                toSet.forEach((k, v) -> settable.add(new TopicConfigMismatch(topic, k, differ.get(k), v, why)));
                left.addAll(settable);
            }
        }
        if (!left.isEmpty()) {
            warn(topic, left, settable);
        }
        return List.copyOf(left);
    }

    /** One warning for the topic: every setting left, and the command that sets the ones an operator may simply set. */
    private void warn(String topic, List<TopicConfigMismatch> left, List<TopicConfigMismatch> settable) {
        StringBuilder sb = new StringBuilder("kafka topic ").append(topic).append(": ");
        sb.append(left.stream().map(m -> m + " (" + m.why() + ")").collect(Collectors.joining("; ")));
        if (!settable.isEmpty()) {
            sb.append("; to set them: kafka-configs.sh --bootstrap-server ").append(bootstrapServers)
                    .append(" --alter --entity-type topics --entity-name ").append(topic).append(" --add-config ")
                    .append(settable.stream().map(m -> m.setting() + "=" + m.expected()).collect(Collectors.joining(",")));
        }
        LOG.warning(sb.toString());
    }

    /**
     * Reads the whole topic once, keys only in mind.
     *
     * @return how many records have no key; -1 when the read did not finish in time
     */
    private long unkeyedRecords(String topic) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(KafkaTransport.MAX_MESSAGE_BYTES));
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long deadline = System.nanoTime() + UNKEYED_SCAN_TIMEOUT.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map((PartitionInfo p) -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long unkeyed = 0;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    return -1;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.key() == null && r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        unkeyed++;
                    }
                }
            }
            return unkeyed;
        }
    }

    private static boolean same(String setting, String found, String expected) {
        if (TopicConfig.CLEANUP_POLICY_CONFIG.equals(setting)) {
            return found != null && policy(found).equals(policy(expected));
        }
        return Objects.equals(found, expected);
    }

    private static Set<String> policy(String value) {
        return value == null ? Set.of() : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toSet());
    }

    private static String cause(Exception e) {
        Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    private static void interruptIf(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
    }
}
