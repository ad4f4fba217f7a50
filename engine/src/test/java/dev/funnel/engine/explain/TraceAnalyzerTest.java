package dev.funnel.engine.explain;

import dev.funnel.engine.dag.DagSpec;
import dev.funnel.engine.dag.NodeSpec;
import dev.funnel.engine.exec.DagResult;
import dev.funnel.engine.exec.NodeOutcome;
import dev.funnel.engine.exec.NodeSpan;
import dev.funnel.engine.spi.Candidates;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceAnalyzerTest {

    static final long MS = 1_000_000L;

    static NodeSpec node(String id, String op, List<String> after, Map<String, Object> params) {
        return new NodeSpec(id, op, after, params, null, null, null, null, null, 1, Map.of());
    }

    static Candidates list(String source, long... ids) {
        float[] scores = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            scores[i] = 1f - i * 0.1f;
        }
        return Candidates.fromSource(source, ids, scores, ids.length);
    }

    /** merge of two sources keeping provenance, in the given order. */
    static Candidates merged(Candidates hot, Candidates ann, long... order) {
        Candidates.Builder b = Candidates.builder(new String[] {"hot", "ann"}, order.length);
        for (long id : order) {
            int row = -1;
            for (int i = 0; i < hot.size(); i++) {
                if (hot.id(i) == id) {
                    row = b.add(id, hot.score(i), 0, hot.score(i));
                }
            }
            for (int i = 0; i < ann.size(); i++) {
                if (ann.id(i) == id) {
                    if (row < 0) {
                        row = b.add(id, ann.score(i), 1, ann.score(i));
                    } else {
                        b.mark(row, 1, ann.score(i));
                    }
                }
            }
        }
        return b.build();
    }

    static Candidates select(Candidates c, long... ids) {
        int[] rows = new int[ids.length];
        for (int k = 0; k < ids.length; k++) {
            for (int i = 0; i < c.size(); i++) {
                if (c.id(i) == ids[k]) {
                    rows[k] = i;
                }
            }
        }
        return c.select(rows, ids.length);
    }

    static DagSpec spec() {
        Map<String, NodeSpec> nodes = new LinkedHashMap<>();
        nodes.put("profile", node("profile", "profile.user", List.of(), Map.of()));
        nodes.put("hot", node("hot", "recall.hot", List.of(), Map.of("limit", 5)));
        nodes.put("ann", node("ann", "recall.ann", List.of("profile"), Map.of("k", 4)));
        nodes.put("merge", node("merge", "merge", List.of("hot", "ann"), Map.of()));
        nodes.put("seen", node("seen", "filter.exposure", List.of("merge"), Map.of()));
        nodes.put("rank", node("rank", "rank.onnx", List.of("seen", "profile"), Map.of("keep", 3)));
        return new DagSpec("home_feed", "home_feed.yaml", 60, DagSpec.Defaults.NONE, nodes, "rank", Map.of(), "");
    }

    static DagResult result() {
        Candidates hot = list("hot", 1, 2, 3, 4, 5);
        Candidates ann = list("ann", 4, 5, 6, 7);
        Candidates merge = merged(hot, ann, 1, 2, 3, 4, 5, 6, 7);
        Candidates seen = select(merge, 1, 3, 4, 5, 6, 7);
        Candidates rank = select(seen, 6, 4, 1).withScores(new float[] {0.9f, 0.8f, 0.7f});
        List<NodeSpan> trace = new ArrayList<>();
        trace.add(new NodeSpan("profile", "profile.user", 0, 100_000, NodeOutcome.OK, -1, -1, "a profile"));
        trace.add(new NodeSpan("hot", "recall.hot", 0, 200_000, NodeOutcome.OK, -1, 5, hot));
        trace.add(new NodeSpan("ann", "recall.ann", 100_000, 2 * MS, NodeOutcome.OK, -1, 4, ann));
        trace.add(new NodeSpan("merge", "merge", 2_100_000, 50_000, NodeOutcome.OK, 9, 7, merge));
        trace.add(new NodeSpan("seen", "filter.exposure", 2_150_000, 30_000, NodeOutcome.OK, 7, 6, seen));
        trace.add(new NodeSpan("rank", "rank.onnx", 2_180_000, 3 * MS, NodeOutcome.OK, 6, 3, rank));
        return new DagResult("home_feed", "home_feed@abc", rank, false, null, List.of(), trace, 5_200_000);
    }

    @Test
    void accountsForEveryStage() {
        Explanation e = TraceAnalyzer.analyze(spec(), result(), "u000042", 20, 100);
        assertEquals(6, e.stages().size());
        Explanation.Stage hot = e.stage("hot");
        assertEquals(5, hot.outCount());
        assertEquals(5, hot.addedCount(), "a recall adds what it found");
        Explanation.Stage merge = e.stage("merge");
        assertEquals(9, merge.inCount());
        assertEquals(7, merge.outCount());
        assertEquals(0, merge.droppedCount(), "duplicates are merged, not dropped");

        Explanation.Stage seen = e.stage("seen");
        assertEquals(1, seen.droppedCount());
        Explanation.Dropped d = seen.dropped().get(0);
        assertEquals(2, d.itemId());
        assertEquals("merge", d.from());
        assertEquals(2, d.rank());
        assertEquals("filtered by filter.exposure", d.reason());

        Explanation.Stage rank = e.stage("rank");
        assertEquals(3, rank.droppedCount());
        assertEquals(List.of(3L, 5L, 7L), rank.dropped().stream().map(Explanation.Dropped::itemId).toList());
        assertEquals("below the cut: keep=3 in rank.onnx", rank.dropped().get(0).reason());
        assertEquals(3.0, rank.tookNanos() / 1e6);
    }

    @Test
    void givesEachFinalItemItsSourcesAndPath() {
        Explanation e = TraceAnalyzer.analyze(spec(), result(), "u000042", 20, 100);
        assertEquals(List.of(6L, 4L, 1L), e.items().stream().map(Explanation.FinalItem::itemId).toList());
        Explanation.FinalItem four = e.items().get(1);
        assertEquals(List.of("hot", "ann"), four.sources());
        assertEquals(List.of("hot#4", "ann#1", "merge#4", "seen#3", "rank#2"), four.path());
        assertEquals(0.8f, four.score());
    }

    @Test
    void theFinalListIsCutToWhatTheClientAskedFor() {
        Explanation e = TraceAnalyzer.analyze(spec(), result(), "u000042", 20, 2);
        assertEquals(List.of(6L, 4L), e.items().stream().map(Explanation.FinalItem::itemId).toList());
    }

    @Test
    void theFinalListLeavesOutWhatTheClientExcludedAsTheResponseDoes() {
        // A replayed request with its exclude list: the served response never held those ids.
        Explanation e = TraceAnalyzer.analyze(spec(), result(), "u000042", 20, 2, id -> id == 4L);
        assertEquals(List.of(6L, 1L), e.items().stream().map(Explanation.FinalItem::itemId).toList());
    }

    @Test
    void capsTheDroppedListButCountsAll() {
        Explanation e = TraceAnalyzer.analyze(spec(), result(), "u000042", 1, 100);
        assertEquals(3, e.stage("rank").droppedCount());
        assertEquals(1, e.stage("rank").dropped().size());
    }

    @Test
    void rendersTextAndJsonAndComparisons() {
        Explanation a = TraceAnalyzer.analyze(spec(), result(), "u000042", 20, 100);
        String text = ExplainText.render(a);
        assertTrue(text.contains("dropped at seen (filter.exposure): 1 item(s)"), text);
        assertTrue(text.contains("path hot#4 → ann#1 → merge#4 → seen#3 → rank#2"), text);
        assertEquals(6, ((List<?>) a.toJson().get("stages")).size());

        DagResult other = new DagResult("home_feed_b", "home_feed_b@def", select(list("ann", 4, 5, 6, 7), 5, 6, 4),
                false, null, List.of(), List.of(), 1_000_000);
        Explanation b = TraceAnalyzer.analyze(spec(), other, "u000042", 20, 100);
        Comparison c = Comparison.of(a, b);
        assertEquals(2, c.common());
        assertEquals(List.of(1L), c.onlyA());
        assertEquals(List.of(5L), c.onlyB());
        assertEquals(Map.of(6L, 1, 4L, 1), c.rankShifts());
        String side = ExplainText.renderSideBySide(c);
        assertTrue(side.contains("2 common, 1 only in A [1], 1 only in B [5]"), side);
    }
}
