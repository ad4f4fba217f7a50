package dev.funnel.server.learning;

import dev.funnel.index.ItemRecord;
import dev.funnel.index.ItemUpdate;
import dev.funnel.server.serving.CatalogWriter;
import dev.funnel.streams.StreamAppender;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The items API's writes through the {@code item-updates} topic: each is appended (keyed by item id, so a
 * compacted topic keeps each item's newest) and answered once this server's {@link ItemUpdateConsumer} has
 * applied it. Every replica thus applies the same changes in the topic's order, a restart replays them, and
 * the writer reads its own write; applying it locally first would let the consumer re-apply an older write
 * of the same item after it. Thread-safe; {@link #write} blocks (worker threads).
 */
final class CatalogStream implements CatalogWriter {

    /**
     * How long a write may wait for the stream and this server's consumer, together: the most an items API write waits
     * for its answer. Kafka settles an item update's delivery within {@code KafkaTransport.ANSWERED_DELIVERY_TIMEOUT_MILLIS},
     * inside it.
     */
    static final long APPLY_TIMEOUT_MILLIS = 10_000;

    private final StreamAppender appender;
    private final ItemUpdateConsumer consumer;

    CatalogStream(StreamAppender appender, ItemUpdateConsumer consumer) {
        this.appender = appender;
        this.consumer = consumer;
    }

    @Override
    public void write(ItemUpdate update) {
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(APPLY_TIMEOUT_MILLIS);
        byte[] record = encode(update, System.currentTimeMillis()).encode();
        CompletableFuture<Void> applied = consumer.awaitApplied(record);
        try {
            // Durable in the stream before the answer, and this record's own outcome: a failure of another
            // write in flight at the same time is that write's 503, not this one's.
            appender.appendAndAwait(update.itemId(), record, 0, record.length);
            // One deadline for the whole write: what the stream took of it is not given again to the consumer.
            applied.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new CatalogUnavailableException("item " + update.itemId() + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new CatalogUnavailableException("item " + update.itemId() + ": appended to the item stream but not applied"
                    + " by this server within " + APPLY_TIMEOUT_MILLIS + " ms (its consumer is behind)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CatalogUnavailableException("item " + update.itemId() + ": interrupted", e);
        } catch (RuntimeException e) {
            throw new CatalogUnavailableException("item " + update.itemId() + ": the item stream refused it: " + e.getMessage(), e);
        } finally {
            consumer.forget(applied);
        }
    }

    /** The stream record of an index update. */
    static dev.funnel.streams.schema.ItemUpdate encode(ItemUpdate update, long nowMillis) {
        if (!(update instanceof ItemUpdate.Upsert u)) {
            return dev.funnel.streams.schema.ItemUpdate.delete(update.itemId(), nowMillis);
        }
        ItemRecord r = u.item();
        return new dev.funnel.streams.schema.ItemUpdate(dev.funnel.streams.schema.ItemUpdate.Op.UPSERT, r.id(), r.category(),
                r.author(), List.copyOf(r.tags()), ItemRecord.ONLINE.equals(r.status()), r.createdAtMillis(), r.popularity(),
                r.embedding(), nowMillis, r.attributes());
    }
}
