package dev.funnel.server.learning;

import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.streams.IdleBackoff;
import dev.funnel.streams.StreamTailer;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.schema.ModelControl;
import dev.funnel.streams.schema.SchemaException;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Applies the cluster's rollbacks and unpins from the {@code model-control} topic to this replica's
 * {@link ModelRuntime} ({@link ModelRuntime#pinTo}, {@link ModelRuntime#release}, each saving the pin
 * file), whichever replica's admin API made them, this one included. At start {@link #catchUp} reads
 * the whole topic and applies each model's last decision, before the delta stream is replayed (a pin
 * decides where that replay starts); then {@link #start} tails it on its own thread, in order. A record
 * that does not decode, or names a model this replica does not define, is counted and skipped; one
 * whose application fails is counted and logged; neither stops the consumer.
 *
 * <p>Threads: the constructor, {@link #catchUp} and {@link #start} on the wiring thread, once each;
 * {@link #expect} and the counters on any thread. Never an event loop (the pins are loaded and saved here).
 */
final class ModelControlConsumer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelControlConsumer.class.getName());
    /** A pin reloads a kept version (ONNX parse, warm-up) and writes the pin file: seconds at most. */
    static final long APPLY_TIMEOUT_SECONDS = 60;
    /** How long {@link #catchUp} may take to read the topic (Kafka fetches). */
    private static final long CATCH_UP_TIMEOUT_SECONDS = 60;

    private final StreamTailer tailer;
    private final ModelRuntime runtime;
    /** This replica's admin calls waiting for their own record, by request id. */
    private final Map<String, CompletableFuture<String>> waiting = new ConcurrentHashMap<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean running;
    private Thread thread;

    ModelControlConsumer(Transport transport, String consumerName, ModelRuntime runtime) {
        this.runtime = runtime;
        this.tailer = transport.tailer(Topics.MODEL_CONTROL, consumerName);
        tailer.seekToStart(); // the pins are state rebuilt at each start, like the catalog
    }

    /**
     * Reads every record the topic holds and applies each model's last one, on the caller's thread.
     * A model the topic does not mention keeps the pin restored from the pin file, if any.
     *
     * @return the decisions applied, by model
     * @throws IllegalStateException when the topic cannot be read to its end within a minute
     */
    Map<String, ModelControl> catchUp() {
        Map<String, ModelControl> last = new TreeMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CATCH_UP_TIMEOUT_SECONDS);
        while (!tailer.caughtUp()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("cannot read " + Topics.MODEL_CONTROL + " to its end within "
                        + CATCH_UP_TIMEOUT_SECONDS + " s: the cluster's model pins are unknown");
            }
            tailer.poll((pos, buf) -> {
                ModelControl c = decode(pos, buf);
                if (c != null) {
                    last.put(c.modelName(), c);
                }
            }, 256);
        }
        last.values().forEach(this::apply);
        if (!last.isEmpty()) {
            LOG.info("model pins from " + Topics.MODEL_CONTROL + ": " + last.values().stream()
                    .map(c -> c.modelName() + (c.op() == ModelControl.Op.PIN ? " pinned to " + c.version() : " unpinned")
                            + " by " + c.issuer()).toList());
        }
        return last;
    }

    /** Starts tailing the topic on its own thread. */
    synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "model-control-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The outcome of this replica's own record {@code requestId}, once this consumer applied it: call
     * before appending the record; {@link #forget} when no longer waiting.
     */
    CompletableFuture<String> expect(String requestId) {
        CompletableFuture<String> f = new CompletableFuture<>();
        waiting.put(requestId, f);
        return f;
    }

    /** Stops waiting for {@code requestId} (answered, timed out or never appended). */
    void forget(String requestId) {
        waiting.remove(requestId);
    }

    /** Records applied. */
    long applied() {
        return applied.get(); // an atomic read: never blocks
    }

    /** Records skipped: undecodable, or for a model not defined here. */
    long rejected() {
        return rejected.get(); // an atomic read: never blocks
    }

    /** Records whose application failed (a kept version that no longer loads, a pin file not saved). */
    long failed() {
        return failed.get(); // an atomic read: never blocks
    }

    private void loop() {
        // A rollback reaches every replica within about a second: an idle consumer wakes every 100 ms.
        IdleBackoff backoff = new IdleBackoff(1_000_000, 100_000_000);
        while (running) {
            try {
                if (tailer.poll(this::onRecord, 64) > 0) {
                    backoff.reset();
                } else {
                    backoff.idle();
                }
            } catch (RuntimeException e) {
                failed.incrementAndGet();
                LOG.log(Level.SEVERE, "model control consumer: reading " + Topics.MODEL_CONTROL + " failed; retrying", e);
                backoff.idle();
            }
        }
    }

    private void onRecord(long pos, ByteBuffer buf) {
        ModelControl c = decode(pos, buf);
        if (c != null) {
            apply(c);
        }
    }

    /** The record, or null (counted, logged) when it does not decode. */
    private ModelControl decode(long pos, ByteBuffer buf) {
        try {
            return ModelControl.decode(buf);
        } catch (SchemaException e) {
            rejected.incrementAndGet();
            LOG.warning("model control record at " + pos + " rejected: " + e.getMessage());
            return null;
        }
    }

    private void apply(ModelControl c) {
        CompletableFuture<String> waiter = waiting.remove(c.requestId());
        String what = c.op() == ModelControl.Op.PIN ? "pin to '" + c.version() + "'" : "unpin";
        if (!runtime.registry().isDefined(c.modelName())) {
            rejected.incrementAndGet();
            LOG.warning("model control: " + what + " of model '" + c.modelName() + "' by " + c.issuer()
                    + " skipped: no such model here");
            if (waiter != null) {
                waiter.completeExceptionally(new IllegalArgumentException("model '" + c.modelName() + "' is not defined"));
            }
            return;
        }
        try {
            String live = (c.op() == ModelControl.Op.PIN ? runtime.pinTo(c.modelName(), c.version(), c.skipThrough())
                    : runtime.release(c.modelName())).get(APPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS); // this consumer's own thread, never an event loop
            applied.incrementAndGet();
            LOG.info("model control: " + what + " of model '" + c.modelName() + "' by " + c.issuer() + " applied; '"
                    + live + "' is live");
            if (waiter != null) {
                waiter.complete(live);
            }
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            failed.incrementAndGet();
            LOG.log(Level.WARNING, "model control: " + what + " of model '" + c.modelName() + "' by " + c.issuer() + " failed", cause);
            if (waiter != null) {
                waiter.completeExceptionally(cause);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed.incrementAndGet();
            if (waiter != null) {
                waiter.completeExceptionally(e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        Thread t;
        synchronized (this) {
            t = thread;
        }
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
