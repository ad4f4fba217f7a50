package dev.funnel.engine.explain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The account of one request's run through one DAG.
 *
 * @param dag       the DAG's name
 * @param version   the compiled version that ran (overrides included)
 * @param userId    the request's user
 * @param tookNanos whole run
 * @param failed    whether the request failed
 * @param failure   why, when failed
 * @param degraded  nodes that timed out, failed or fell back, as "node: cause → action"
 * @param stages    one per node, in file order
 * @param items     the final items, best first, cut to the request's count as the server cuts them
 */
public record Explanation(String dag, String version, String userId, long tookNanos, boolean failed, String failure,
                          List<String> degraded, List<Stage> stages, List<FinalItem> items) {

    public Explanation {
        degraded = List.copyOf(degraded);
        stages = List.copyOf(stages);
        items = List.copyOf(items);
    }

    /**
     * One node's part.
     *
     * @param node         node id
     * @param op           operator
     * @param after        upstream node ids
     * @param outcome      how it ended ({@code OK}, {@code TIMEOUT}, …; {@code NOT_RUN} when it never settled)
     * @param startNanos   start relative to arrival, -1 when not started
     * @param tookNanos    its own time
     * @param inCount      candidates in (sum over upstream candidate lists), -1 when none are lists
     * @param outCount     candidates out, -1 when its output is not a list
     * @param addedCount   items in its output that none of its inputs had (what a recall found)
     * @param droppedCount items in its inputs that its output lacks
     * @param dropped      the first of those, in input order, with reasons
     */
    public record Stage(String node, String op, List<String> after, String outcome, long startNanos, long tookNanos,
                        int inCount, int outCount, int addedCount, int droppedCount, List<Dropped> dropped) {
        public Stage {
            after = List.copyOf(after);
            dropped = List.copyOf(dropped);
        }
    }

    /**
     * An item a stage did not pass on.
     *
     * @param itemId the item
     * @param from   the upstream node it came from
     * @param rank   its 1-based position in that upstream's list
     * @param score  its score there
     * @param reason why it was dropped, in words
     */
    public record Dropped(long itemId, String from, int rank, float score, String reason) {
    }

    /**
     * One served item.
     *
     * @param itemId  the item
     * @param score   final score
     * @param sources the recall branches that found it
     * @param path    "node#rank" for every stage whose output had it, in file order
     */
    public record FinalItem(long itemId, float score, List<String> sources, List<String> path) {
        public FinalItem {
            sources = List.copyOf(sources);
            path = List.copyOf(path);
        }
    }

    /** The stage of that node, or null. */
    public Stage stage(String node) {
        for (Stage s : stages) {
            if (s.node().equals(node)) {
                return s;
            }
        }
        return null;
    }

    /** Plain maps and lists, ready for a JSON encoder. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dag", dag);
        m.put("version", version);
        m.put("user_id", userId);
        m.put("took_ms", tookNanos / 1e6);
        m.put("failed", failed);
        m.put("failure", failure);
        m.put("degraded", degraded);
        List<Object> st = new ArrayList<>();
        for (Stage s : stages) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("node", s.node());
            sm.put("op", s.op());
            sm.put("after", s.after());
            sm.put("outcome", s.outcome());
            sm.put("start_ms", s.startNanos() < 0 ? null : s.startNanos() / 1e6);
            sm.put("took_ms", s.tookNanos() / 1e6);
            sm.put("in", s.inCount());
            sm.put("out", s.outCount());
            sm.put("added", s.addedCount());
            sm.put("dropped_count", s.droppedCount());
            List<Object> dr = new ArrayList<>();
            for (Dropped d : s.dropped()) {
                Map<String, Object> dm = new LinkedHashMap<>();
                dm.put("item_id", d.itemId());
                dm.put("from", d.from());
                dm.put("rank", d.rank());
                dm.put("score", Float.isNaN(d.score()) ? null : (double) d.score());
                dm.put("reason", d.reason());
                dr.add(dm);
            }
            sm.put("dropped", dr);
            st.add(sm);
        }
        m.put("stages", st);
        List<Object> it = new ArrayList<>();
        for (FinalItem f : items) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("item_id", f.itemId());
            fm.put("score", Float.isNaN(f.score()) ? null : (double) f.score());
            fm.put("sources", f.sources());
            fm.put("path", f.path());
            it.add(fm);
        }
        m.put("items", it);
        return m;
    }
}
