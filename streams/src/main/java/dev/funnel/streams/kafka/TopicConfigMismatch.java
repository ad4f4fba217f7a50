package dev.funnel.streams.kafka;

/**
 * A setting of an existing topic that differs from what Funnel expects and that the transport left as it
 * is (the policy is {@link TopicConfigPolicy#WARN}, the cluster refused the change, or changing it would lose
 * records), or its partition count when it is not 1 (setting {@code partitions}: Kafka cannot remove partitions).
 *
 * @param topic    the Kafka topic (with the prefix)
 * @param setting  the topic config, e.g. {@code retention.ms}
 * @param found    its value on the cluster ({@code ?} when it could not be read)
 * @param expected the value Funnel gives it
 * @param why      why it was left as found
 */
public record TopicConfigMismatch(String topic, String setting, String found, String expected, String why) {

    @Override
    public String toString() {
        return setting + " is " + found + ", expected " + expected;
    }
}
