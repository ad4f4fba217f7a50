package dev.funnel.features.feedback;

/**
 * Where accepted feedback goes: the learning loop's stream (implemented by the streams module),
 * or {@link BufferedFeedbackSink} until it exists. Called on the server's event loops: must not
 * block, and says "full" by returning false rather than throwing.
 */
public interface FeedbackSink {

    /**
     * Hands over one event. Any thread.
     *
     * @return false when the sink is full and dropped the event (the caller counts it)
     */
    boolean offer(FeedbackEvent event);
}
