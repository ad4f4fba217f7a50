package dev.funnel.trainer.apply;

import dev.funnel.streams.IdleBackoff;
import dev.funnel.streams.StreamTailer;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.schema.ModelDelta;

import java.nio.ByteBuffer;
import java.util.function.ObjLongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tails the delta topic on its own thread and feeds a {@link DeltaApplier}. A replica keeps its tables
 * in memory, so on start it reads the topic from the model's newest base (every row and the dense
 * snapshot; see {@code Trainer}), or from the beginning when there is none, and the applier's version
 * check makes the replay exact (each version once, in order).
 */
public final class DeltaConsumer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeltaConsumer.class.getName());

    private final DeltaApplier applier;
    private final StreamTailer tailer;
    private final long minIdleParkNanos;
    private final long maxIdleParkNanos;
    private volatile ObjLongConsumer<DeltaApplier.Outcome> listener = (o, v) -> { };
    private volatile boolean running;
    private final boolean startedAtBase;
    private final boolean emptyAtStart;
    private Thread thread;

    /**
     * @param consumerName  this replica's tailer name, e.g. {@code replica-1}
     * @param idleParkNanos how long to park when no delta is waiting (latency vs. idle CPU), every time; 0 busy-polls
     */
    public DeltaConsumer(Transport transport, String consumerName, DeltaApplier applier, long idleParkNanos) {
        this(transport, consumerName, applier, idleParkNanos, idleParkNanos);
    }

    /**
     * @param consumerName     this replica's tailer name, e.g. {@code replica-1}
     * @param minIdleParkNanos the park after the first empty poll; 0 busy-polls
     * @param maxIdleParkNanos the longest park while no delta comes (doubling from the min; see {@link IdleBackoff})
     */
    public DeltaConsumer(Transport transport, String consumerName, DeltaApplier applier, long minIdleParkNanos, long maxIdleParkNanos) {
        this(transport, consumerName, applier, minIdleParkNanos, maxIdleParkNanos, Long.MAX_VALUE);
    }

    /**
     * @param consumerName     this replica's tailer name, e.g. {@code replica-1}
     * @param minIdleParkNanos the park after the first empty poll; 0 busy-polls
     * @param maxIdleParkNanos the longest park while no delta comes (doubling from the min; see {@link IdleBackoff})
     * @param startAtMost      start at the newest base whose version is at most this (a rollback pinned to
     *                         that version must be replayed to be restored); {@link Long#MAX_VALUE}: the newest
     */
    public DeltaConsumer(Transport transport, String consumerName, DeltaApplier applier, long minIdleParkNanos, long maxIdleParkNanos,
                         long startAtMost) {
        if (minIdleParkNanos < 0 || maxIdleParkNanos < minIdleParkNanos) {
            throw new IllegalArgumentException("delta consumer idle parks need 0 <= min <= max, got " + minIdleParkNanos + " and " + maxIdleParkNanos);
        }
        this.applier = applier;
        this.minIdleParkNanos = minIdleParkNanos;
        this.maxIdleParkNanos = maxIdleParkNanos;
        this.tailer = transport.tailer(Topics.MODEL_DELTAS, consumerName);
        this.startedAtBase = tailer.seekToNewest(ModelDelta.baseOf(applier.modelName(), startAtMost));
        // At the start now: caught up means there is nothing to replay (a new cluster), not that a base was deleted.
        this.emptyAtStart = !startedAtBase && tailer.caughtUp();
        if (!startedAtBase) {
            LOG.info("delta consumer " + consumerName + ": no base of " + applier.modelName()
                    + (startAtMost == Long.MAX_VALUE ? "" : " at or before v" + startAtMost) + " in " + Topics.MODEL_DELTAS
                    + "; replaying it from the start");
        }
    }

    /** Whether the replay starts at a base of the model (false: from the topic's start). Any thread. */
    public boolean startedAtBase() {
        return startedAtBase;
    }

    /**
     * Whether the topic held no record when this consumer was made (without a base): a new cluster, whose trainer
     * has published nothing yet. Any thread.
     */
    public boolean emptyAtStart() {
        return emptyAtStart;
    }

    /** Called after each delta with its outcome and the applier's version (benchmarks, metrics). */
    public void onOutcome(ObjLongConsumer<DeltaApplier.Outcome> l) {
        this.listener = l;
    }

    public DeltaApplier applier() {
        return applier;
    }

    /** Applies what is waiting now, on the caller's thread; returns how many deltas were read. */
    public int pollOnce() {
        return tailer.poll(this::onRecord, 64);
    }

    private void onRecord(long pos, ByteBuffer buf) {
        DeltaApplier.Outcome o = applier.apply(buf);
        listener.accept(o, applier.appliedVersion());
    }

    /** Starts the consumer thread. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(() -> {
            IdleBackoff backoff = minIdleParkNanos == 0 ? null : new IdleBackoff(minIdleParkNanos, maxIdleParkNanos);
            while (running) {
                try {
                    if (pollOnce() > 0) {
                        if (backoff != null) {
                            backoff.reset();
                        }
                    } else if (backoff != null) {
                        backoff.idle();
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "delta consumer for " + applier.modelName() + " failed; stopping", e);
                    running = false;
                }
            }
        }, "delta-consumer-" + applier.modelName());
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        running = false;
        Thread t = thread;
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        tailer.close();
    }
}
