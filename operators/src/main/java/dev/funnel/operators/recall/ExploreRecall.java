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
import dev.funnel.index.Filter;
import dev.funnel.index.ItemIndex;
import reactor.core.publisher.Mono;

import java.util.SplittableRandom;

/**
 * {@code recall.explore}: a uniform random slice of the items passing the filter, so the learning
 * loop sees outcomes for items no other branch would surface. Seeded by the request id, so a
 * replayed request explores the same items. Scores are 0.
 */
public final class ExploreRecall implements OperatorFactory {

    static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.optionalInt("limit", 50, 1, 10_000, "items to return"),
            RecallFilters.FILTER,
            RecallFilters.ONLINE_ONLY);

    @Override
    public String name() {
        return "recall.explore";
    }

    @Override
    public String description() {
        return "Random exploration slice of the filtered catalog, seeded by the request id";
    }

    @Override
    public ParamSchema params() {
        return SCHEMA;
    }

    @Override
    public Class<?> outputType() {
        return Candidates.class;
    }

    /** What the schema cannot say, checked by every validation path (see {@link OperatorFactory#check}). */
    @Override
    public void check(Params params, List<String> inputIds, OperatorEnv env) {
        RecallFilters.check(params, env);
    }

    @Override
    public Operator<?> create(Params params, OperatorEnv env) {
        ItemIndex index = env.require(ItemIndex.class);
        return new Explore(index, RecallFilters.from(params, index), params.getInt("limit"));
    }

    private record Explore(ItemIndex index, Filter filter, int limit) implements Operator<Candidates> {
        @Override
        public Mono<Candidates> apply(Inputs in, RequestContext ctx) {
            long[] ids = new long[limit];
            float[] scores = new float[limit];
            long seed = ctx.requestId().hashCode() * 0x9E3779B97F4A7C15L ^ ctx.userId().hashCode();
            int n = index.sample(filter, limit, new SplittableRandom(seed), ids, scores);
            return Mono.just(Candidates.ofSource(in.nodeId(), ids, scores, n));
        }
    }
}
