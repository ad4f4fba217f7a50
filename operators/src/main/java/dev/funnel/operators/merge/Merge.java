package dev.funnel.operators.merge;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code merge}: the union of its inputs' candidate lists, deduplicated by item id, with
 * provenance kept. Runs when at least one input is present (YAML {@code min_inputs} overrides).
 */
public final class Merge implements OperatorFactory {

    /** Default cap on the merged list. */
    public static final int DEFAULT_LIMIT = 5_000;

    private static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.optionalNumberMap("quota", "at most this many items from an input, by input node id or source name, e.g. {ann: 600}"),
            ParamSpec.optionalInt("limit", DEFAULT_LIMIT, 1, 1_000_000, "at most this many items in the merged list"),
            ParamSpec.optionalEnum("score", "max", List.of("max", "sum", "first"),
                    "an item found by several inputs gets the max or sum of their scores, or the first input's"));

    @Override
    public String name() {
        return "merge";
    }

    @Override
    public String description() {
        return "Union of the inputs' candidates, deduplicated by id, interleaved by rank, with per-input quotas and provenance";
    }

    @Override
    public ParamSchema params() {
        return SCHEMA;
    }

    @Override
    public Class<?> outputType() {
        return Candidates.class;
    }

    @Override
    public Set<Class<?>> requiredInputTypes() {
        return Set.of(Candidates.class);
    }

    @Override
    public int defaultMinInputs() {
        return 1;
    }

    /** What the schema cannot say, checked by every validation path (see {@link OperatorFactory#check}). */
    @Override
    public void check(Params params, List<String> inputIds, OperatorEnv env) {
        checkQuota(params.getNumberMap("quota"));
    }

    private static void checkQuota(Map<String, Double> quota) {
        for (Map.Entry<String, Double> e : quota.entrySet()) {
            if (e.getValue() < 0 || e.getValue() != Math.rint(e.getValue())) {
                throw new IllegalArgumentException("quota '" + e.getKey() + "' must be a whole number >= 0, got " + e.getValue());
            }
        }
    }

    @Override
    public Operator<?> create(Params params, OperatorEnv env) {
        Map<String, Double> quota = params.getNumberMap("quota");
        checkQuota(quota);
        return new MergeOperator(quota, params.getInt("limit"), MergeOperator.ScoreMode.valueOf(params.getString("score").toUpperCase()));
    }
}
