package dev.funnel.operators.rerank;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.index.ItemStore;
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
     * -infinity, so the pass skips it without a branch. Same picks as before, bit for bit: the same
     * float expressions in the same order ({@code MmrRerankTest} compares with the two-pass loop).
     */
    static Candidates rerank(Candidates c, ItemStore items, float lambda, int size) {
        int n = c.size();
        int k = Math.min(size, n);
        if (k == 0) {
            return c.truncate(0);
        }
        float[] rel = Diversity.relevance(c);
        Diversity.UnitVectors emb = Diversity.unitVectors(c, items);
        float w = 1 - lambda;
        float[] relTerm = new float[n]; // lambda * rel, or -infinity once picked
        for (int i = 0; i < n; i++) {
            relTerm[i] = lambda * rel[i];
        }
        float[] maxSim = new float[n];
        float[] sim = new float[n];
        int[] rows = new int[k];
        int best = choose(relTerm, w, null, n); // relevance alone: the earliest of the most relevant
        for (int p = 0; ; ) {
            rows[p] = best;
            relTerm[best] = Float.NEGATIVE_INFINITY;
            if (++p == k) {
                break;
            }
            if (emb.has(best)) {
                emb.similarities(best, sim);
                best = p == 1 ? firstSimilarities(relTerm, w, sim, maxSim, n) : nextSimilarities(relTerm, w, sim, maxSim, n);
            } else {
                best = choose(relTerm, w, p == 1 ? null : maxSim, n); // nothing is similar to it: maxima unchanged
            }
        }
        return c.select(rows, k);
    }

    /** The best value {@code relTerm - w * maxSim} (maxSim 0 when null); ties go to the higher-ranked item. */
    private static int choose(float[] relTerm, float w, float[] maxSim, int n) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = relTerm[i] - w * (maxSim == null ? 0f : maxSim[i]);
            if (v > bestValue) { // strict: ties go to the higher-ranked item
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    /** After the first pick: every maximum is its similarity to that pick; then {@link #choose}'s pick. */
    private static int firstSimilarities(float[] relTerm, float w, float[] sim, float[] maxSim, int n) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float m = sim[i];
            maxSim[i] = m;
            float v = relTerm[i] - w * m;
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    /** After a later pick: every maximum raised to the similarity to it where higher; then {@link #choose}'s pick. */
    private static int nextSimilarities(float[] relTerm, float w, float[] sim, float[] maxSim, int n) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float s = sim[i];
            float m = maxSim[i];
            if (s > m) {
                m = s;
                maxSim[i] = m;
            }
            float v = relTerm[i] - w * m;
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }
}
