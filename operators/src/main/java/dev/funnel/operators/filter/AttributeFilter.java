package dev.funnel.operators.filter;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.index.ItemStore;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * {@code filter.attr}: keeps or drops candidates by a forward-index attribute
 * ({@link ItemStore#attribute}); a list-valued attribute such as {@code tags} matches when any
 * element does. Exactly one of {@code drop} and {@code keep} is given. Items the index does not
 * know have no value: kept by {@code drop}, dropped by {@code keep}, dropped by both with
 * {@code drop_missing}.
 */
public final class AttributeFilter implements OperatorFactory {

    @Override
    public String name() {
        return "filter.attr";
    }

    @Override
    public String description() {
        return "Keeps or drops candidates whose forward-index attribute has one of the listed values";
    }

    @Override
    public ParamSchema params() {
        return ParamSchema.of(
                ParamSpec.requiredString("field", "attribute name: category, author, status, tags, or a configured field"),
                ParamSpec.optionalStringList("drop", "drop items whose value is one of these"),
                ParamSpec.optionalStringList("keep", "keep only items whose value is one of these"),
                ParamSpec.optionalBoolean("drop_missing", false, "drop items without a value"));
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
        checkDropOrKeep(params);
    }

    private static void checkDropOrKeep(Params params) {
        boolean noDrop = params.getStringList("drop").isEmpty();
        if (noDrop == params.getStringList("keep").isEmpty()) {
            throw new IllegalArgumentException("filter.attr on field '" + params.getString("field") + "' needs exactly one of 'drop' and 'keep', got "
                    + (noDrop ? "neither" : "both"));
        }
    }

    @Override
    public Operator<Candidates> create(Params params, OperatorEnv env) {
        checkDropOrKeep(params);
        String field = params.getString("field");
        Set<String> drop = Set.copyOf(params.getStringList("drop"));
        Set<String> keep = Set.copyOf(params.getStringList("keep"));
        boolean dropMissing = params.getBoolean("drop_missing");
        ItemStore items = env.require(ItemStore.class);
        boolean keepMode = !keep.isEmpty();
        Set<String> values = keepMode ? keep : drop;
        return (in, ctx) -> {
            Candidates c = in.first(Candidates.class);
            if (c == null) {
                return Mono.empty();
            }
            int[] rows = new int[c.size()];
            int n = 0;
            for (int i = 0; i < c.size(); i++) {
                Object v = items.attribute(c.id(i), field);
                boolean missing = v == null || (v instanceof List<?> l && l.isEmpty());
                boolean pass;
                if (missing) {
                    pass = !dropMissing && !keepMode;
                } else {
                    pass = matches(v, values) == keepMode;
                }
                if (pass) {
                    rows[n++] = i;
                }
            }
            return Mono.just(n == c.size() ? c : c.select(rows, n));
        };
    }

    private static boolean matches(Object v, Set<String> values) {
        if (v instanceof List<?> l) {
            for (Object e : l) {
                if (e != null && values.contains(e.toString())) {
                    return true;
                }
            }
            return false;
        }
        return values.contains(v.toString());
    }
}
