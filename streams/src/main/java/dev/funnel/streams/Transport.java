package dev.funnel.streams;

import java.util.OptionalLong;

/**
 * Append-only topics of opaque binary records, shared by serving replicas and the trainer.
 *
 * <p>Contract (checked by one contract test for every implementation):
 * <ul>
 *   <li>records of a topic are delivered in append order, each with a position that strictly
 *       increases along the topic;</li>
 *   <li>records appended by one thread keep their order; appenders on many threads may interleave;</li>
 *   <li>a tailer with a name resumes, after a restart of the transport, no earlier than its last
 *       {@link StreamTailer#commit() commit} (implementations may also persist progress on read);</li>
 *   <li>a tailer can be moved to the start, to the end, or to just after a position it returned.</li>
 * </ul>
 * Thread-safe: appenders and tailers may be created from any thread.
 */
public interface Transport extends AutoCloseable {

    /** An appender for a topic, creating the topic if needed. The appender is thread-safe. */
    StreamAppender appender(String topic);

    /**
     * A tailer for a topic. A named tailer resumes from its persisted progress; a new name starts at
     * the beginning of the topic. The tailer is used by one thread at a time.
     *
     * @param topic topic name (see {@link Topics})
     * @param name  consumer name, e.g. {@code trainer} or {@code serving-replica-1}
     */
    StreamTailer tailer(String topic, String name);

    /**
     * How long {@code topic}'s records are kept before they may be deleted by age (a trainer checks that the
     * delta topic keeps its newest base); empty when they are not deleted by age. Opens the topic; may block
     * on the transport's cluster: call it at start, never on an event loop.
     */
    default OptionalLong expiryMillis(String topic) {
        return OptionalLong.empty();
    }

    /** Closes the transport and every appender and tailer it made. */
    @Override
    void close();
}
