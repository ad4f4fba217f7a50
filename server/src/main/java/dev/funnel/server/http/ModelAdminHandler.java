package dev.funnel.server.http;

import dev.funnel.model.registry.ModelInfo;
import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.PinControl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * The model part of the admin API (mounted after {@link AdminHandler}, whose {@code /admin/*}
 * route checks the token first):
 * <ul>
 *   <li>{@code GET /admin/models}: every model, its live version, when it went live, the
 *       versions a rollback can return to, whether it is pinned, and what unpin would make live;</li>
 *   <li>{@code POST /admin/models/:name/rollback}: makes the previous version live again and pins it,
 *       so newer versions (the trainer's dense snapshots) are loaded and kept but do not go live
 *       (404 for an unknown model, 409 when there is no previous version);</li>
 *   <li>{@code POST /admin/models/:name/unpin}: ends the pin, making the newest version kept meanwhile
 *       live (404 for an unknown model, 409 when it is not pinned).</li>
 * </ul>
 * With streams, rollback and unpin apply to every replica reading them: they are published on the
 * {@code model-control} topic and answered once this replica applied them (see the learning loop's
 * {@code ClusterPinControl}): 503 {@code control_unavailable} with {@code Retry-After} when the stream did not take
 * the decision (applied nowhere; make it again), 504 {@code control_not_applied} when it was published but this
 * replica did not apply it in time (every replica applies it when it reads it; do not repeat it). Without streams,
 * to this replica only. Either way the session loads off the
 * event loop and the answer is written back on the request's context, so the event loop never waits.
 */
final class ModelAdminHandler {

    /** A 503 {@code control_unavailable}'s {@code Retry-After}: the stream's delivery timeout, about. */
    private static final String RETRY_AFTER_SECONDS = "5";

    private final Vertx vertx;
    private final Optional<ModelRuntime> runtime;
    /** This replica's runtime alone, or the whole cluster through the streams (see the learning loop's wiring). */
    private final Optional<PinControl> pins;

    ModelAdminHandler(Vertx vertx, ServerDeps deps) {
        this.vertx = vertx;
        this.runtime = deps.env() == null ? Optional.empty() : deps.env().find(ModelRuntime.class);
        this.pins = deps.env() == null ? Optional.empty()
                : deps.env().find(PinControl.class).or(() -> runtime.map(PinControl.class::cast));
    }

    void mount(Router router) {
        router.get("/admin/models").handler(this::list);
        router.post("/admin/models/:name/rollback").handler(rc -> swap(rc, "rollback", "no_previous_version"));
        router.post("/admin/models/:name/unpin").handler(rc -> swap(rc, "unpin", "not_pinned"));
    }

    private void list(RoutingContext rc) {
        Json.send(rc.request(), 200, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("models");
            if (runtime.isPresent()) {
                for (ModelInfo m : runtime.get().models()) {
                    g.writeStartObject();
                    g.writeStringField("name", m.name());
                    g.writeStringField("live_version", m.liveVersion());
                    g.writeNumberField("live_since_ms", m.liveSinceMillis());
                    g.writeArrayFieldStart("previous");
                    for (String v : m.previous()) {
                        g.writeString(v);
                    }
                    g.writeEndArray();
                    g.writeBooleanField("pinned", m.pinned());
                    g.writeStringField("pinned_version", m.pinnedVersion());
                    g.writeStringField("unpin_version", m.unpinVersion());
                    if (m.awaitedPin() != null) {
                        // A pin (restored at start, or made on another replica) whose version is not loaded here: say so, not only in the log.
                        g.writeStringField("pin_problem", "pinned to '" + m.awaitedPin() + "' (before a restart, or by a rollback"
                                + " on another replica), but '" + m.awaitedPin() + "' is not loaded here: '" + m.liveVersion()
                                + "' serves until it is loaded"
                                + " (replayed from the delta stream); if the stream no longer holds it, POST /admin/models/"
                                + m.name() + "/unpin drops the pin");
                    }
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** A rollback or an unpin: both swap the live version on the loader and answer with it. */
    private void swap(RoutingContext rc, String what, String conflictCode) {
        String name = rc.pathParam("name");
        if (pins.isEmpty()) {
            Json.sendError(rc.request(), 404, "no_models", "this server has no model runtime wired", "name");
            return;
        }
        java.util.concurrent.CompletableFuture<String> done;
        try {
            done = what.equals("rollback") ? pins.get().rollback(name) : pins.get().unpin(name);
        } catch (IllegalArgumentException unknown) { // the registry checks the name before going async
            Json.sendError(rc.request(), 404, "unknown_model", unknown.getMessage(), "name");
            return;
        }
        Future.fromCompletionStage(done, vertx.getOrCreateContext()).onComplete(ar -> {
            if (ar.succeeded()) {
                Json.send(rc.request(), 200, g -> {
                    g.writeStartObject();
                    g.writeStringField("model", name);
                    g.writeStringField("version", ar.result());
                    g.writeBooleanField("live", true);
                    g.writeBooleanField("pinned", what.equals("rollback"));
                    g.writeEndObject();
                });
                return;
            }
            Throwable cause = ar.cause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : ar.cause();
            if (cause instanceof PinControl.ControlUnavailableException) {
                // Applied nowhere: the same call may be made again once the stream is back.
                rc.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
                Json.sendError(rc.request(), 503, "control_unavailable", cause.getMessage(), null);
            } else if (cause instanceof java.util.concurrent.TimeoutException) {
                // Published, so every replica applies it once its consumer reads it: repeating it would be a second decision.
                Json.sendError(rc.request(), 504, "control_not_applied", cause.getMessage(), null);
            } else if (cause instanceof ModelRuntime.PinNotSavedException) {
                Json.sendError(rc.request(), 500, "pin_not_saved", cause.getMessage(), null);
            } else if (cause instanceof IllegalArgumentException) {
                Json.sendError(rc.request(), 404, "unknown_model", cause.getMessage(), "name");
            } else if (cause instanceof IllegalStateException) {
                Json.sendError(rc.request(), 409, conflictCode, cause.getMessage(), "name");
            } else {
                Json.sendError(rc.request(), 500, "internal", what + " of model '" + name + "' failed: " + cause, null);
            }
        });
    }
}
