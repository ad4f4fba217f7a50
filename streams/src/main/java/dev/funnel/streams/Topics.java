package dev.funnel.streams;

/** Topic names of the learning loop. */
public final class Topics {

    /** What serving served, with the exact features the ranker used ({@code ImpressionLog}). */
    public static final String IMPRESSIONS = "impressions";
    /** What users did ({@code Feedback}). */
    public static final String FEEDBACK = "feedback";
    /** Catalog changes ({@code ItemUpdate}). */
    public static final String ITEM_UPDATES = "item-updates";
    /** Trainer output ({@code ModelDelta}). */
    public static final String MODEL_DELTAS = "model-deltas";

    private Topics() {
    }

    /** Throws if the name cannot be used as a topic (file name and Kafka topic name rules). */
    public static String requireValid(String topic) {
        if (topic == null || topic.isEmpty() || topic.length() > 200 || !topic.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("topic name must match [A-Za-z0-9._-]{1,200}, got '" + topic + "'");
        }
        return topic;
    }
}
