package dev.funnel.server.learning;

import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemRecord;
import dev.funnel.index.ItemUpdate;
import dev.funnel.streams.IdleBackoff;
import dev.funnel.streams.StreamTailer;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.schema.SchemaException;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Applies item updates from the {@code item-updates} topic to the index, on its own thread. The index
 * is rebuilt in memory at start, so the topic is replayed from its beginning (upserts and deletes are
 * idempotent, so the result is the latest state). A writer of this server ({@link CatalogStream}) can wait
 * for the record it appended to be applied ({@link #awaitApplied}).
 */
final class ItemUpdateConsumer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ItemUpdateConsumer.class.getName());

    private final StreamTailer tailer;
    private final ItemIndex index;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    /** Records appended by this server's writers, completed when applied; a handful at a time. */
    private final Set<Pending> pending = ConcurrentHashMap.newKeySet();
    private final Runnable onCaughtUp;
    /** The consumer's thread only. */
    private boolean caughtUp;

    /**
     * @param onCaughtUp run once, on the consumer's thread, when the replay first finds no more
     *                   records (the index holds the stream's latest state); null for nothing
     */
    ItemUpdateConsumer(Transport transport, String consumerName, ItemIndex index, Runnable onCaughtUp) {
        this.index = index;
        this.onCaughtUp = onCaughtUp;
        this.tailer = transport.tailer(Topics.ITEM_UPDATES, consumerName);
        tailer.seekToStart();
        this.thread = new Thread(this::loop, "item-update-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        IdleBackoff backoff = new IdleBackoff(1_000_000, 20_000_000); // an item change may wait up to 20 ms
        while (running) {
            if (tailer.poll(this::onRecord, 256) == 0) {
                if (!caughtUp) {
                    caughtUp = true;
                    if (onCaughtUp != null) {
                        onCaughtUp.run();
                    }
                }
                backoff.idle();
            } else {
                backoff.reset();
            }
        }
    }

    /** A future completed once a record with exactly these bytes is applied (or refused); {@link #forget} it after. Any thread. */
    CompletableFuture<Void> awaitApplied(byte[] record) {
        Pending p = new Pending(ByteBuffer.wrap(record), new CompletableFuture<>());
        pending.add(p);
        return p.applied;
    }

    /** Stops watching for the record of {@code applied}. Any thread. */
    void forget(CompletableFuture<Void> applied) {
        pending.removeIf(p -> p.applied == applied);
    }

    /** Identity-equal: two writers may append identical records, each waits for its own. */
    private static final class Pending {
        final ByteBuffer record;
        final CompletableFuture<Void> applied;

        Pending(ByteBuffer record, CompletableFuture<Void> applied) {
            this.record = record;
            this.applied = applied;
        }
    }

    private void onRecord(long pos, ByteBuffer buf) {
        ByteBuffer record = buf.duplicate();
        try {
            dev.funnel.streams.schema.ItemUpdate u = dev.funnel.streams.schema.ItemUpdate.decode(buf);
            if (u.op() == dev.funnel.streams.schema.ItemUpdate.Op.DELETE) {
                index.apply(ItemUpdate.delete(u.itemId()));
            } else {
                index.apply(ItemUpdate.upsert(new ItemRecord(u.itemId(), u.category(), u.author(), u.tags(),
                        u.online() ? ItemRecord.ONLINE : ItemRecord.OFFLINE, u.createdAtMillis(), u.popularity(),
                        u.embedding().length == 0 ? null : u.embedding(), u.attributes())));
            }
            applied.incrementAndGet();
            complete(record, null);
        } catch (SchemaException | IllegalArgumentException e) {
            if (rejected.incrementAndGet() == 1) {
                LOG.log(Level.WARNING, "item update at " + pos + " rejected (further ones are only counted)", e);
            }
            complete(record, e);
        }
    }

    private void complete(ByteBuffer record, RuntimeException refused) {
        if (pending.isEmpty()) {
            return;
        }
        for (Pending p : pending) {
            if (p.record.equals(record)) {
                if (refused == null) {
                    p.applied.complete(null);
                } else {
                    p.applied.completeExceptionally(refused);
                }
            }
        }
    }

    long applied() {
        return applied.get(); // an atomic read: never blocks
    }

    long rejected() {
        return rejected.get(); // an atomic read: never blocks
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tailer.close();
    }
}
