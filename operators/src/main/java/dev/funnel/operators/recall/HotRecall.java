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
import dev.funnel.index.ClickCounts;
import dev.funnel.index.Filter;
import dev.funnel.index.ItemFields;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ScoreField;
import reactor.core.publisher.Mono;


/**
 * {@code recall.hot}: the most popular items passing the node's filter, optionally the top few of
 * every category (a popularity list that is not all one category). Popularity is the items' prior
 * popularity attribute, or with {@code window_hours} the clicks in that window (from
 * {@link ClickCounts}) with the prior list filling the rest. The list is the same for every
 * user, so it is computed once per index version (and per minute when the filter has an age
 * window) and shared by requests ({@link SharedList}): a cache hit is one volatile read, and an
 * acknowledged item write is in the list of every request after it.
 */
public final class HotRecall implements OperatorFactory {

    static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.optionalInt("limit", 300, 1, 10_000, "items to return"),
            ParamSpec.optionalInt("per_category", 0, 0, 10_000, "when > 0: at most this many per category, the best of each"),
            ParamSpec.optionalDouble("window_hours", 0, 0, 24 * 7, "when > 0: rank by clicks in this window first, then by prior popularity"),
            RecallFilters.FILTER,
            RecallFilters.ONLINE_ONLY);

    @Override
    public String name() {
        return "recall.hot";
    }

    @Override
    public String description() {
        return "Most popular items, optionally the top of each category; filters pushed into the index";
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
        double windowHours = params.getDouble("window_hours");
        if (windowHours > 0) {
            env.find(ClickCounts.class).ifPresent(counts -> checkWindow(windowHours, counts));
        }
    }

    private static void checkWindow(double windowHours, ClickCounts counts) {
        if ((long) (windowHours * 3_600_000d) > counts.maxWindowMillis()) {
            throw new IllegalArgumentException("param 'window_hours': the click counts keep " + counts.maxWindowMillis() / 3_600_000d
                    + " hours, got " + windowHours);
        }
    }

    @Override
    public Operator<?> create(Params params, OperatorEnv env) {
        ItemIndex index = env.require(ItemIndex.class);
        double windowHours = params.getDouble("window_hours");
        ClickCounts counts = windowHours > 0 ? env.require(ClickCounts.class) : null;
        long windowMillis = (long) (windowHours * 3_600_000d);
        if (counts != null) {
            checkWindow(windowHours, counts);
        }
        return new Hot(index, counts, windowMillis, RecallFilters.from(params, index), params.getInt("limit"), params.getInt("per_category"));
    }

    private static final class Hot implements Operator<Candidates> {
        private final ItemIndex index;
        private final ClickCounts counts;
        private final long windowMillis;
        private final Filter filter;
        private final int limit;
        private final int perCategory;
        private final SharedList shared;

        Hot(ItemIndex index, ClickCounts counts, long windowMillis, Filter filter, int limit, int perCategory) {
            this.index = index;
            this.counts = counts;
            this.windowMillis = windowMillis;
            this.filter = filter;
            this.limit = limit;
            this.perCategory = perCategory;
            // registered last: the index's writers refresh it only once a request has filled it, after construction
            this.shared = SharedList.register(index, filter, this::minute, this::compute);
        }

        /** The minute for lists that depend on the clock (an age filter or a click window), else 0. */
        private long minute() {
            return filter.createdWithinMillis() >= 0 || counts != null ? index.nowMillis() / 60_000 : 0;
        }

        @Override
        public Mono<Candidates> apply(Inputs in, RequestContext ctx) {
            return Mono.just(shared.get(in.nodeId()));
        }

        private Candidates compute(String source) {
            Candidates prior = computePrior(source);
            if (counts == null) {
                return prior;
            }
            // clicked in the window first (score = clicks, at least 1), then the prior list
            long[] ids = new long[limit * 4];
            float[] clicks = new float[ids.length];
            int n = counts.top(windowMillis, ids, clicks);
            n = index.retain(filter, ids, clicks, n);
            Candidates.Builder b = Candidates.builder(new String[] {source}, limit);
            IdScoreAccumulator taken = new IdScoreAccumulator(limit, false);
            java.util.Map<String, Integer> perCat = new java.util.HashMap<>();
            for (int i = 0; i < n && b.size() < limit; i++) {
                if (perCategory > 0 && perCat.merge(index.category(ids[i]), 1, Integer::sum) > perCategory) {
                    continue;
                }
                taken.add(ids[i], 0);
                b.add(ids[i], clicks[i], 0, clicks[i]);
            }
            for (int i = 0; i < prior.size() && b.size() < limit; i++) {
                if (!taken.contains(prior.id(i))) {
                    b.add(prior.id(i), prior.score(i), 0, prior.score(i));
                }
            }
            return b.build();
        }

        private Candidates computePrior(String source) {
            long[] ids = new long[limit];
            float[] scores = new float[limit];
            if (perCategory == 0) {
                int n = index.top(filter, ScoreField.POPULARITY, limit, ids, scores);
                return Candidates.ofSource(source, ids, scores, n);
            }
            java.util.List<String> cats = index.termValues(ItemFields.CATEGORY);
            long[] allIds = new long[cats.size() * perCategory];
            float[] allScores = new float[allIds.length];
            long[] catIds = new long[perCategory];
            float[] catScores = new float[perCategory];
            int total = 0;
            for (String cat : cats) {
                int n = index.topInTerm(ItemFields.CATEGORY, cat, filter, ScoreField.POPULARITY, perCategory, catIds, catScores);
                System.arraycopy(catIds, 0, allIds, total, n);
                System.arraycopy(catScores, 0, allScores, total, n);
                total += n;
            }
            int[] order = Ranking.descending(allScores, allIds, total);
            int n = Math.min(limit, total);
            for (int i = 0; i < n; i++) {
                ids[i] = allIds[order[i]];
                scores[i] = allScores[order[i]];
            }
            return Candidates.ofSource(source, ids, scores, n);
        }
    }
}
