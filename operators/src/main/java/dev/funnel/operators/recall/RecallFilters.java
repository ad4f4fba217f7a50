package dev.funnel.operators.recall;

import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.Params;
import dev.funnel.index.Filter;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemRecord;

/** The {@code filter} and {@code online_only} parameters every recall operator shares. */
final class RecallFilters {

    static final ParamSpec FILTER = ParamSpec.optionalMap("filter",
            "conditions pushed into the index: {field: value | [values] | {min, max}, created_within_hours: h}");
    static final ParamSpec ONLINE_ONLY = ParamSpec.optionalBoolean("online_only", true, "recall only items with status online");

    private RecallFilters() {
    }

    /**
     * The node's filter, checked against the index's indexed fields.
     *
     * @throws IllegalArgumentException naming the bad key, for the validator to report at the node
     */
    static Filter from(Params params, ItemIndex index) {
        Filter f = parse(params);
        index.checkFilter(f, "param 'filter'");
        return f;
    }

    /**
     * The node's filter as far as it can be checked: its form always, its fields against the index
     * when {@code env} has one (not in {@code funnel validate}, which runs without a catalog).
     *
     * @throws IllegalArgumentException naming the bad key
     */
    static void check(Params params, OperatorEnv env) {
        Filter f = parse(params);
        env.find(ItemIndex.class).ifPresent(index -> index.checkFilter(f, "param 'filter'"));
    }

    private static Filter parse(Params params) {
        Filter f = Filter.parse(params.getMap("filter"), "param 'filter'");
        if (params.getBoolean("online_only")) {
            f = f.and("status", java.util.List.of(ItemRecord.ONLINE));
        }
        return f;
    }
}
