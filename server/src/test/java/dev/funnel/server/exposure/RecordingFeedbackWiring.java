package dev.funnel.server.exposure;

import dev.funnel.features.feedback.FeedbackEvent;
import dev.funnel.features.feedback.FeedbackSink;
import dev.funnel.server.wiring.FeatureWiring;
import dev.funnel.server.wiring.WiringContext;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Runs after every discovered wiring and wraps whatever {@link FeedbackSink} they registered (the
 * learning loop's stream, or the in-memory buffer) so a test can see what the endpoint handed over;
 * events still reach the wrapped sink.
 */
final class RecordingFeedbackWiring implements FeatureWiring {

    /** Every event offered to the sink, in order. */
    static final Queue<FeedbackEvent> OFFERED = new ConcurrentLinkedQueue<>();

    @Override
    public void wire(WiringContext ctx) {
        FeedbackSink inner = ctx.env().require(FeedbackSink.class);
        ctx.env().register(FeedbackSink.class, e -> {
            OFFERED.add(e);
            return inner.offer(e);
        });
    }
}
