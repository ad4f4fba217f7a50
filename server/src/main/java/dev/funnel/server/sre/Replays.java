package dev.funnel.server.sre;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.exec.Degradation;
import dev.funnel.engine.explain.Explainer;
import dev.funnel.server.serving.RecentRequests;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How explain describes the replay of a served request ({@code request_id}): what was recorded, when
 * and by what it was served, and that the replay runs against the state now, so it may not give what
 * was served. Stateless; any thread.
 */
final class Replays {

    private Replays() {
    }

    /**
     * The budget to replay with when the caller gives no {@code deadline_ms}: the request's own
     * {@code timeout_ms} where it shrank the DAG's deadline (as serving does), else 0 (the DAG's).
     */
    static int deadlineMs(RecentRequests.Served served, CompiledDag dag) {
        long dagMs = dag.deadlineNanos() / 1_000_000L;
        return served.timeoutMs() > 0 && served.timeoutMs() < dagMs ? served.timeoutMs() : 0;
    }

    /** The 404 message for a request id that is not kept. */
    static String notKept(String requestId, RecentRequests recent) {
        String instead = "; to look into it anyway, explain by hand with its user_id, scene and context";
        if (!recent.enabled()) {
            return "cannot replay request '" + requestId + "': this server keeps no served requests ("
                    + RecentRequests.CAPACITY_KEY + " is 0)" + instead;
        }
        return "no served request '" + requestId + "' is kept here: a replica keeps only the last " + recent.capacity()
                + " requests it served itself (" + RecentRequests.CAPACITY_KEY + "), so it is older than that, was served"
                + " by another replica or before a restart, or was not answered 200" + instead;
    }

    /** Why the replay may differ from what was served: said with every replay. */
    static String note(RecentRequests.Served served, CompiledDag dag) {
        String dagNow = served.dagVersion().equals(dag.version()) ? ""
                : " The request was served by " + served.dagVersion() + "; the replay ran " + dag.version() + ".";
        return "Replayed with the recorded inputs against this server's state now, not as it was when served: live DAGs"
                + " and routes, models, the catalog, the user's profile and exposure may have changed since (the items"
                + " this request served are now in the user's exposure history, so an exposure filter may drop them),"
                + " so the result may differ from what was served." + dagNow;
    }

    /** {@code replayed} in the JSON answer. */
    static Map<String, Object> json(RecentRequests.Served served, CompiledDag dag, Explainer.Request request, long nowMillis) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("request_id", served.requestId());
        m.put("served_at", Instant.ofEpochMilli(served.servedAtMillis()).toString());
        m.put("served_ago_ms", nowMillis - served.servedAtMillis());
        m.put("user_id", served.userId());
        m.put("scene", served.scene());
        m.put("count", served.count());
        m.put("context", served.context());
        m.put("exclude", exclude(served));
        m.put("bucket", served.bucket());
        m.put("timeout_ms", served.timeoutMs() > 0 ? served.timeoutMs() : null);
        Map<String, Object> by = new LinkedHashMap<>();
        by.put("dag", served.dagVersion());
        by.put("route", served.route());
        by.put("models", served.models());
        by.put("degraded", degraded(served));
        m.put("served_by", by);
        m.put("replay_deadline_ms", request.deadlineMs() > 0 ? request.deadlineMs() : dag.deadlineNanos() / 1_000_000L);
        m.put("note", note(served, dag));
        return m;
    }

    /** The lines the terminal rendering starts with (maps with their keys sorted, so they read the same each time). */
    static String header(RecentRequests.Served served, CompiledDag dag, Explainer.Request request, long nowMillis) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "replay of request %s, served %s (%.1f s ago) by %s (route %s), models %s%n",
                served.requestId(), Instant.ofEpochMilli(served.servedAtMillis()), (nowMillis - served.servedAtMillis()) / 1e3,
                served.dagVersion(), served.route(), new JsonObject(new TreeMap<String, Object>(served.models())).encode()));
        sb.append(String.format(Locale.ROOT, "  user=%s scene=%s count=%d context=%s exclude=%s%s%n", served.userId(),
                served.scene(), served.count(), new JsonObject(new TreeMap<>(served.context())).encode(), exclude(served),
                served.timeoutMs() > 0 ? " timeout_ms=" + served.timeoutMs() : ""));
        List<String> degraded = degraded(served);
        if (!degraded.isEmpty()) {
            sb.append("  degraded when served: ").append(String.join("; ", degraded)).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "  replay budget: %d ms%s%n",
                request.deadlineMs() > 0 ? request.deadlineMs() : dag.deadlineNanos() / 1_000_000L,
                request.deadlineMs() > 0 ? "" : " (the DAG's deadline_ms)"));
        sb.append("  note: ").append(note(served, dag)).append("\n\n");
        return sb.toString();
    }

    private static List<Long> exclude(RecentRequests.Served served) {
        List<Long> ids = new ArrayList<>(served.exclude().length);
        for (long id : served.exclude()) {
            ids.add(id);
        }
        return ids;
    }

    private static List<String> degraded(RecentRequests.Served served) {
        List<String> out = new ArrayList<>(served.degraded().size());
        for (Degradation d : served.degraded()) {
            out.add(d.node() + ": " + d.cause().name().toLowerCase(Locale.ROOT) + " → " + d.action()
                    + (d.detail() == null || d.detail().isEmpty() ? "" : " (" + d.detail() + ")"));
        }
        return out;
    }
}
