package dev.funnel.engine.explain;

import dev.funnel.engine.dag.DagSpec;
import dev.funnel.engine.dag.NodeSpec;
import dev.funnel.engine.exec.DagResult;
import dev.funnel.engine.exec.Degradation;
import dev.funnel.engine.exec.NodeSpan;
import dev.funnel.engine.spi.Candidates;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/** Turns a debug {@link DagResult} into an {@link Explanation}: per-stage diffs of the candidate lists. */
final class TraceAnalyzer {

    /** Params whose value caps a node's output, in the order they are looked for. */
    private static final String[] WIDTH_PARAMS = {"keep", "size", "limit", "k", "count"};

    private TraceAnalyzer() {
    }

    /** {@link #analyze(DagSpec, DagResult, String, int, int, LongPredicate)} with nothing excluded. */
    static Explanation analyze(DagSpec spec, DagResult result, String userId, int maxDroppedShown, int servedCount) {
        return analyze(spec, result, userId, maxDroppedShown, servedCount, id -> false);
    }

    /**
     * @param servedCount how many items the client asked for: the final list is cut to it, as the
     *                    server cuts the response
     * @param excluded    the ids the client excluded: left out of the final list, as the server
     *                    leaves them out of the response
     */
    static Explanation analyze(DagSpec spec, DagResult result, String userId, int maxDroppedShown, int servedCount,
                               LongPredicate excluded) {
        Map<String, NodeSpan> spans = new HashMap<>();
        for (NodeSpan s : result.trace()) {
            spans.put(s.node(), s);
        }
        List<Explanation.Stage> stages = new ArrayList<>();
        Map<String, Map<Long, Integer>> positions = new LinkedHashMap<>();
        for (NodeSpec n : spec.nodes().values()) {
            NodeSpan span = spans.get(n.id());
            Candidates out = span == null ? null : asCandidates(span.output());
            if (out != null) {
                positions.put(n.id(), positionsOf(out));
            }
            stages.add(stage(n, span, out, spans, maxDroppedShown));
        }

        List<Explanation.FinalItem> items = new ArrayList<>();
        Candidates fin = asCandidates(result.output());
        if (fin != null) {
            for (int i = 0; i < fin.size() && items.size() < servedCount; i++) {
                long id = fin.id(i);
                if (excluded.test(id)) {
                    continue;
                }
                List<String> path = new ArrayList<>();
                for (Map.Entry<String, Map<Long, Integer>> e : positions.entrySet()) {
                    Integer pos = e.getValue().get(id);
                    if (pos != null) {
                        path.add(e.getKey() + "#" + (pos + 1));
                    }
                }
                items.add(new Explanation.FinalItem(id, fin.score(i), List.of(fin.sourceNames(i)), path));
            }
        }
        List<String> degraded = new ArrayList<>();
        for (Degradation d : result.degraded()) {
            degraded.add(d.node() + ": " + d.cause() + " → " + d.action()
                    + (d.detail() == null || d.detail().isEmpty() ? "" : " (" + d.detail() + ")"));
        }
        return new Explanation(result.dag(), result.version(), userId, result.tookNanos(), result.failed(),
                result.failure(), degraded, stages, items);
    }

    private static Explanation.Stage stage(NodeSpec n, NodeSpan span, Candidates out, Map<String, NodeSpan> spans,
                                           int maxDroppedShown) {
        // Every item of every upstream list, first occurrence wins (merges deduplicate the same way).
        Map<Long, long[]> firstSeen = new LinkedHashMap<>(); // id -> {upstream index, position}
        Map<Long, Float> scoreSeen = new HashMap<>();
        int inCount = -1;
        List<Candidates> ins = new ArrayList<>();
        for (int u = 0; u < n.after().size(); u++) {
            NodeSpan up = spans.get(n.after().get(u));
            Candidates c = up == null ? null : asCandidates(up.output());
            ins.add(c);
            if (c == null) {
                continue;
            }
            inCount = Math.max(inCount, 0) + c.size();
            for (int i = 0; i < c.size(); i++) {
                if (!firstSeen.containsKey(c.id(i))) {
                    firstSeen.put(c.id(i), new long[] {u, i});
                    scoreSeen.put(c.id(i), c.score(i));
                }
            }
        }
        String outcome = span == null ? "NOT_RUN" : span.outcome().name();
        long start = span == null ? -1 : span.startNanos();
        long took = span == null ? 0 : span.tookNanos();
        if (span != null && span.inputSize() >= 0) {
            inCount = span.inputSize();
        }
        if (out == null) {
            int outSize = span == null ? -1 : span.outputSize();
            return new Explanation.Stage(n.id(), n.op(), n.after(), outcome, start, took, inCount, outSize, 0, 0, List.of());
        }
        Map<Long, Integer> outPos = positionsOf(out);
        int added = 0;
        for (int i = 0; i < out.size(); i++) {
            if (!firstSeen.containsKey(out.id(i))) {
                added++;
            }
        }
        int droppedCount = 0;
        List<Explanation.Dropped> dropped = new ArrayList<>();
        String reason = firstSeen.isEmpty() ? null : reason(n, out.size());
        for (Map.Entry<Long, long[]> e : firstSeen.entrySet()) {
            if (outPos.containsKey(e.getKey())) {
                continue;
            }
            droppedCount++;
            if (dropped.size() < maxDroppedShown) {
                String from = n.after().get((int) e.getValue()[0]);
                dropped.add(new Explanation.Dropped(e.getKey(), from, (int) e.getValue()[1] + 1,
                        scoreSeen.get(e.getKey()), reason));
            }
        }
        return new Explanation.Stage(n.id(), n.op(), n.after(), outcome, start, took, inCount, out.size(), added,
                droppedCount, dropped);
    }

    /** Why a node of this kind drops items, in words (the trace has no per-item cause). */
    static String reason(NodeSpec n, int outSize) {
        String op = n.op();
        if (op.startsWith("filter.")) {
            return "filtered by " + op;
        }
        for (String p : WIDTH_PARAMS) {
            Object v = n.params().get(p);
            if (v instanceof Number cap && outSize >= cap.intValue()) {
                return "below the cut: " + p + "=" + cap + " in " + op;
            }
        }
        if (op.startsWith("merge")) {
            return "not taken by " + op + " (quota or limit)";
        }
        return "not kept by " + op;
    }

    private static Map<Long, Integer> positionsOf(Candidates c) {
        Map<Long, Integer> m = new HashMap<>(c.size() * 2);
        for (int i = 0; i < c.size(); i++) {
            m.putIfAbsent(c.id(i), i);
        }
        return m;
    }

    private static Candidates asCandidates(Object o) {
        return o instanceof Candidates c ? c : null;
    }
}
