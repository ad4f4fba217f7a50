package dev.funnel.trainer.apply;

import dev.funnel.streams.StreamTailer;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ObjLongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tails the delta topic on its own thread and feeds a {@link DeltaApplier}. A replica keeps its tables
 * in memory, so on start it reads the topic from the beginning and the applier's version check makes
 * the replay exact (each version once, in order).
 */
public final class DeltaConsumer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeltaConsumer.class.getName());

    private final DeltaApplier applier;
    private final StreamTailer tailer;
    private final long idleParkNanos;
    private volatile ObjLongConsumer<DeltaApplier.Outcome> listener = (o, v) -> { };
    private volatile boolean running;
    private Thread thread;

    /**
     * @param consumerName  this replica's tailer name, e.g. {@code replica-1}
     * @param idleParkNanos how long to park when no delta is waiting (latency vs. idle CPU)
     */
    public DeltaConsumer(Transport transport, String consumerName, DeltaApplier applier, long idleParkNanos) {
        if (idleParkNanos < 0) {
            throw new IllegalArgumentException("idleParkNanos must be >= 0, got " + idleParkNanos);
        }
        this.applier = applier;
        this.idleParkNanos = idleParkNanos;
        this.tailer = transport.tailer(Topics.MODEL_DELTAS, consumerName);
        this.tailer.seekToStart();
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
            while (running) {
                try {
                    if (pollOnce() == 0) {
                        LockSupport.parkNanos(idleParkNanos);
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
