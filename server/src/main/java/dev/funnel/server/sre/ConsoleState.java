package dev.funnel.server.sre;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.dag.NodeSpec;
import dev.funnel.engine.route.RouteTable;
import dev.funnel.engine.width.LatencyWindow;
import dev.funnel.engine.width.NodeLatencies;
import dev.funnel.server.reload.ReloadLog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleBiFunction;

/**
 * Assembles the console's one JSON document: scenes and routes, every live DAG as nodes and edges
 * with recent per-node p50/p95/p99, timeout and error rates and width factor, models and their
 * freshness, and hot-reload status. Runs on an admin request, off the request path.
 */
final class ConsoleState {

    private ConsoleState() {
    }

    static Map<String, Object> build(RouteTable table, NodeLatencies stats, ReloadLog reload,
                                     List<ModelStatusSource> models, ToDoubleBiFunction<String, String> widthFactor,
                                     long nowMillis) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("generated_ms", nowMillis);
        out.put("scenes", scenes(table));
        List<Object> dags = new ArrayList<>();
        for (CompiledDag d : table.dags().values()) {
            dags.add(dag(d, stats, widthFactor));
        }
        out.put("dags", dags);
        List<Object> ms = new ArrayList<>();
        for (ModelStatusSource src : models) {
            for (ModelStatusSource.ModelStatus m : src.models()) {
                Map<String, Object> mm = new LinkedHashMap<>();
                mm.put("name", m.name());
                mm.put("version", m.version());
                mm.put("updated_ms", m.updatedAtMillis());
                mm.put("age_seconds", Math.max(0, nowMillis - m.updatedAtMillis()) / 1000.0);
                ms.add(mm);
            }
        }
        out.put("models", ms);
        out.put("reload", reload == null ? Map.of("files", List.of(), "recent", List.of()) : reload.toJson());
        return out;
    }

    private static List<Object> scenes(RouteTable table) {
        List<Object> scenes = new ArrayList<>();
        for (String scene : table.scenes()) {
            List<Object> routes = new ArrayList<>();
            for (RouteTable.Route r : table.routes(scene)) {
                Map<String, Object> rm = new LinkedHashMap<>();
                rm.put("name", r.name());
                rm.put("dag", r.dag().name());
                rm.put("version", r.dag().version());
                rm.put("buckets", List.of(r.fromBucket(), r.toBucket()));
                rm.put("traffic", (r.toBucket() - r.fromBucket()) * 100.0 / dev.funnel.engine.route.Buckets.COUNT);
                rm.put("overrides", r.overrides());
                routes.add(rm);
            }
            scenes.add(Map.of("scene", scene, "routes", routes));
        }
        return scenes;
    }

    private static Map<String, Object> dag(CompiledDag d, NodeLatencies stats, ToDoubleBiFunction<String, String> widthFactor) {
        Map<String, Object> dm = new LinkedHashMap<>();
        dm.put("name", d.name());
        dm.put("version", d.version());
        dm.put("file", d.spec().file());
        dm.put("deadline_ms", d.spec().deadlineMs());
        dm.put("output", d.spec().output());
        LatencyWindow.Snapshot req = stats.requests(d.name());
        if (req != null) {
            dm.put("requests_per_s", req.ratePerSecond());
            dm.put("p99_ms", req.p99Nanos() / 1e6);
        }
        List<Object> nodes = new ArrayList<>();
        for (NodeSpec n : d.spec().nodes().values()) {
            Map<String, Object> nm = new LinkedHashMap<>();
            nm.put("id", n.id());
            nm.put("op", n.op());
            nm.put("after", n.after());
            Integer deadline = n.deadlineMs() != null ? n.deadlineMs() : d.spec().defaults().deadlineMs();
            nm.put("deadline_ms", deadline);
            nm.put("target_p95_ms", n.targetP95Ms());
            LatencyWindow.Snapshot s = stats.node(d.name(), n.id());
            if (s != null) {
                nm.put("count", s.outcomes());
                nm.put("rate_per_s", s.ratePerSecond());
                nm.put("p50_ms", s.p50Nanos() / 1e6);
                nm.put("p95_ms", s.p95Nanos() / 1e6);
                nm.put("p99_ms", s.p99Nanos() / 1e6);
                nm.put("timeout_rate", s.timeoutRate());
                nm.put("error_rate", s.errorRate());
            } else {
                nm.put("count", 0);
            }
            nm.put("width_factor", widthFactor.applyAsDouble(d.name(), n.id()));
            nodes.add(nm);
        }
        dm.put("nodes", nodes);
        return dm;
    }
}
