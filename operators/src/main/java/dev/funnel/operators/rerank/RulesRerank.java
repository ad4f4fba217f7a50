package dev.funnel.operators.rerank;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.index.ItemStore;
import dev.funnel.operators.recall.Ranking;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * {@code rerank.rules}: business rules on forward-index attributes, applied in this order:
 * <ol>
 *   <li>{@code block: ["status=offline", "author=a13"]} drops every matching item;</li>
 *   <li>{@code boost: {"category=news": 1.5}} multiplies the score of matching items (several
 *       matching rules multiply), then the list is re-sorted by score, ties kept in order;</li>
 *   <li>{@code pin: {"category=promo": 0}} moves the first matching item to that position
 *       (0-based; past the end means last; a position taken by an earlier pin: the next free one).</li>
 * </ol>
 */
public final class RulesRerank implements OperatorFactory {

    @Override
    public String name() {
        return "rerank.rules";
    }

    @Override
    public String description() {
        return "Block, boost and pin items by attribute rules (field=value)";
    }

    @Override
    public ParamSchema params() {
        return ParamSchema.of(
                ParamSpec.optionalStringList("block", "drop items matching any of these field=value rules"),
                ParamSpec.optionalNumberMap("boost", "field=value → score multiplier (> 0)"),
                ParamSpec.optionalNumberMap("pin", "field=value → 0-based position of the first matching item"));
    }

    @Override
    public Class<?> outputType() {
        return Candidates.class;
    }

    @Override
    public Set<Class<?>> requiredInputTypes() {
        return Set.of(Candidates.class);
    }

    /** What the schema cannot say, checked by every validation path (see {@link OperatorFactory#check}). */
    @Override
    public void check(Params params, List<String> inputIds, OperatorEnv env) {
        rules(params);
    }

    @Override
    public Operator<Candidates> create(Params params, OperatorEnv env) {
        Rules rules = rules(params);
        ItemStore items = env.require(ItemStore.class);
        return (in, ctx) -> {
            Candidates c = in.first(Candidates.class);
            return c == null ? Mono.empty() : Mono.just(rules.apply(c, items));
        };
    }

    /** The rules the params describe; throws naming the bad entry. */
    private static Rules rules(Params params) {
        List<AttributeRule> block = new ArrayList<>();
        for (String s : params.getStringList("block")) {
            block.add(AttributeRule.parse("block", s));
        }
        List<AttributeRule> boost = new ArrayList<>();
        List<Float> factors = new ArrayList<>();
        for (Map.Entry<String, Double> e : params.getNumberMap("boost").entrySet()) {
            if (!(e.getValue() > 0) || e.getValue().isInfinite()) {
                throw new IllegalArgumentException("param 'boost': '" + e.getKey() + "' must map to a factor > 0, got " + e.getValue());
            }
            boost.add(AttributeRule.parse("boost", e.getKey()));
            factors.add(e.getValue().floatValue());
        }
        List<Map.Entry<AttributeRule, Integer>> pins = new ArrayList<>();
        for (Map.Entry<String, Double> e : params.getNumberMap("pin").entrySet()) {
            double pos = e.getValue();
            if (pos < 0 || pos != Math.rint(pos) || pos > 10_000) {
                throw new IllegalArgumentException("param 'pin': '" + e.getKey() + "' must map to a position in [0, 10000], got " + e.getValue());
            }
            pins.add(Map.entry(AttributeRule.parse("pin", e.getKey()), (int) pos));
        }
        pins.sort(Map.Entry.comparingByValue());
        return new Rules(block, boost, factors, pins);
    }

    private record Rules(List<AttributeRule> block, List<AttributeRule> boost, List<Float> factors,
                         List<Map.Entry<AttributeRule, Integer>> pins) {

        Candidates apply(Candidates c, ItemStore items) {
            int n = c.size();
            int[] kept = new int[n];
            float[] score = c.scoresCopy();
            // Each block and boost rule reads its field for all candidates at once (the misses overlap).
            long[] ids = c.idsView();
            Object[] values = new Object[n];
            boolean[] blocked = new boolean[n];
            boolean[] hit = new boolean[n];
            for (AttributeRule r : block) {
                r.matchAll(items, ids, n, values, hit);
                for (int i = 0; i < n; i++) {
                    blocked[i] |= hit[i];
                }
            }
            for (int b = 0; b < boost.size(); b++) {
                boost.get(b).matchAll(items, ids, n, values, hit);
                float factor = factors.get(b);
                for (int i = 0; i < n; i++) {
                    if (hit[i]) {
                        score[i] *= factor;
                    }
                }
            }
            int m = 0;
            for (int i = 0; i < n; i++) {
                if (!blocked[i]) {
                    kept[m++] = i;
                }
            }
            if (!boost.isEmpty()) {
                sortByScoreDescending(kept, m, score);
            }
            // Pinned items take their positions (a taken one: the next free); the rest fill the gaps in order.
            int size = m;
            int[] rows = new int[size];
            Arrays.fill(rows, -1);
            boolean[] pinned = new boolean[n];
            for (Map.Entry<AttributeRule, Integer> pin : pins) {
                for (int k = 0; k < size; k++) {
                    int row = kept[k];
                    if (!pinned[row] && pin.getKey().matches(items, c.id(row))) {
                        int pos = Math.min(pin.getValue(), size - 1);
                        while (rows[pos] >= 0) {
                            pos = (pos + 1) % size;
                        }
                        rows[pos] = row;
                        pinned[row] = true;
                        break;
                    }
                }
            }
            int next = 0;
            for (int k = 0; k < size; k++) {
                int row = kept[k];
                if (!pinned[row]) {
                    while (rows[next] >= 0) {
                        next++;
                    }
                    rows[next] = row;
                }
            }
            float[] newScores = new float[size];
            for (int p = 0; p < size; p++) {
                newScores[p] = score[rows[p]];
            }
            return c.select(rows, rows.length, newScores);
        }

        /** Sorts rows[0, m) by score descending, stably (equal scores keep their order); no boxing. */
        private static void sortByScoreDescending(int[] rows, int m, float[] score) {
            float[] keys = new float[m];
            long[] position = new long[m]; // ties by position: the sort is stable
            for (int i = 0; i < m; i++) {
                keys[i] = score[rows[i]];
                position[i] = i;
            }
            int[] order = Ranking.descending(keys, position, m);
            int[] sorted = new int[m];
            for (int i = 0; i < m; i++) {
                sorted[i] = rows[order[i]];
            }
            System.arraycopy(sorted, 0, rows, 0, m);
        }
    }
}
