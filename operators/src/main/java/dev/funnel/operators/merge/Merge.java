package dev.funnel.operators.merge;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamProblems;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;

import java.util.ArrayList;
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

    /**
     * What the schema cannot say, checked by every validation path (see {@link OperatorFactory#check}):
     * each quota is a whole number, and each quota key names an input or a node upstream of one
     * (the provenance source of a list that reaches this merge through a filter, say). Any other
     * key would cap nothing, silently: a typo ({@code anm} for {@code ann}) or a branch that is not
     * wired into this merge. Each bad key is its own problem, at its line.
     */
    @Override
    public void check(Params params, List<String> inputIds, Set<String> upstreamIds, OperatorEnv env) {
        Map<String, Double> quota = params.getNumberMap("quota");
        List<ParamProblems.Entry> bad = new ArrayList<>();
        for (Map.Entry<String, Double> e : quota.entrySet()) {
            String count = quotaProblem(e.getKey(), e.getValue());
            if (count != null) {
                bad.add(new ParamProblems.Entry("quota", e.getKey(), count));
            }
            if (!inputIds.contains(e.getKey()) && !upstreamIds.contains(e.getKey())) {
                bad.add(new ParamProblems.Entry("quota", e.getKey(), "quota '" + e.getKey() + "' names no input of this merge"
                        + " and no node upstream of one, so it would cap nothing; inputs: " + inputIds));
            }
        }
        if (!bad.isEmpty()) {
            throw new ParamProblems(bad);
        }
    }

    /** What is wrong with one quota's count, or null. */
    private static String quotaProblem(String key, double count) {
        if (count < 0 || count != Math.rint(count)) {
            return "quota '" + key + "' must be a whole number >= 0, got " + count;
        }
        return null;
    }

    private static void checkQuota(Map<String, Double> quota) {
        for (Map.Entry<String, Double> e : quota.entrySet()) {
            String count = quotaProblem(e.getKey(), e.getValue());
            if (count != null) {
                throw new IllegalArgumentException(count);
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
