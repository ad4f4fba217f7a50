package dev.funnel.streams;

/**
 * Reads one topic in order. Used by one thread at a time (the consumer's own thread); never call it
 * from an event loop: Kafka's implementation may wait a few milliseconds for a fetch.
 */
public interface StreamTailer extends AutoCloseable {

    /**
     * Delivers up to {@code maxRecords} available records to the handler, in order.
     *
     * @return how many were delivered; 0 when none is available now (not an error)
     */
    int poll(RecordHandler handler, int maxRecords);

    /**
     * Moves so that the next record delivered is the one after {@code position}.
     *
     * @return false, without moving anywhere useful, when the topic holds no record at {@code position}:
     *         it expired, or the topic was reset (a wiped Chronicle directory, a recreated Kafka topic)
     *         since the position was read. The caller decides where to read from instead (a trainer
     *         restoring its checkpoint seeks to the start of what exists)
     */
    boolean seekAfter(long position);

    /**
     * Moves so that the next record delivered is the newest one that {@code match} accepts (a replica
     * starting at the newest model base instead of replaying the topic). Chronicle scans back from
     * the end; Kafka scans forward from the start without delivering anything.
     *
     * @return false, and moved to the start, when no record matches
     */
    boolean seekToNewest(RecordMatcher match);

    /**
     * Whether every record appended before this call was delivered: a replica reading a topic at start
     * polls until this holds, to know it has read what the topic held (a poll that finds nothing may
     * only mean that Kafka's fetch has not returned yet). Moves nothing; may wait for the broker.
     */
    boolean caughtUp();

    /** Moves to the first record of the topic. */
    void seekToStart();

    /** Moves past the last record now in the topic: only records appended later are delivered. */
    void seekToEnd();

    /** Persists this named tailer's progress (up to the last delivered record). */
    void commit();

    @Override
    void close();
}
