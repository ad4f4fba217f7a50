package dev.funnel.server.learning;

import dev.funnel.features.feedback.FeedbackSink;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemStore;
import dev.funnel.server.wiring.FeatureWiring;
import dev.funnel.server.wiring.WiringContext;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import dev.funnel.streams.kafka.KafkaTransport;
import dev.funnel.trainer.log.LoopWriter;
import dev.funnel.trainer.log.StreamFeedbackSink;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The learning loop's serving side (order 200: after the catalog, before {@code FeedbackWiring}, which keeps
 * the sink registered here). Config keys:
 * <ul>
 *   <li>{@code streams.transport}: {@code chronicle} (default), {@code kafka} or {@code off};</li>
 *   <li>{@code streams.dir}: Chronicle directory (default {@code data/streams});</li>
 *   <li>{@code streams.kafka.bootstrap}, {@code streams.kafka.prefix} (default {@code funnel.}),
 *       {@code streams.kafka.replication} (default 1);</li>
 *   <li>{@code streams.replica}: this replica's consumer name (default {@code replica-1}).</li>
 * </ul>
 * Registers a {@link Transport}, a {@link LoopWriter} and a {@link FeedbackSink} onto the stream in
 * the operator environment, adds the impression-log response hook, and, when an {@link ItemIndex} is
 * registered, applies item updates from the stream.
 */
public final class LearningLoopWiring implements FeatureWiring {

    private static final Logger LOG = Logger.getLogger(LearningLoopWiring.class.getName());

    @Override
    public int order() {
        return 200;
    }

    @Override
    public void wire(WiringContext ctx) {
        String kind = ctx.config().get("streams.transport", "chronicle");
        Transport transport;
        switch (kind) {
            case "off":
                LOG.info("learning loop off (streams.transport=off)");
                return;
            case "chronicle":
                transport = new ChronicleTransport(Path.of(ctx.config().get("streams.dir", "data/streams")));
                break;
            case "kafka":
                transport = new KafkaTransport(ctx.config().get("streams.kafka.bootstrap", null),
                        ctx.config().get("streams.kafka.prefix", "funnel."),
                        parseInt(ctx.config().get("streams.kafka.replication", "1"), "streams.kafka.replication"));
                break;
            default:
                throw new IllegalArgumentException("streams.transport must be chronicle, kafka or off, got '" + kind + "'");
        }
        ctx.onClose(transport);
        String replica = ctx.config().get("streams.replica", "replica-1");
        LoopWriter writer = new LoopWriter(transport, LoopWriter.DEFAULT_CAPACITY);
        ctx.onClose(writer);
        ctx.env().register(Transport.class, transport);
        ctx.env().register(LoopWriter.class, writer);
        ctx.env().register(FeedbackSink.class, new StreamFeedbackSink(writer));
        ImpressionLogHook hook = new ImpressionLogHook(writer, ctx.env().find(ItemStore.class).orElse(null),
                ctx.config().get("learning.model", "ctr"));
        ctx.responseHooks().add(hook);

        MeterRegistry m = ctx.meterRegistry();
        FunctionCounter.builder("funnel_loop_events_written_total", writer, LoopWriter::written)
                .description("impressions, feedback and item updates appended to the stream").register(m);
        FunctionCounter.builder("funnel_loop_events_dropped_total", writer, LoopWriter::dropped)
                .description("events dropped because the loop writer's queue was full").register(m);
        FunctionCounter.builder("funnel_loop_impressions_without_features_total", hook, ImpressionLogHook::withoutFeatures)
                .description("responses not logged because no ranker features were attached").register(m);

        ctx.env().find(ItemIndex.class).ifPresent(index -> {
            ItemUpdateConsumer items = new ItemUpdateConsumer(transport, replica + "-items", index);
            ctx.onClose(items);
            FunctionCounter.builder("funnel_item_updates_applied_total", items, ItemUpdateConsumer::applied).register(m);
            FunctionCounter.builder("funnel_item_updates_rejected_total", items, ItemUpdateConsumer::rejected).register(m);
        });
        LOG.info("learning loop wired on " + transport);
    }

    private static int parseInt(String s, String key) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + s + "'");
        }
    }
}
