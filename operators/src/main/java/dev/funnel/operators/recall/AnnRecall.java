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
import dev.funnel.index.Filter;
import dev.funnel.index.ItemIndex;
import reactor.core.publisher.Mono;

import java.util.Set;

/**
 * {@code recall.ann}: the {@code k} items nearest the user's real-time embedding in the vector
 * index, the filter applied inside the graph search. A user without an embedding (cold start) gets
 * an empty list. Declared CPU-heavy: a k=1000 search is ~1 ms, so it runs on the worker pool.
 */
public final class AnnRecall implements OperatorFactory {

    static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.optionalInt("k", 500, 1, 10_000, "neighbours to return"),
            ParamSpec.optionalInt("ef", 0, 0, 20_000, "search beam width; 0 = max(k, 100)"),
            ParamSpec.optionalInt("nprobe", 0, 0, 4_096,
                    "0 = graph search; n > 0 = inverted-file search scanning the n nearest k-means lists (ef unused)"),
            RecallFilters.FILTER,
            RecallFilters.ONLINE_ONLY);

    @Override
    public String name() {
        return "recall.ann";
    }

    @Override
    public String description() {
        return "User embedding → k nearest items (HNSW-style graph, filters inside the search)";
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

    @Override
    public boolean cpuHeavy() {
        return true;
    }

    /** What the schema cannot say, checked by every validation path (see {@link OperatorFactory#check}). */
    @Override
    public void check(Params params, List<String> inputIds, OperatorEnv env) {
        ef(params);
        RecallFilters.check(params, env);
    }

    private static int ef(Params params) {
        int k = params.getInt("k");
        int ef = params.getInt("ef") == 0 ? Math.max(k, 100) : params.getInt("ef");
        if (ef < k) {
            throw new IllegalArgumentException("param 'ef' must be >= k (" + k + "), got " + ef);
        }
        return ef;
    }

    @Override
    public Operator<?> create(Params params, OperatorEnv env) {
        ItemIndex index = env.require(ItemIndex.class);
        int k = params.getInt("k");
        int ef = ef(params);
        return new Ann(index, RecallFilters.from(params, index), k, ef, params.getInt("nprobe"));
    }

    private record Ann(ItemIndex index, Filter filter, int k, int ef, int nprobe) implements Operator<Candidates> {
        @Override
        public Mono<Candidates> apply(Inputs in, RequestContext ctx) {
            UserProfile p = Ranking.profile(in);
            if (p == null || p.embedding() == null || p.embedding().length != index.config().dim()) {
                return Mono.just(Ranking.empty(in.nodeId()));
            }
            long[] ids = new long[k];
            float[] scores = new float[k];
            int n = nprobe > 0
                    ? index.nearestPartitioned(p.embedding(), k, nprobe, filter, ids, scores)
                    : index.nearest(p.embedding(), k, ef, filter, ids, scores);
            return Mono.just(Candidates.ofSource(in.nodeId(), ids, scores, n));
        }
    }
}
