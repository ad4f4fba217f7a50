package dev.funnel.operators.recall;

import java.util.List;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.index.CoClickTable;
import dev.funnel.index.Filter;
import dev.funnel.index.ItemIndex;
import reactor.core.publisher.Mono;

import java.util.Set;

/**
 * {@code recall.i2i}: items co-clicked with the user's recent clicks. Each of the {@code seeds} most
 * recent clicks contributes its co-click neighbours weighted by {@code seed_decay^i}; an item's
 * score is the sum over seeds. Items the user clicked recently are left out; the filter is checked
 * in the index.
 */
public final class I2iRecall implements OperatorFactory {

    /** Each thread's accumulators (the clicked items, the neighbours), reused from one request to the next. */
    private static final ThreadLocal<IdScoreAccumulator> SEEN = IdScoreAccumulator.perThread();
    private static final ThreadLocal<IdScoreAccumulator> ACC = IdScoreAccumulator.perThread();

    static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.optionalInt("limit", 300, 1, 10_000, "items to return"),
            ParamSpec.optionalInt("seeds", 10, 1, 200, "most recent clicks used as seeds"),
            ParamSpec.optionalInt("per_seed", 50, 1, 1_000, "neighbours read per seed"),
            ParamSpec.optionalDouble("seed_decay", 0.85, 0.0, 1.0, "weight of the i-th most recent seed is seed_decay^i"),
            RecallFilters.FILTER,
            RecallFilters.ONLINE_ONLY);

    @Override
    public String name() {
        return "recall.i2i";
    }

    @Override
    public String description() {
        return "Items co-clicked with the user's recent clicks (co-occurrence from history and feedback)";
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
        return Set.of(UserProfile.class);
    }

    /** What the schema cannot say, checked by every validation path (see {@link OperatorFactory#check}). */
    @Override
    public void check(Params params, List<String> inputIds, OperatorEnv env) {
        RecallFilters.check(params, env);
    }

    @Override
    public Operator<?> create(Params params, OperatorEnv env) {
        ItemIndex index = env.require(ItemIndex.class);
        CoClickTable table = env.require(CoClickTable.class);
        return new I2i(index, table, RecallFilters.from(params, index), params.getInt("limit"), params.getInt("seeds"),
                params.getInt("per_seed"), (float) params.getDouble("seed_decay"));
    }

    private record I2i(ItemIndex index, CoClickTable table, Filter filter, int limit, int seeds, int perSeed,
                       float decay) implements Operator<Candidates> {
        @Override
        public Mono<Candidates> apply(Inputs in, RequestContext ctx) {
            UserProfile p = Ranking.profile(in);
            if (p == null || p.recentClicks().length == 0) {
                return Mono.just(Ranking.empty(in.nodeId()));
            }
            long[] clicks = p.recentClicks();
            // This thread's accumulators, emptied; ThreadLocal reads, never blocking.
            IdScoreAccumulator seen = SEEN.get().reset(clicks.length, false);
            for (long c : clicks) {
                seen.add(c, 0);
            }
            IdScoreAccumulator acc = ACC.get().reset(Math.min(seeds, clicks.length) * perSeed, true);
            long[] ids = new long[perSeed];
            float[] ws = new float[perSeed];
            float seedWeight = 1;
            for (int s = 0; s < Math.min(seeds, clicks.length); s++) {
                int n = table.neighbors(clicks[s], ids, ws);
                for (int j = 0; j < n; j++) {
                    if (!seen.contains(ids[j])) {
                        acc.add(ids[j], seedWeight * ws[j]);
                    }
                }
                seedWeight *= decay;
            }
            int n = index.retain(filter, acc.ids(), acc.scores(), acc.size());
            return Mono.just(IdScoreAccumulator.topOf(in.nodeId(), acc.ids(), acc.scores(), n, limit));
        }
    }
}
