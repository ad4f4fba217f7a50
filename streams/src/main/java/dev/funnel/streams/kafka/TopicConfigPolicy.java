package dev.funnel.streams.kafka;

import java.util.Locale;

/**
 * What {@link KafkaTransport} does at start with a topic that exists already and whose settings differ
 * from the ones Funnel gives the topics it creates ({@code retention.ms}, {@code cleanup.policy},
 * {@code max.message.bytes}; see {@link KafkaTransport#topicConfigs}).
 */
public enum TopicConfigPolicy {

    /** Sets Funnel's values (incrementalAlterConfigs); what cannot be set is warned about. The default. */
    RECONCILE,
    /** Topics are managed outside Funnel: only warns, naming each setting with its found and expected value. */
    WARN;

    /** Config key of the servers and the trainer. */
    public static final String KEY = "streams.kafka.topic_configs";

    /** {@code reconcile} or {@code warn}, as the config key spells them. */
    public static TopicConfigPolicy parse(String value) {
        for (TopicConfigPolicy p : values()) {
            if (p.name().toLowerCase(Locale.ROOT).equals(value == null ? null : value.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException(KEY + " must be reconcile or warn, got '" + value + "'");
    }
}
