package dev.funnel.streams;

import java.util.concurrent.TimeUnit;

/**
 * How long a transport keeps records of the high-volume topics. Immutable.
 *
 * <ul>
 *   <li>{@link Topics#IMPRESSIONS} and {@link Topics#FEEDBACK} expire by age: records older than
 *       {@code retentionMillis} may be deleted (Chronicle: whole rolled cycle files; Kafka: the topic's
 *       {@code retention.ms});</li>
 *   <li>{@link Topics#MODEL_DELTAS} is compacted to its bases: a replica starts at the newest base (a
 *       delta with every row), so what precedes the second-newest base may be deleted (Chronicle);</li>
 *   <li>{@link Topics#ITEM_UPDATES} is never expired: it is the catalog's source of truth;</li>
 *   <li>{@link Topics#MODEL_CONTROL} is never expired: it holds the cluster's model pins (a record per
 *       rollback or unpin, a few bytes each).</li>
 * </ul>
 *
 * @param retentionMillis how long impressions and feedback are kept; 0 keeps every topic for ever
 */
public record Retention(long retentionMillis) {

    /** 24 hours: a trainer down for a day still finds what it missed. */
    public static final long DEFAULT_RETENTION_HOURS = 24;
    public static final Retention DEFAULT = ofHours(DEFAULT_RETENTION_HOURS);
    /** Keeps everything. */
    public static final Retention FOREVER = new Retention(0);

    public Retention {
        if (retentionMillis < 0) {
            throw new IllegalArgumentException("stream retention must be >= 0 ms (0 = for ever), got " + retentionMillis);
        }
    }

    /** A retention of {@code hours} (0 = for ever). */
    public static Retention ofHours(long hours) {
        if (hours < 0 || hours > TimeUnit.DAYS.toHours(3650)) {
            throw new IllegalArgumentException("stream retention must be 0 (for ever) .. 87600 hours, got " + hours);
        }
        return new Retention(TimeUnit.HOURS.toMillis(hours));
    }

    /** Whether anything expires at all. */
    public boolean enabled() {
        return retentionMillis > 0;
    }

    /** Whether {@code topic}'s records expire by age. */
    public boolean expiresByAge(String topic) {
        return enabled() && Topics.eventLog(topic);
    }

    /** Whether {@code topic}'s records are never deleted: item updates and model control, or every topic when off. */
    public boolean keptForever(String topic) {
        return !enabled() || topic.equals(Topics.ITEM_UPDATES) || topic.equals(Topics.MODEL_CONTROL);
    }

    /** Whether {@code topic} is compacted to its newest bases ({@link Topics#MODEL_DELTAS}). */
    public boolean compactsToBases(String topic) {
        return enabled() && topic.equals(Topics.MODEL_DELTAS);
    }

    @Override
    public String toString() {
        return enabled() ? "Retention{" + TimeUnit.MILLISECONDS.toHours(retentionMillis) + "h"
                + (retentionMillis % 3_600_000 == 0 ? "" : " +" + retentionMillis % 3_600_000 + "ms") + "}" : "Retention{forever}";
    }
}
