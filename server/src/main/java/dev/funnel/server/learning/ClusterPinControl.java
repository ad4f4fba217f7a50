package dev.funnel.server.learning;

import dev.funnel.model.registry.ModelInfo;
import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.PinControl;
import dev.funnel.model.serving.PinControl.ControlUnavailableException;
import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.schema.ModelControl;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The admin API's rollback and unpin for a replica with streams: the decision is checked against this
 * replica's models (a rollback needs a previous version, an unpin a pin), published on
 * {@code model-control} as a {@link ModelControl} naming the version, and applied by every replica's
 * {@link ModelControlConsumer}, this one's included; the answer comes once this replica applied it.
 * Applying only through the topic keeps every replica's sequence of decisions the same, this one's
 * too: a rollback applied here first and read back later could undo an unpin made in between.
 *
 * <p>Each model's decisions are made one after another, each once the one before it was applied here
 * (or failed): a decision reads this replica's models, so two rollbacks made at once would otherwise
 * both pick the same previous version, and the second would pin what the first already had instead of
 * going one further back, as two calls made one after the other do.
 *
 * <p>Threads: any (an event loop): the decision and the append run on this class's own thread, the
 * wait for the previous decision on none (futures chained), so the caller never blocks.
 */
final class ClusterPinControl implements PinControl, AutoCloseable {

    /**
     * How long an admin call waits for this replica to apply its published decision: below the server's default read
     * idle timeout (60 s), which would otherwise close the caller's connection first and the answer would be lost. A
     * pin applies in seconds (a kept version reloads); this is the wait for a consumer that is far behind.
     */
    static final long APPLIED_HERE_TIMEOUT_SECONDS = 45;

    private final ModelRuntime runtime;
    private final ModelControlConsumer consumer;
    private final StreamAppender appender;
    private final String issuer;
    /** One thread: decisions are made and appended in the order the admin calls came. */
    private final ExecutorService publisher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "model-control-publisher");
        t.setDaemon(true);
        return t;
    });
    /** Per model, its newest admin decision here: the next one is made once it is done. Defined models only. */
    private final Map<String, CompletableFuture<String>> lastDecision = new ConcurrentHashMap<>();

    /**
     * @param issuer who decides, for every replica's log: this replica's consumer name
     */
    ClusterPinControl(Transport transport, ModelControlConsumer consumer, ModelRuntime runtime, String issuer) {
        this.runtime = runtime;
        this.consumer = consumer;
        this.issuer = issuer;
        this.appender = transport.appender(Topics.MODEL_CONTROL);
    }

    @Override
    public CompletableFuture<String> rollback(String name) {
        requireDefined(name);
        return decideAndPublish(name, "rollback", () -> {
            ModelInfo m = info(name);
            if (m.previous().isEmpty()) {
                throw new IllegalStateException("model '" + name + "' has no previous version to roll back to");
            }
            // Replicas that receive what this one has received only later drop it as this rollback does here.
            return ModelControl.pin(name, m.previous().get(0), issuer, UUID.randomUUID().toString(), System.currentTimeMillis(),
                    runtime.registry().lastReceived(name));
        });
    }

    @Override
    public CompletableFuture<String> unpin(String name) {
        requireDefined(name);
        return decideAndPublish(name, "unpin", () -> {
            ModelInfo m = info(name);
            if (!m.pinned() && m.awaitedPin() == null) {
                throw new IllegalStateException("model '" + name + "' is not pinned");
            }
            return ModelControl.unpin(name, issuer, UUID.randomUUID().toString(), System.currentTimeMillis());
        });
    }

    /**
     * Decides on the publisher once the model's previous decision here is done (applied, failed or timed out:
     * its outcome is its caller's), then publishes. Any thread; never blocks.
     */
    private CompletableFuture<String> decideAndPublish(String name, String what, Supplier<ModelControl> decide) {
        return lastDecision.compute(name, (n, previous) ->
                (previous == null ? CompletableFuture.<String>completedFuture(null) : previous)
                        .handle((live, e) -> null)
                        .thenComposeAsync(ignored -> publish(decide.get(), what), publisher));
    }

    /**
     * On the publisher: appends {@code c} and returns its outcome here, once this replica's consumer applied it.
     *
     * @param what the admin call, for its caller's messages: {@code rollback} or {@code unpin}
     */
    private CompletableFuture<String> publish(ModelControl c, String what) {
        CompletableFuture<String> applied = consumer.expect(c.requestId());
        byte[] record = c.encode();
        try {
            // This record's own delivery, settled within seconds on Kafka (an answered topic's producer): while the cluster
            // is gone the admin call is answered 503 at once instead of waiting out the stock two-minute delivery timeout
            // (past the connection's idle timeout), and a record given up on is not retried into the topic afterwards, where
            // it would apply a decision its caller was told was not made.
            appender.appendAndAwait(record, 0, record.length);
        } catch (RuntimeException e) {
            consumer.forget(c.requestId());
            throw new ControlUnavailableException("model '" + c.modelName() + "': the " + what + " was not published on "
                    + Topics.MODEL_CONTROL + " (" + (e.getCause() != null ? e.getCause() : e) + "), so no replica applies it, this one included; make it again once the stream is back", e);
        }
        long timeoutSeconds = APPLIED_HERE_TIMEOUT_SECONDS;
        return applied.orTimeout(timeoutSeconds, TimeUnit.SECONDS).handle((live, e) -> {
            consumer.forget(c.requestId());
            if (e == null) {
                return live;
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof TimeoutException) {
                cause = new TimeoutException("model '" + c.modelName() + "': the " + what + " was published on "
                        + Topics.MODEL_CONTROL + " but not applied here within " + timeoutSeconds + " s; every replica applies it when it reads it (or counts it in funnel_model_control_records_total"
                        + "{outcome=\"failed\"} and logs why): do not make it again");
            }
            throw new CompletionException(cause);
        });
    }

    private void requireDefined(String name) {
        if (!runtime.registry().isDefined(name)) {
            throw new IllegalArgumentException("model '" + name + "' is not defined; defined: "
                    + runtime.models().stream().map(ModelInfo::name).toList());
        }
    }

    private ModelInfo info(String name) {
        return runtime.models().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("model '" + name + "' is not defined"));
    }

    @Override
    public void close() {
        publisher.shutdownNow();
    }
}
