package dev.funnel.streams.kafka;

import dev.funnel.streams.Retention;
import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.StreamTailer;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * {@link Transport} over Kafka. Topic {@code t} is Kafka topic {@code prefix + t} with one partition
 * (created on first use), so order and positions are total. One producer is shared by the appenders of
 * all but the keyed topics (below).
 * Thread-safe.
 *
 * <p><b>Topic settings.</b> Topics get {@link #topicConfigs}: {@code max.message.bytes} for the largest record
 * the producer sends; {@code retention.ms} from the {@link Retention} for impressions and feedback; for
 * {@link Topics#keyed keyed} topics (item updates) -1 (the catalog's source of truth, which a broker's default
 * of 7 days would delete) and {@code cleanup.policy=compact}, so the topic holds each key's newest record;
 * model control -1 (the cluster's model pins, read whole by every replica at start); model deltas keep the
 * broker's default {@code retention.ms} (a replica starts at the newest base, so any
 * retention longer than the trainer's base interval works: see {@link #expiryMillis}); with
 * {@link Retention#FOREVER} every topic gets -1. A topic that exists already (made by an older Funnel, or by
 * an operator with the broker's defaults) is checked when first opened: under {@link TopicConfigPolicy#RECONCILE}
 * (the default) what differs is set; what stays different (policy {@link TopicConfigPolicy#WARN}, a refusal
 * by the cluster, records a compaction would delete) is warned about once per topic and reported by
 * {@link #topicConfigMismatches}. So is a partition count other than 1 (Funnel writes and reads partition 0
 * only), with the records the other partitions hold; on a topic {@link #unreadRecordsFail} such records fail
 * the open instead.
 *
 * <p>{@link #appender} and {@link #tailer} block on the cluster the first time they open a topic:
 * open topics at start, never on an event loop. They throw {@link IllegalStateException} when the topic
 * cannot be created, or holds records Funnel would never read (above).
 *
 * <p>Appends to {@link Topics#answered answered} topics (item updates, model control) go through a producer of their
 * own whose records are delivered or failed within {@link #ANSWERED_DELIVERY_TIMEOUT_MILLIS} (an append waits at most
 * {@link #ANSWERED_MAX_BLOCK_MILLIS} for the topic's metadata): a write that waits for its record, as the items API and
 * the admin API's rollback and unpin do, learns its fate in seconds.
 */
public final class KafkaTransport implements Transport {

    /** Default wait for a topic to be created, in milliseconds. */
    public static final long DEFAULT_ADMIN_TIMEOUT_MILLIS = 30_000;
    /** Default wait for the cluster to answer when the transport opens, in milliseconds. */
    public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 15_000;
    /**
     * {@code max.message.bytes} of the topics this transport creates: what the producer may send
     * (a dense model snapshot is one record; a stock broker's default is 1 MB).
     */
    static final int MAX_MESSAGE_BYTES = 64 << 20;
    /**
     * {@code delivery.timeout.ms} of the producer of {@link Topics#answered answered} topics (item updates, model
     * control), in milliseconds: the items API answers a write once its record is delivered, and 503 when it is not (the
     * admin API's rollback and unpin likewise), so each record's fate must be settled, delivered or failed for good, well
     * within the caller's wait (10 s). With the stock two minutes the write waited past any client's patience while the
     * cluster was gone, and a record still retried after the 503 could land later and apply a change its client was told
     * did not happen. Other topics keep the stock timeouts: their records (samples, model deltas) are worth a longer
     * wait, and nobody waits on them.
     */
    public static final long ANSWERED_DELIVERY_TIMEOUT_MILLIS = 6_000;
    /** {@code request.timeout.ms} of that producer: a broker that does not answer one request leaves time to retry. */
    static final long ANSWERED_REQUEST_TIMEOUT_MILLIS = 3_000;
    /** {@code max.block.ms} of that producer: how long an append may wait for the topic's metadata or buffer space. */
    public static final long ANSWERED_MAX_BLOCK_MILLIS = 2_000;
    /** How often {@link #watchPartitions} looks at the partition counts of the open topics, in milliseconds. */
    public static final long DEFAULT_PARTITION_WATCH_MILLIS = 60_000;
    private static final Logger LOG = Logger.getLogger(KafkaTransport.class.getName());
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final String bootstrapServers;
    private final String topicPrefix;
    private final short replicationFactor;
    private final Retention retention;
    private final Admin admin;
    private final TopicConfigReconciler reconciler;
    /** Kafka topic -> the settings its check left different (absent: not checked, or created here). */
    private final Map<String, List<TopicConfigMismatch>> mismatches = new ConcurrentHashMap<>();
    private final KafkaProducer<byte[], byte[]> producer;
    /** For {@link Topics#answered answered} topics: short timeouts (see {@link #ANSWERED_DELIVERY_TIMEOUT_MILLIS}). */
    private final KafkaProducer<byte[], byte[]> answeredProducer;
    private final Set<String> knownTopics = ConcurrentHashMap.newKeySet();
    private final List<KafkaTailer> tailers = new ArrayList<>();
    /** Null until {@link #watchPartitions}. */
    private volatile ScheduledExecutorService partitionWatch;
    /** Whether the last partition check failed: a cluster that stays away is logged once, not every minute. */
    private volatile boolean partitionCheckFailing;

    /**
     * @param bootstrapServers  {@code host:port,…}
     * @param topicPrefix       prepended to every topic name (e.g. {@code funnel.}); may be empty
     * @param replicationFactor replication of topics this transport creates (1 for one broker)
     */
    public KafkaTransport(String bootstrapServers, String topicPrefix, int replicationFactor) {
        this(bootstrapServers, topicPrefix, replicationFactor, DEFAULT_CONNECT_TIMEOUT_MILLIS);
    }

    /**
     * As {@link #KafkaTransport(String, String, int)}, failing when no broker answers within
     * {@code connectTimeoutMillis} (rather than retrying behind every later call).
     *
     * @throws IllegalStateException when the cluster does not answer in time
     */
    public KafkaTransport(String bootstrapServers, String topicPrefix, int replicationFactor, long connectTimeoutMillis) {
        this(bootstrapServers, topicPrefix, replicationFactor, connectTimeoutMillis, Retention.DEFAULT);
    }

    /**
     * As {@link #KafkaTransport(String, String, int, long)}, creating topics with this retention.
     */
    public KafkaTransport(String bootstrapServers, String topicPrefix, int replicationFactor, long connectTimeoutMillis,
                          Retention retention) {
        this(bootstrapServers, topicPrefix, replicationFactor, connectTimeoutMillis, retention, TopicConfigPolicy.RECONCILE);
    }

    /**
     * As {@link #KafkaTransport(String, String, int, long, Retention)}, treating existing topics whose settings
     * differ as {@code topicConfigPolicy} says.
     */
    public KafkaTransport(String bootstrapServers, String topicPrefix, int replicationFactor, long connectTimeoutMillis,
                          Retention retention, TopicConfigPolicy topicConfigPolicy) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("kafka transport: bootstrap servers must be set, got '" + bootstrapServers + "'");
        }
        if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
            throw new IllegalArgumentException("kafka transport: replication factor must be >= 1, got " + replicationFactor);
        }
        this.bootstrapServers = bootstrapServers;
        this.topicPrefix = topicPrefix == null ? "" : topicPrefix;
        this.replicationFactor = (short) replicationFactor;
        this.retention = retention;
        Properties a = new Properties();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.admin = Admin.create(a);
        this.reconciler = new TopicConfigReconciler(admin, bootstrapServers, topicConfigPolicy, DEFAULT_ADMIN_TIMEOUT_MILLIS);
        try {
            admin.describeCluster().clusterId().get(connectTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            admin.close(Duration.ZERO);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("kafka transport: no broker at " + bootstrapServers + " answered within "
                    + connectTimeoutMillis + " ms (" + (e.getCause() != null ? e.getCause() : e) + ")", e);
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_MESSAGE_BYTES));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
        Properties k = new Properties();
        k.putAll(p);
        k.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(ANSWERED_DELIVERY_TIMEOUT_MILLIS));
        k.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(ANSWERED_REQUEST_TIMEOUT_MILLIS));
        k.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(ANSWERED_MAX_BLOCK_MILLIS));
        this.answeredProducer = new KafkaProducer<>(k);
    }

    String kafkaTopic(String topic) {
        String t = topicPrefix + Topics.requireValid(topic);
        if (knownTopics.add(t)) {
            try {
                admin.createTopics(List.of(new NewTopic(t, 1, replicationFactor).configs(topicConfigs(topic))))
                        .all().get(DEFAULT_ADMIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    knownTopics.remove(t);
                    throw new IllegalStateException("kafka transport: cannot create topic " + t + " on " + bootstrapServers, e.getCause());
                }
                try {
                    mismatches.put(t, reconciler.reconcile(t, topicConfigs(topic), unreadRecordsFail(topic)));
                } catch (IllegalStateException unread) {
                    knownTopics.remove(t); // checked again when opened again
                    throw unread;
                }
            } catch (InterruptedException | TimeoutException e) {
                knownTopics.remove(t);
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("kafka transport: creating topic " + t + " on " + bootstrapServers + ": " + e, e);
            }
        }
        return t;
    }

    /**
     * Whether records of {@code topic} (a {@link Topics} name) on partitions Funnel does not read fail its open.
     * Impressions and feedback are training samples: a trainer that misses some learns from fewer, and
     * serving is right, so they are reported only. Every other topic is state each replica must apply
     * whole (the catalog, the model's versions, the cluster's pins): starting without some of it would
     * serve a catalog or a model nobody chose, and say nothing; a topic added later is treated so too.
     */
    static boolean unreadRecordsFail(String topic) {
        return !Topics.eventLog(topic);
    }

    /**
     * The settings Funnel owns of {@code topic} (a {@link Topics} name): what a topic it creates gets, and
     * what an existing one is reconciled to.
     */
    Map<String, String> topicConfigs(String topic) {
        Map<String, String> c = new HashMap<>();
        c.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_MESSAGE_BYTES));
        if (retention.expiresByAge(topic)) {
            c.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(retention.retentionMillis()));
        } else if (retention.keptForever(topic)) {
            c.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
        }
        if (Topics.keyed(topic)) {
            // Keyed (StreamAppender.append(long, ...)): the topic keeps each key's newest record.
            c.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        }
        return c;
    }

    /**
     * The settings of {@code topic} (a {@link Topics} name) that differ from {@link #topicConfigs} and were left
     * so when the topic was opened, and its partition count when it is not 1 (setting {@code partitions}); empty when it is as Funnel wants it, or not opened yet. Any thread; never blocks.
     */
    public List<TopicConfigMismatch> topicConfigMismatches(String topic) {
        return mismatches.getOrDefault(topicPrefix + topic, List.of());
    }

    /**
     * Checks the partition count of every topic opened so far every {@code intervalMillis}, on a daemon thread of its
     * own, off any event loop: partitions added to a topic after it was opened (Kafka only adds them) take records
     * Funnel never reads, which the check at open cannot see. Such a topic gets a {@code partitions} mismatch in
     * {@link #topicConfigMismatches}, warned about once; nothing stops (what runs already keeps serving partition 0).
     * One admin call per check. Idempotent.
     */
    public synchronized void watchPartitions(long intervalMillis) {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("kafka transport: partition watch interval must be > 0 ms, got " + intervalMillis);
        }
        if (partitionWatch != null) {
            return;
        }
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafka-partition-watch");
            t.setDaemon(true);
            return t;
        });
        s.scheduleWithFixedDelay(this::checkPartitions, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        partitionWatch = s;
    }

    /**
     * One check of {@link #watchPartitions}, on the caller's thread (blocks on the cluster): records a {@code partitions}
     * mismatch for every open topic that has more than one partition now, and returns how many have.
     */
    public int checkPartitions() {
        List<String> open = new ArrayList<>(knownTopics);
        if (open.isEmpty()) {
            return 0;
        }
        Map<String, TopicDescription> described;
        try {
            described = admin.describeTopics(open).allTopicNames().get(DEFAULT_ADMIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | InterruptedException | TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (!partitionCheckFailing) {
                partitionCheckFailing = true;
                LOG.warning("kafka transport: cannot read the partition counts of " + open + " on " + bootstrapServers + " ("
                        + (e.getCause() != null ? e.getCause() : e) + "); tried again every interval, logged again once it works");
            }
            return 0;
        }
        partitionCheckFailing = false;
        int several = 0;
        for (var d : described.values()) {
            int count = d.partitions().size();
            if (count <= 1) {
                continue;
            }
            several++;
            String found = String.valueOf(count);
            mismatches.compute(d.name(), (t, left) -> {
                List<TopicConfigMismatch> before = left == null ? List.of() : left;
                if (before.stream().anyMatch(m -> m.setting().equals(TopicConfigReconciler.PARTITIONS) && m.found().equals(found))) {
                    return left; // reported already (at open, or by an earlier check): one warning per change
                }
                TopicConfigMismatch m = new TopicConfigMismatch(t, TopicConfigReconciler.PARTITIONS, found, "1", "partitions were"
                        + " added while Funnel had it open: Funnel writes and reads partition 0 only, so records on the others are"
                        + " never read; Kafka cannot remove partitions: recreate the topic with one partition and write its"
                        + " records to it again");
                LOG.warning("kafka topic " + t + ": " + m + " (" + m.why() + ")");
                List<TopicConfigMismatch> now = new ArrayList<>();
                now.add(m);
                before.stream().filter(x -> !x.setting().equals(TopicConfigReconciler.PARTITIONS)).forEach(now::add);
                return List.copyOf(now);
            });
        }
        return several;
    }

    /**
     * The topic's {@code retention.ms} as the cluster has it (its own, or the broker's default) while its
     * {@code cleanup.policy} includes {@code delete}; empty for -1, for a compacted-only topic, and when the
     * settings cannot be read (logged).
     */
    @Override
    public OptionalLong expiryMillis(String topic) {
        String t = kafkaTopic(topic);
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, t);
        Config config;
        try {
            config = describeJustCreated(r);
        } catch (ExecutionException | InterruptedException | TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warning("kafka topic " + t + ": cannot read its retention.ms on " + bootstrapServers + ": "
                    + (e.getCause() != null ? e.getCause() : e));
            return OptionalLong.empty();
        }
        ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        ConfigEntry ms = config.get(TopicConfig.RETENTION_MS_CONFIG);
        if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_DELETE) || ms == null) {
            return OptionalLong.empty();
        }
        long millis = Long.parseLong(ms.value());
        return millis < 0 ? OptionalLong.empty() : OptionalLong.of(millis);
    }

    /**
     * The topic's settings; blocks. A topic this transport just created may not be known yet to the broker that
     * answers (creation completes on the controller; the broker's metadata follows a moment later), so an
     * unknown topic is asked again for up to the admin timeout instead of read as "no retention".
     */
    private Config describeJustCreated(ConfigResource r) throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEFAULT_ADMIN_TIMEOUT_MILLIS);
        for (;;) {
            try {
                return admin.describeConfigs(List.of(r)).all().get(DEFAULT_ADMIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).get(r);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || !knownTopics.contains(r.name())
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    @Override
    public StreamAppender appender(String topic) {
        return new KafkaAppender(Topics.answered(topic) ? answeredProducer : producer, kafkaTopic(topic));
    }

    @Override
    public StreamTailer tailer(String topic, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tailer name must not be empty, got '" + name + "'");
        }
        String t = kafkaTopic(topic);
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, topicPrefix + name);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(64 << 20));
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        KafkaTailer tailer = new KafkaTailer(new KafkaConsumer<>(c), t);
        synchronized (tailers) {
            tailers.add(tailer);
        }
        return tailer;
    }

    /** Closes the producer and admin client; tailers still open are closed too (close them first from their own threads). */
    @Override
    public void close() {
        ScheduledExecutorService watch = partitionWatch;
        if (watch != null) {
            watch.shutdownNow(); // before the admin client it uses is closed
        }
        List<KafkaTailer> open;
        synchronized (tailers) {
            open = new ArrayList<>(tailers);
            tailers.clear();
        }
        open.forEach(KafkaTailer::close);
        producer.close(CLOSE_TIMEOUT); // bounded: a broker that went away must not hold up shutdown
        answeredProducer.close(CLOSE_TIMEOUT);
        admin.close(CLOSE_TIMEOUT);
    }

    @Override
    public String toString() {
        return "KafkaTransport{bootstrap=" + bootstrapServers + ", prefix='" + topicPrefix + "', rf=" + replicationFactor + ", " + retention + "}";
    }
}
