package dev.funnel.operators.rerank;

import java.util.List;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.index.ItemStore;
import java.util.Objects;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * {@code rerank.scatter}: spaces out items that share an attribute value (category, author…) so
 * that any {@code window} consecutive positions hold at most {@code max} items of one value. Each
 * position takes the highest-ranked remaining item that keeps the rule; when none does (the list
 * is too uniform), it takes the highest-ranked remaining item anyway, so no item is lost. Items
 * without a value are never constrained. O(size · n · window) worst case.
 */
public final class ScatterRerank implements OperatorFactory {

    @Override
    public String name() {
        return "rerank.scatter";
    }

    @Override
    public String description() {
        return "At most 'max' items of one category/author in any 'window' consecutive positions";
    }

    @Override
    public ParamSchema params() {
        return ParamSchema.of(
                ParamSpec.optionalString("field", "category", "attribute that must not cluster, e.g. category or author"),
                ParamSpec.optionalInt("max", 1, 1, 100, "items of one value allowed in a window"),
                ParamSpec.optionalInt("window", 3, 2, 100, "window length, in positions"),
                ParamSpec.optionalInt("size", 0, 0, 10_000, "items to output; 0 keeps all"));
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
        checkWindow(params.getInt("max"), params.getInt("window"));
    }

    private static void checkWindow(int max, int window) {
        if (max >= window) {
            throw new IllegalArgumentException("rerank.scatter: 'max' (" + max + ") must be below 'window' (" + window + ") to constrain anything");
        }
    }

    @Override
    public Operator<Candidates> create(Params params, OperatorEnv env) {
        String field = params.getString("field");
        int max = params.getInt("max");
        int window = params.getInt("window");
        checkWindow(max, window);
        int size = params.getInt("size");
        ItemStore items = env.require(ItemStore.class);
        return (in, ctx) -> {
            Candidates c = in.first(Candidates.class);
            return c == null ? Mono.empty() : Mono.just(scatter(c, items, field, max, window, size));
        };
    }

    static Candidates scatter(Candidates c, ItemStore items, String field, int max, int window, int size) {
        int n = c.size();
        int k = size == 0 ? n : Math.min(size, n);
        String[] values = new String[n];
        for (int i = 0; i < n; i++) {
            Object v = items.attribute(c.id(i), field);
            values[i] = v == null ? null : v.toString();
        }
        boolean[] used = new boolean[n];
        int[] rows = new int[k];
        int firstUnused = 0;
        for (int p = 0; p < k; p++) {
            while (used[firstUnused]) {
                firstUnused++;
            }
            int pick = -1;
            for (int i = firstUnused; i < n && pick < 0; i++) {
                if (!used[i] && fits(values[i], values, rows, p, max, window)) {
                    pick = i;
                }
            }
            if (pick < 0) {
                pick = firstUnused; // nothing keeps the rule: keep the ranked order
            }
            used[pick] = true;
            rows[p] = pick;
        }
        return c.select(rows, k);
    }

    private static boolean fits(String value, String[] values, int[] rows, int p, int max, int window) {
        if (value == null) {
            return true;
        }
        int same = 0;
        for (int q = Math.max(0, p - window + 1); q < p; q++) {
            if (Objects.equals(value, values[rows[q]]) && ++same >= max) {
                return false;
            }
        }
        return true;
    }
}
