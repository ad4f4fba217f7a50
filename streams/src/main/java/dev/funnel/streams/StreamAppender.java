package dev.funnel.streams;

/**
 * Appends records to one topic. Thread-safe. An append is durable in the transport's own sense:
 * written to the memory-mapped file (Chronicle) or handed to the producer (Kafka, see {@link #flush()}).
 */
public interface StreamAppender {

    /** Appends {@code length} bytes of {@code payload} from {@code offset} as one record. */
    void append(byte[] payload, int offset, int length);

    /**
     * Appends a record that supersedes earlier records with the same {@code key} (an item update keyed by
     * its item id): a transport that compacts the topic (Kafka's {@code item-updates}) may drop those;
     * one that does not ignores the key.
     */
    default void append(long key, byte[] payload, int offset, int length) {
        append(payload, offset, length);
    }

    /** Appends the whole array as one record. */
    default void append(byte[] payload) {
        append(payload, 0, payload.length);
    }

    /** Blocks until every record appended so far from any thread is visible to tailers. */
    void flush();
}
