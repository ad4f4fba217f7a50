package dev.funnel.operators.merge;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.RequestContext;
import reactor.core.publisher.Mono;

import java.util.Map;

/**
 * Merges candidate lists: round-robin by rank across the inputs (so {@code limit} cuts fairly),
 * first occurrence of an id wins its position, later occurrences add their sources and scores.
 * Allocation is per request (a few arrays), never per candidate.
 */
final class MergeOperator implements Operator<Candidates> {

    /**
     * Each thread's id → row map, reused from one merge to the next (merges run one at a time on a
     * thread, on the request's event loop: a ThreadLocal read, no lock).
     */
    private static final ThreadLocal<LongIntMap> ROWS = ThreadLocal.withInitial(() -> new LongIntMap(16));

    /** How an item found by several inputs is scored. */
    enum ScoreMode { MAX, SUM, FIRST }

    private final Map<String, Double> quota;
    private final int limit;
    private final ScoreMode mode;

    MergeOperator(Map<String, Double> quota, int limit, ScoreMode mode) {
        this.quota = Map.copyOf(quota);
        this.limit = limit;
        this.mode = mode;
    }

    @Override
    public Mono<Candidates> apply(Inputs in, RequestContext ctx) {
        return Mono.just(merge(in));
    }

    Candidates merge(Inputs in) {
        int n = in.size();
        Candidates[] lists = new Candidates[n];
        int[] take = new int[n];
        int present = 0;
        int total = 0;
        int longest = 0;
        for (int i = 0; i < n; i++) {
            Object v = in.valueAt(i);
            if (v instanceof Candidates) {
                Candidates c = (Candidates) v;
                lists[present] = c;
                take[present] = Math.min(c.size(), quotaOf(in.idAt(i), c));
                total += take[present];
                longest = Math.max(longest, take[present]);
                present++;
            }
        }
        if (present == 0) {
            return Candidates.EMPTY;
        }
        if (present == 1 && take[0] == lists[0].size() && lists[0].size() <= limit) {
            return lists[0]; // nothing to merge: ids in one list are the producer's business
        }
        // Union of sources, and each input's source index → union index.
        String[] union = new String[Candidates.MAX_SOURCES];
        int u = 0;
        int[][] map = new int[present][];
        for (int i = 0; i < present; i++) {
            String[] s = lists[i].sources();
            map[i] = new int[s.length];
            for (int j = 0; j < s.length; j++) {
                int k = indexOf(union, u, s[j]);
                if (k < 0) {
                    if (u == union.length) {
                        throw new IllegalStateException("merge: more than " + Candidates.MAX_SOURCES + " provenance sources");
                    }
                    union[u] = s[j];
                    k = u++;
                }
                map[i][j] = k;
            }
        }
        String[] sources = java.util.Arrays.copyOf(union, u);
        int cap = Math.min(total, limit);
        Candidates.Builder b = Candidates.builder(sources, cap);
        LongIntMap rows = ROWS.get(); // a ThreadLocal read: never blocks (merge runs on the event loop)
        rows.clear(Math.max(16, cap));
        for (int rank = 0; rank < longest; rank++) {
            for (int i = 0; i < present; i++) {
                if (rank >= take[i]) {
                    continue;
                }
                Candidates c = lists[i];
                long id = c.id(rank);
                float score = c.score(rank);
                int row = rows.get(id);
                if (row < 0) {
                    if (b.size() >= limit) {
                        continue; // full: later items only add provenance to rows already taken
                    }
                    row = b.add(id, score, -1, 0f);
                    rows.put(id, row);
                } else if (mode != ScoreMode.FIRST) {
                    float old = b.score(row);
                    b.setScore(row, mode == ScoreMode.MAX ? Math.max(old, score) : old + score);
                }
                long mask = c.sourceMask(rank);
                int[] m = map[i];
                while (mask != 0) {
                    int j = Long.numberOfTrailingZeros(mask);
                    mask &= mask - 1;
                    b.mark(row, m[j], c.sourceScore(rank, j));
                }
            }
        }
        return b.build();
    }

    private int quotaOf(String inputId, Candidates c) {
        Double q = quota.get(inputId);
        if (q == null && c.sources().length == 1) {
            q = quota.get(c.sources()[0]);
        }
        return q == null ? Integer.MAX_VALUE : q.intValue();
    }

    private static int indexOf(String[] a, int n, String s) {
        for (int i = 0; i < n; i++) {
            if (a[i].equals(s)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "merge{quota=" + quota + ", limit=" + limit + ", score=" + mode.name().toLowerCase() + '}';
    }
}
