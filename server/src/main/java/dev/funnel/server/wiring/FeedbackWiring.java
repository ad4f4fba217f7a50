package dev.funnel.server.wiring;

import dev.funnel.features.feedback.BufferedFeedbackSink;
import dev.funnel.features.feedback.FeedbackSink;
import io.micrometer.core.instrument.Gauge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where {@code POST /v1/feedback} puts accepted events: the {@link FeedbackSink} the learning loop's
 * wiring registered (its stream), or, when none did, a bounded in-memory
 * {@link BufferedFeedbackSink} ({@code feedback.buffer_capacity}, default
 * {@value BufferedFeedbackSink#DEFAULT_CAPACITY}) so the endpoint works before the stream exists.
 * Runs after the stores and streams (order 250).
 */
public final class FeedbackWiring implements FeatureWiring {

    private static final Logger LOG = LoggerFactory.getLogger(FeedbackWiring.class);

    @Override
    public int order() {
        return 250;
    }

    @Override
    public void wire(WiringContext ctx) {
        if (ctx.env().find(FeedbackSink.class).isPresent()) {
            return;
        }
        String raw = ctx.config().get("feedback.buffer_capacity", Integer.toString(BufferedFeedbackSink.DEFAULT_CAPACITY));
        int capacity;
        try {
            capacity = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("feedback.buffer_capacity must be a whole number, got '" + raw + "'", e);
        }
        BufferedFeedbackSink sink = new BufferedFeedbackSink(capacity);
        ctx.env().register(FeedbackSink.class, sink).register(BufferedFeedbackSink.class, sink);
        Gauge.builder("funnel.feedback.buffered", sink, BufferedFeedbackSink::size)
                .description("feedback events held in memory until the learning loop's stream takes them")
                .register(ctx.meterRegistry());
        LOG.warn("no feedback stream wired: feedback is kept in a bounded in-memory buffer of {} events", capacity);
    }
}
