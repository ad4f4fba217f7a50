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

    /**
     * Appends a keyed record as {@link #append(long, byte[], int, int)} does and returns once the stream holds it,
     * or throws with this record's own failure. {@link #flush()} reports the first failure since the last flush,
     * whichever thread appended the record, so a writer that must answer for its own record (the items API)
     * would be told another's failure while its record landed, or miss its own. Blocks: never on an event loop.
     */
    default void appendAndAwait(long key, byte[] payload, int offset, int length) {
        append(key, payload, offset, length);
        flush();
    }

    /**
     * As {@link #appendAndAwait(long, byte[], int, int)}, for a record without a key (a model-control decision the
     * admin API answers for). Blocks: never on an event loop.
     */
    default void appendAndAwait(byte[] payload, int offset, int length) {
        append(payload, offset, length);
        flush();
    }

    /** Appends the whole array as one record. */
    default void append(byte[] payload) {
        append(payload, 0, payload.length);
    }

    /** Blocks until every record appended so far from any thread is visible to tailers. */
    void flush();
}
