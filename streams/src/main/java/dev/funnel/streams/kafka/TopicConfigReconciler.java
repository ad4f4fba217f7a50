package dev.funnel.streams.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
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
 * <p>Nor can the partition count be fixed (Kafka only adds partitions): Funnel writes and reads partition 0
 * only, so a topic made with several is reported with the records its other partitions hold now, which
 * no replica reads; for a topic whose every record is state a replica must apply, such records fail the open.
 *
 * <p>Blocks on the cluster (admin calls, and that read): called on the thread that opens a topic, at
 * start, never an event loop. Thread-safe.
 */
final class TopicConfigReconciler {

    private static final Logger LOG = Logger.getLogger(KafkaTransport.class.getName());
    /** The pseudo-setting a partition count other than 1 is reported as. */
    static final String PARTITIONS = "partitions";
    /**
     * How long reading a topic (for records without a key, or to count a compacted topic's other partitions) may take
     * before it counts as not verified.
     */
    static final Duration SCAN_TIMEOUT = Duration.ofMinutes(2);

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
     * Checks an existing topic against {@code expected} and, under {@link TopicConfigPolicy#RECONCILE}, sets what differs;
     * checks that it has one partition (whatever the policy: nothing can set it).
     *
     * @param unreadRecordsFail whether records on partitions other than 0 fail the open (a topic whose every
     *                          record a replica must apply) rather than being reported
     * @return the settings still different afterwards (empty when the topic is as Funnel wants it)
     * @throws IllegalStateException when {@code unreadRecordsFail} and partitions other than 0 hold records
     */
    List<TopicConfigMismatch> reconcile(String topic, Map<String, String> expected, boolean unreadRecordsFail) {
        List<TopicConfigMismatch> settable = new ArrayList<>();
        List<TopicConfigMismatch> left = new ArrayList<>();
        TopicConfigMismatch partitions = partitions(topic, unreadRecordsFail);
        if (partitions != null) {
            left.add(partitions);
        }
        left.addAll(settings(topic, expected, settable));
        if (!left.isEmpty()) {
            warn(topic, left, settable);
        }
        return List.copyOf(left);
    }

    /**
     * The partition count as a mismatch when it is not 1, saying how many records the other partitions hold now.
     *
     * @return null when the topic has one partition
     */
    private TopicConfigMismatch partitions(String topic, boolean unreadRecordsFail) {
        int count;
        try {
            count = admin.describeTopics(List.of(topic)).allTopicNames().get(timeoutMillis, TimeUnit.MILLISECONDS)
                    .get(topic).partitions().size();
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            interruptIf(e);
            return new TopicConfigMismatch(topic, PARTITIONS, "?", "1", "cannot read the topic's partitions: " + cause(e));
        }
        if (count == 1) {
            return null;
        }
        String others = count == 2 ? "partition 1 holds " : "partitions 1.." + (count - 1) + " hold ";
        String held;
        try {
            long span = offsetSpanBeyondPartition0(topic, count);
            // Compaction (and a transactional producer's markers) leave gaps in the offsets: the span overcounts
            // there, and could even be all gaps. A compacted topic holds one record per key at most, so read it.
            long read = span > 0 && compacted(topic) ? count(topic, p -> p.partition() > 0, r -> true) : span;
            String records = read >= 0 ? records(read) : "up to " + records(span) + " (an offset span: compaction leaves gaps,"
                    + " and reading them did not finish within " + SCAN_TIMEOUT.toSeconds() + " s)";
            if (read != 0 && unreadRecordsFail) {
                throw new IllegalStateException("kafka topic " + topic + " has " + count + " partitions and " + others
                        + records + ", which Funnel never reads (it writes and reads partition 0 only); every record of"
                        + " this topic is state a replica must apply, so it does not start without them: recreate the topic"
                        + " with one partition and write them to it again");
            }
            held = others + records + " now";
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            interruptIf(e);
            held = "could not count the records on the other partitions: " + cause(e);
        }
        return new TopicConfigMismatch(topic, PARTITIONS, String.valueOf(count), "1", "Funnel writes and reads partition 0"
                + " only; records on other partitions are never read; " + held + "; Kafka cannot remove partitions:"
                + " recreate the topic with one partition");
    }

    /**
     * End offset minus beginning offset of every partition but 0: the records they hold on a topic that is not
     * compacted, and at most that many on one that is (compaction's gaps are counted).
     */
    private long offsetSpanBeyondPartition0(String topic, int partitions)
            throws ExecutionException, TimeoutException, InterruptedException {
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 1; p < partitions; p++) {
            earliest.put(new TopicPartition(topic, p), OffsetSpec.earliest());
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> begin =
                admin.listOffsets(earliest).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end =
                admin.listOffsets(latest).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
        long records = 0;
        for (TopicPartition tp : earliest.keySet()) {
            records += end.get(tp).offset() - begin.get(tp).offset();
        }
        return records;
    }

    /** The settings of {@code expected} still different once what may be set is set; adds those an operator may set to {@code settable}. */
    private List<TopicConfigMismatch> settings(String topic, Map<String, String> expected, List<TopicConfigMismatch> settable) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config;
        try {
            config = admin.describeConfigs(List.of(resource)).all().get(timeoutMillis, TimeUnit.MILLISECONDS).get(resource);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            interruptIf(e);
            String why = "cannot read the topic's settings: " + cause(e);
            return new TreeMap<>(expected).entrySet().stream()
                    .map(x -> new TopicConfigMismatch(topic, x.getKey(), "?", x.getValue(), why)).toList();
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
        if (policy == TopicConfigPolicy.WARN) {
            differ.forEach((k, found) -> settable.add(new TopicConfigMismatch(topic, k, found, expected.get(k),
                    TopicConfigPolicy.KEY + "=warn: topics are managed outside Funnel")));
            left.addAll(settable);
            return left;
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
                        ? "could not read the whole topic within " + SCAN_TIMEOUT.toSeconds() + " s to check that every record has a key"
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
        return left;
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

    /** Whether the topic's {@code cleanup.policy} includes {@code compact} (false when it cannot be read: the span stands). */
    private boolean compacted(String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            ConfigEntry entry = admin.describeConfigs(List.of(resource)).all().get(timeoutMillis, TimeUnit.MILLISECONDS)
                    .get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG);
            return entry != null && policy(entry.value()).contains(TopicConfig.CLEANUP_POLICY_COMPACT);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            interruptIf(e);
            LOG.warning("kafka topic " + topic + ": cannot read its cleanup.policy (" + cause(e) + "); its other partitions'"
                    + " records are counted from their offsets");
            return false;
        }
    }

    /**
     * Reads the whole topic once, keys only in mind.
     *
     * @return how many records have no key; -1 when the read did not finish in time
     */
    private long unkeyedRecords(String topic) {
        return count(topic, p -> true, r -> r.key() == null);
    }

    /**
     * Reads the partitions {@code which} accepts once, from their start to their end offsets now, as Funnel's tailers
     * read (uncommitted records too), counting the records {@code counted} accepts.
     *
     * @return the count; -1 when the read did not finish within {@link #SCAN_TIMEOUT}
     */
    private long count(String topic, Predicate<TopicPartition> which, Predicate<ConsumerRecord<byte[], byte[]>> counted) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(KafkaTransport.MAX_MESSAGE_BYTES));
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long deadline = System.nanoTime() + SCAN_TIMEOUT.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map((PartitionInfo p) -> new TopicPartition(topic, p.partition())).filter(which).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long n = 0;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    return -1;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition())) && counted.test(r)) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    private static String records(long n) {
        return n == 1 ? "1 record" : n + " records";
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
