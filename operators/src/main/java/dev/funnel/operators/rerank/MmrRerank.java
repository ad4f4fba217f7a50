package dev.funnel.operators.rerank;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.index.ItemStore;
import java.util.Arrays;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * {@code rerank.mmr}: maximal marginal relevance (Carbonell &amp; Goldstein 1998). Picks
 * {@code size} items greedily, each maximizing {@code lambda * rel(i) - (1 - lambda) * max_j cos(i, j)}
 * over the items j already picked, where rel is the score scaled to [0, 1] over the list and cos
 * the cosine of item embeddings ({@link ItemStore#embedding}; an item without one is similar to
 * nothing). O(size · n · dim) with the running maximum similarity kept per item. Output: the picked
 * items in pick order, with their incoming scores.
 */
public final class MmrRerank implements OperatorFactory {

    @Override
    public String name() {
        return "rerank.mmr";
    }

    @Override
    public String description() {
        return "Maximal marginal relevance on item embeddings: trades relevance against similarity to items above";
    }

    @Override
    public ParamSchema params() {
        return ParamSchema.of(
                ParamSpec.optionalDouble("lambda", 0.7, 0.0, 1.0, "weight of relevance; 1 keeps the ranked order"),
                ParamSpec.optionalInt("size", 20, 1, 10_000, "items to output"));
    }

    @Override
    public Class<?> outputType() {
        return Candidates.class;
    }

    @Override
    public Set<Class<?>> requiredInputTypes() {
        return Set.of(Candidates.class);
    }

    /** O(size · n · dim): hundreds of microseconds for a page of 50 from 200 candidates, so off the loop. */
    @Override
    public boolean cpuHeavy() {
        return true;
    }

    @Override
    public Operator<Candidates> create(Params params, OperatorEnv env) {
        float lambda = (float) params.getDouble("lambda");
        int size = params.getInt("size");
        ItemStore items = env.require(ItemStore.class);
        return (in, ctx) -> {
            Candidates c = in.first(Candidates.class);
            return c == null ? Mono.empty() : Mono.just(rerank(c, items, lambda, size));
        };
    }

    /**
     * The greedy picks. After each pick one pass over the list brings every item's maximum
     * similarity up to date with that pick, values it and finds the next pick (the pass the eager
     * loop made twice: once to update, once to choose). A picked item's relevance term becomes
     * -infinity, so the pass skips it without a branch.
     *
     * <p>Passes stop short of the items that can no longer be picked. After the first pick an
     * item's value only falls (its maximum similarity only grows), and it never falls below its
     * relevance term less {@code (1 - lambda)} times the largest similarity there can be
     * ({@link #MAX_SIMILARITY}). Call that item j's floor. Take {@code T}, the k-th largest floor of
     * the list: k items have a floor of at least T and at most p of them are picked after p picks, so
     * an item whose value is below T trails at least {@code k - p} unpicked items for every one of
     * the {@code k - p} picks left, and is never picked. Each pass ends where the last item still at
     * or above T stands. Same picks as before, bit for bit: the same float expressions in the same
     * order over the items that can still win ({@code MmrRerankTest} compares with the two-pass loop
     * over every item).
     */
    static Candidates rerank(Candidates c, ItemStore items, float lambda, int size) {
        int n = c.size();
        int k = Math.min(size, n);
        if (k == 0) {
            return c.truncate(0);
        }
        float[] rel = Diversity.relevance(c);
        Diversity.UnitVectors emb = Diversity.unitVectors(c, items);
        Picks picks = new Picks(rel, lambda, n, k);
        int[] rows = new int[k];
        int best = picks.byRelevance(); // the earliest of the most relevant
        for (int p = 0; ; ) {
            rows[p] = best;
            picks.relTerm[best] = Float.NEGATIVE_INFINITY;
            if (++p == k) {
                break;
            }
            if (emb.has(best)) {
                emb.similarities(best, picks.sim, picks.limit);
                best = picks.withSimilarities(p == 1);
            } else {
                best = p == 1 ? picks.byRelevance() : picks.unchanged(); // nothing is similar to it
            }
        }
        return c.select(rows, k);
    }

    /**
     * The largest cosine a pass can see: 1 for unit vectors, plus float rounding (64 products of
     * at most 1 summed in float stay within 1e-5 of the exact sum); a bound, so generous.
     */
    static final float MAX_SIMILARITY = 1.001f;

    /** One rerank's state: relevance terms, maximum similarities, and the prefix passes still cover. */
    private static final class Picks {
        final float w;
        /** lambda * rel, or -infinity once picked. */
        final float[] relTerm;
        final float[] maxSim;
        final float[] sim;
        /** The floor test: a value below it can no longer win (see {@link #rerank}). */
        final float threshold;
        /** Passes cover items [0, limit); every item at or past it is below {@link #threshold}. */
        int limit;

        Picks(float[] rel, float lambda, int n, int k) {
            w = 1 - lambda;
            relTerm = new float[n];
            for (int i = 0; i < n; i++) {
                relTerm[i] = lambda * rel[i];
            }
            maxSim = new float[n];
            sim = new float[n];
            limit = n;
            float[] floors = new float[n];
            float worstSimilarity = w * MAX_SIMILARITY;
            for (int i = 0; i < n; i++) {
                floors[i] = relTerm[i] - worstSimilarity;
            }
            threshold = kthLargest(floors, k);
        }

        /** The best value {@code relTerm} alone (before any similarity is known). */
        int byRelevance() {
            int best = -1;
            float bestValue = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < limit; i++) {
                float v = relTerm[i] - w * 0f;
                if (v > bestValue) { // strict: ties go to the higher-ranked item
                    bestValue = v;
                    best = i;
                }
            }
            return best;
        }

        /**
         * After a pick with a vector, its similarities in {@link #sim}: every maximum set to them
         * ({@code first} pick) or raised to them where higher (a later one); the next pick.
         */
        int withSimilarities(boolean first) {
            int best = -1;
            float bestValue = Float.NEGATIVE_INFINITY;
            int last = 0;
            float t = threshold;
            for (int i = 0; i < limit; i++) {
                float s = sim[i];
                float m = maxSim[i];
                if (first || s > m) {
                    m = s;
                    maxSim[i] = m;
                }
                float v = relTerm[i] - w * m;
                if (v > bestValue) { // strict: ties go to the higher-ranked item
                    bestValue = v;
                    best = i;
                }
                last = v >= t ? i : last;
            }
            limit = last + 1;
            return best;
        }

        /** After a pick without a vector: the maxima stand; the next pick. */
        int unchanged() {
            int best = -1;
            float bestValue = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < limit; i++) {
                float v = relTerm[i] - w * maxSim[i];
                if (v > bestValue) {
                    bestValue = v;
                    best = i;
                }
            }
            return best;
        }
    }

    /** The k-th largest of {@code a} (1-based; a is reordered). */
    static float kthLargest(float[] a, int k) {
        Arrays.sort(a);
        return a[a.length - k];
    }
}
