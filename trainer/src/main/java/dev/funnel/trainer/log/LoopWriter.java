package dev.funnel.trainer.log;

import dev.funnel.features.FeatureBatch;
import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.IdleBackoff;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.schema.Feedback;
import dev.funnel.streams.schema.ImpressionLog;
import dev.funnel.streams.schema.ItemUpdate;
import org.jctools.queues.MpscArrayQueue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Off-the-critical-path writer of impressions, feedback and item updates. Producers (event loops) call
 * {@link #logImpression} / {@link #offer}: a bounded lock-free enqueue that returns false when full
 * (counted as dropped). One writer thread encodes and appends to the transport.
 */
public final class LoopWriter implements AutoCloseable {

    /** Default queue capacity. */
    public static final int DEFAULT_CAPACITY = 65_536;

    private static final Logger LOG = Logger.getLogger(LoopWriter.class.getName());

    private final MpscArrayQueue<Object> queue;
    private final StreamAppender impressions;
    private final StreamAppender feedback;
    private final StreamAppender items;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    public LoopWriter(Transport transport, int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("loop writer capacity must be >= 2, got " + capacity);
        }
        this.queue = new MpscArrayQueue<>(capacity);
        this.impressions = transport.appender(Topics.IMPRESSIONS);
        this.feedback = transport.appender(Topics.FEEDBACK);
        this.items = transport.appender(Topics.ITEM_UPDATES);
        this.thread = new Thread(this::drainLoop, "loop-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Logs what one response served: for each served item, its row of the ranker's feature batch.
     * Any thread; never blocks. Items not in the batch (not ranked) are logged without features.
     *
     * @return false when the queue is full (the impression is dropped and counted)
     */
    public boolean logImpression(String requestId, String userId, String scene, String modelName, long modelVersion,
                                 FeatureBatch batch, float[][] itemEmbeddings, long[] servedIds, float[] scores, long timestampMillis) {
        return offer(new PendingImpression(requestId, userId, scene, modelName, modelVersion, batch, itemEmbeddings,
                servedIds.clone(), scores.clone(), timestampMillis));
    }

    /** Enqueues a {@link Feedback}, {@link ItemUpdate} or {@link ImpressionLog}; false when full. Any thread. */
    public boolean offer(Object event) {
        if (!queue.offer(event)) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    private void drainLoop() {
        List<Object> batch = new ArrayList<>(256);
        // Logging tolerates a few ms of delay; waking every 100 µs while idle cost ~10% of a core.
        IdleBackoff backoff = new IdleBackoff(100_000, 5_000_000);
        while (running || !queue.isEmpty()) {
            batch.clear();
            queue.drain(batch::add, 256);
            if (batch.isEmpty()) {
                backoff.idle();
                continue;
            }
            backoff.reset();
            for (Object e : batch) {
                try {
                    write(e);
                    written.incrementAndGet();
                } catch (RuntimeException ex) {
                    if (failed.incrementAndGet() == 1) {
                        LOG.log(Level.WARNING, "loop writer: cannot append " + e.getClass().getSimpleName()
                                + " (further failures are only counted)", ex);
                    }
                }
            }
        }
    }

    private void write(Object e) {
        if (e instanceof PendingImpression p) {
            impressions.append(p.toLog().encode());
        } else if (e instanceof ImpressionLog l) {
            impressions.append(l.encode());
        } else if (e instanceof Feedback f) {
            feedback.append(f.encode());
        } else if (e instanceof ItemUpdate u) {
            byte[] enc = u.encode();
            items.append(u.itemId(), enc, 0, enc.length); // keyed: Kafka compacts item-updates to each item's newest
        } else {
            throw new IllegalArgumentException("not a loop event: " + e);
        }
    }

    /** Events dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    public long written() {
        return written.get();
    }

    /** Events the transport refused. */
    public long failed() {
        return failed.get();
    }

    /** Stops after writing what is queued. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        impressions.flush();
        feedback.flush();
        items.flush();
    }

    /** Built on the writer thread, so the event loop only copies two small arrays. */
    private record PendingImpression(String requestId, String userId, String scene, String modelName, long modelVersion,
                                     FeatureBatch batch, float[][] itemEmbeddings, long[] servedIds, float[] scores, long ts) {
        ImpressionLog toLog() {
            List<ImpressionLog.Served> served = new ArrayList<>(servedIds.length);
            int fc = batch == null ? 0 : batch.fieldCount();
            int wc = batch == null ? 0 : batch.wideCount();
            int dc = batch == null ? 0 : batch.denseCount();
            for (int pos = 0; pos < servedIds.length; pos++) {
                long id = servedIds[pos];
                int row = batch == null ? -1 : batch.rowOf(id);
                float[] emb = itemEmbeddings == null || itemEmbeddings[pos] == null ? null : itemEmbeddings[pos];
                if (row < 0) {
                    served.add(new ImpressionLog.Served(id, pos, scores[pos], null, null, null, emb));
                } else {
                    served.add(new ImpressionLog.Served(id, pos, scores[pos],
                            Arrays.copyOfRange(batch.fieldIdArray(), row * fc, row * fc + fc),
                            Arrays.copyOfRange(batch.wideIdArray(), row * wc, row * wc + wc),
                            Arrays.copyOfRange(batch.denseArray(), row * dc, row * dc + dc), emb));
                }
            }
            return new ImpressionLog(requestId, userId, scene, modelName, modelVersion, batch == null ? "" : batch.schemaVersion(),
                    ts, batch == null ? null : batch.userEmbedding(), served);
        }
    }
}
