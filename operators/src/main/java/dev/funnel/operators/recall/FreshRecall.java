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
import dev.funnel.index.ScoreField;
import reactor.core.publisher.Mono;


/**
 * {@code recall.fresh}: the newest items (created within {@code max_age_hours}), newest first, for
 * cold start and to give new items exposure. The same for every user, so it is cached per index
 * version and minute ({@link SharedList}); an acknowledged item write is in the list of every request after it.
 */
public final class FreshRecall implements OperatorFactory {

    static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.optionalInt("limit", 200, 1, 10_000, "items to return"),
            ParamSpec.optionalDouble("max_age_hours", 72, 0.01, 24 * 365, "only items created within this many hours"),
            RecallFilters.FILTER,
            RecallFilters.ONLINE_ONLY);

    @Override
    public String name() {
        return "recall.fresh";
    }

    @Override
    public String description() {
        return "Newest items (within max_age_hours), newest first; for cold start";
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
        Filter f = RecallFilters.from(params, index);
        f = Filter.builder().createdWithinMillis((long) (params.getDouble("max_age_hours") * 3_600_000d)).build().andAll(f);
        return new Fresh(index, f, params.getInt("limit"));
    }

    private static final class Fresh implements Operator<Candidates> {
        private final ItemIndex index;
        private final Filter filter;
        private final int limit;
        private final SharedList shared;

        Fresh(ItemIndex index, Filter filter, int limit) {
            this.index = index;
            this.filter = filter;
            this.limit = limit;
            // registered last: the index's writers refresh it only once a request has filled it, after construction
            this.shared = SharedList.register(index, filter, () -> index.nowMillis() / 60_000, this::compute);
        }

        private Candidates compute(String source) {
            long[] ids = new long[limit];
            float[] scores = new float[limit];
            int n = index.top(filter, ScoreField.FRESHNESS, limit, ids, scores);
            return Candidates.ofSource(source, ids, scores, n);
        }

        @Override
        public Mono<Candidates> apply(Inputs in, RequestContext ctx) {
            return Mono.just(shared.get(in.nodeId()));
        }
    }
}
