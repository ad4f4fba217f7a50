package dev.funnel.operators.recall;

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
import dev.funnel.index.ScoreField;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code recall.inverted}: the user's interest terms (profile interest tags with weights) looked up
 * in a field's posting lists. Each term gets a quota ({@code per_term}, or its share of
 * {@code limit} by weight), fills it with the term's best items by {@code order_by} that pass the
 * pushed-down filter, and an item's score is its term weight × its order score (best term wins).
 */
public final class InvertedRecall implements OperatorFactory {

    /** Each worker's accumulator, reused from one request to the next (a request runs on one thread at a time). */
    private static final ThreadLocal<IdScoreAccumulator> ACC = IdScoreAccumulator.perThread();

    static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.optionalString("field", "tags", "indexed field the interest terms are looked up in"),
            ParamSpec.optionalInt("limit", 800, 1, 10_000, "items to return"),
            ParamSpec.optionalInt("per_term", 0, 0, 10_000, "fixed quota per term; 0 = the term's share of limit by weight"),
            ParamSpec.optionalInt("max_terms", 20, 1, 1_000, "strongest interest terms used"),
            ParamSpec.optionalEnum("order_by", "popularity", List.of("popularity", "freshness"), "order within a posting list"),
            RecallFilters.FILTER,
            RecallFilters.ONLINE_ONLY);

    @Override
    public String name() {
        return "recall.inverted";
    }

    @Override
    public String description() {
        return "Interest terms → posting lists with per-term quotas and pushed-down filters";
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

    /**
     * Posting-list merges over up to {@code max_terms} tags: ~160 µs (p99 ~250 µs) per request on
     * the demo catalog, too long for an event loop, which must stay free to admit and refuse
     * requests when the machine is overloaded.
     */
    @Override
    public boolean cpuHeavy() {
        return true;
    }

    /** What the schema cannot say, checked by every validation path (see {@link OperatorFactory#check}). */
    @Override
    public void check(Params params, List<String> inputIds, OperatorEnv env) {
        env.find(ItemIndex.class).ifPresent(index -> checkField(params.getString("field"), index));
        RecallFilters.check(params, env);
    }

    private static void checkField(String field, ItemIndex index) {
        if (!index.isIndexedField(field)) {
            throw new IllegalArgumentException("param 'field': '" + field + "' has no inverted index");
        }
    }

    @Override
    public Operator<?> create(Params params, OperatorEnv env) {
        ItemIndex index = env.require(ItemIndex.class);
        String field = params.getString("field");
        checkField(field, index);
        return new Inverted(index, field, RecallFilters.from(params, index), params.getInt("limit"), params.getInt("per_term"),
                params.getInt("max_terms"), ScoreField.valueOf(params.getString("order_by").toUpperCase(Locale.ROOT)));
    }

    private record Inverted(ItemIndex index, String field, Filter filter, int limit, int perTerm, int maxTerms,
                            ScoreField orderBy) implements Operator<Candidates> {

        @Override
        public Mono<Candidates> apply(Inputs in, RequestContext ctx) {
            UserProfile p = Ranking.profile(in);
            if (p == null || p.interestTags().isEmpty()) {
                return Mono.just(Ranking.empty(in.nodeId()));
            }
            // strongest terms first
            int n = Math.min(maxTerms, p.interestTags().size());
            String[] terms = new String[p.interestTags().size()];
            float[] weights = new float[terms.length];
            long[] rank = new long[terms.length];
            int t = 0;
            for (Map.Entry<String, Double> e : p.interestTags().entrySet()) {
                terms[t] = e.getKey();
                weights[t] = e.getValue().floatValue();
                rank[t] = t;
                t++;
            }
            int[] order = Ranking.descending(weights, rank, terms.length);
            double total = 0;
            for (int i = 0; i < n; i++) {
                total += Math.max(0, weights[order[i]]);
            }
            IdScoreAccumulator acc = ACC.get().reset(limit, false); // a ThreadLocal read, never blocks: this thread's, emptied
            int cap = perTerm > 0 ? perTerm : limit;
            long[] ids = new long[cap];
            float[] scores = new float[cap];
            for (int i = 0; i < n; i++) {
                float w = Math.max(0, weights[order[i]]);
                int quota = perTerm > 0 ? perTerm : (int) Math.ceil(total > 0 ? limit * w / total : (double) limit / n);
                if (quota <= 0) {
                    continue;
                }
                int m = index.topInTerm(field, terms[order[i]], filter, orderBy, Math.min(quota, cap), ids, scores);
                for (int j = 0; j < m; j++) {
                    acc.add(ids[j], w * scores[j]);
                }
            }
            return Mono.just(acc.top(in.nodeId(), limit));
        }
    }
}
