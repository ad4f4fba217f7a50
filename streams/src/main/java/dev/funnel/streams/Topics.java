package dev.funnel.streams;

import java.util.List;

/**
 * Topic names of the learning loop, and what each topic's records are: a new topic added here (with its
 * line in {@link #ALL}, and in {@link #keyed} when its records supersede each other by key) gets the
 * transports' treatment for free: Kafka creates it, checks and reconciles its settings at start and
 * reports the ones it could not fix ({@code funnel_streams_topic_config_mismatches}).
 */
public final class Topics {

    /** What serving served, with the exact features the ranker used ({@code ImpressionLog}). */
    public static final String IMPRESSIONS = "impressions";
    /** What users did ({@code Feedback}). */
    public static final String FEEDBACK = "feedback";
    /** Catalog changes ({@code ItemUpdate}). */
    public static final String ITEM_UPDATES = "item-updates";
    /** Trainer output ({@code ModelDelta}). */
    public static final String MODEL_DELTAS = "model-deltas";
    /**
     * Operators' rollbacks and unpins, which every serving replica applies ({@code ModelControl}); a
     * record per admin call, kept for ever so that a replica started later finds the pins.
     */
    public static final String MODEL_CONTROL = "model-control";

    /** Every topic Funnel writes or reads. */
    public static final List<String> ALL = List.of(IMPRESSIONS, FEEDBACK, ITEM_UPDATES, MODEL_DELTAS, MODEL_CONTROL);

    private Topics() {
    }

    /**
     * Whether {@code topic}'s records are keyed ({@link StreamAppender#append(long, byte[], int, int)}) and
     * a record supersedes the earlier ones with its key, so only each key's newest matters (Kafka
     * compacts such a topic): {@link #ITEM_UPDATES}, keyed by item id.
     */
    public static boolean keyed(String topic) {
        return ITEM_UPDATES.equals(topic);
    }

    /**
     * Whether a write to {@code topic} answers a caller once its record is in the stream, or fails: the items API's
     * {@link #ITEM_UPDATES} and the admin API's {@link #MODEL_CONTROL} decisions (rollback, unpin). Such a record's
     * fate must be settled, delivered or failed for good, in seconds: the caller waits for it, and a record still
     * retried after its caller was told it failed could land later and apply a change reported as not made.
     */
    public static boolean answered(String topic) {
        return ITEM_UPDATES.equals(topic) || MODEL_CONTROL.equals(topic);
    }

    /**
     * Whether {@code topic} is a log of events ({@link #IMPRESSIONS}, {@link #FEEDBACK}): losing some of them
     * costs training samples, not correctness, so they may expire by age; every other topic is state a
     * replica must apply whole.
     */
    public static boolean eventLog(String topic) {
        return IMPRESSIONS.equals(topic) || FEEDBACK.equals(topic);
    }

    /** Throws if the name cannot be used as a topic (file name and Kafka topic name rules). */
    public static String requireValid(String topic) {
        if (topic == null || topic.isEmpty() || topic.length() > 200 || !topic.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("topic name must match [A-Za-z0-9._-]{1,200}, got '" + topic + "'");
        }
        return topic;
    }
}
