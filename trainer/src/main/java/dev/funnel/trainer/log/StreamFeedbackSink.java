package dev.funnel.trainer.log;

import dev.funnel.features.feedback.FeedbackEvent;
import dev.funnel.features.feedback.FeedbackSink;
import dev.funnel.streams.schema.Feedback;

/**
 * The server's {@link FeedbackSink} onto the feedback topic, through a {@link LoopWriter}: never
 * blocks, "full" is {@code false}. Events without a request id cannot be joined to an impression and
 * are written with an empty one (the trainer counts them as orphans at once and keeps none of them).
 */
public final class StreamFeedbackSink implements FeedbackSink {

    private final LoopWriter writer;

    public StreamFeedbackSink(LoopWriter writer) {
        this.writer = writer;
    }

    @Override
    public boolean offer(FeedbackEvent e) {
        Feedback f = new Feedback(e.requestId() == null ? "" : e.requestId(), e.userId(), e.itemId(),
                Feedback.Event.valueOf(e.type().name()), e.timestampMillis());
        return writer.offer(f);
    }
}
