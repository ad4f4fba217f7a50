package dev.funnel.operators.rerank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.operators.testing.MapItemStore;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link MmrRerank}'s one-pass greedy against the two-pass loop it replaced (kept here as the
 * reference): the same picks in the same order on random lists built to hit the corners —
 * tied scores, duplicate and near-duplicate vectors, items without a vector or with a zero or
 * wrongly sized one, a first pick without a vector, every lambda from 0 to 1.
 */
class MmrRerankTest {

    @Test
    void onePassPicksAreTheTwoPassPicksOnRandomLists() {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] lambdas = {0f, 0.3f, 0.5f, 0.7f, 0.9f, 1f};
        int longRuns = 0;
        for (int round = 0; round < 600; round++) {
            int n = 1 + rnd.nextInt(round % 10 == 0 ? 400 : 60);
            int dim = 1 + rnd.nextInt(round % 3 == 0 ? 70 : 9);
            MapItemStore store = new MapItemStore();
            long[] ids = new long[n];
            float[] scores = new float[n];
            float[][] pool = new float[1 + rnd.nextInt(Math.max(1, n / 3))][];
            for (int v = 0; v < pool.length; v++) {
                pool[v] = vector(rnd, dim);
            }
            for (int i = 0; i < n; i++) {
                ids[i] = 1000 + i;
                scores[i] = rnd.nextInt(4) == 0 ? 0.25f * rnd.nextInt(4) : (float) rnd.nextDouble(); // ties
                int kind = rnd.nextInt(10);
                if (kind == 0 || (i == 0 && round % 4 == 0)) {
                    continue; // no vector (the first, highest-scored item too, now and then)
                } else if (kind == 1) {
                    store.embed(ids[i], new float[dim]); // all zeros
                } else if (kind == 2) {
                    store.embed(ids[i], vector(rnd, dim + 1)); // another width: similar to nothing
                } else if (kind < 6) {
                    store.embed(ids[i], pool[rnd.nextInt(pool.length)].clone()); // duplicates
                } else {
                    store.embed(ids[i], vector(rnd, dim));
                }
            }
            if (round % 5 == 0) {
                java.util.Arrays.sort(scores); // ranked lists come best first; ties among the best
                for (int a = 0, b = n - 1; a < b; a++, b--) {
                    float t = scores[a];
                    scores[a] = scores[b];
                    scores[b] = t;
                }
            }
            Candidates c = Candidates.fromSource("rank", ids, scores, n);
            float lambda = round % 7 == 6 ? (float) rnd.nextDouble() : lambdas[round % lambdas.length];
            int size = 1 + rnd.nextInt(n + 2);
            long[] expected = eager(c, store, lambda, size);
            long[] got = MmrRerank.rerank(c, store, lambda, size).idsCopy();
            assertArrayEquals(expected, got, "round " + round + ": n=" + n + " dim=" + dim + " lambda=" + lambda + " size=" + size);
            longRuns += size > 2 ? 1 : 0;
        }
        assertTrue(longRuns > 300, "the rounds must pick more than two items often: " + longRuns);
    }

    private static float[] vector(SplittableRandom rnd, int dim) {
        float[] v = new float[dim];
        for (int d = 0; d < dim; d++) {
            v[d] = (float) rnd.nextGaussian();
        }
        return v;
    }

    /** The two-pass greedy (update every maximum, then choose), as MmrRerank computed it before. */
    private static long[] eager(Candidates c, MapItemStore items, float lambda, int size) {
        int n = c.size();
        int k = Math.min(size, n);
        if (k == 0) {
            return new long[0];
        }
        float[] rel = Diversity.relevance(c);
        Diversity.UnitVectors emb = Diversity.unitVectors(c, items);
        float[] maxSim = new float[n];
        float[] sim = new float[n];
        boolean[] picked = new boolean[n];
        long[] out = new long[k];
        for (int p = 0; p < k; p++) {
            int best = -1;
            float bestValue = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                if (picked[i]) {
                    continue;
                }
                float v = lambda * rel[i] - (1 - lambda) * (p == 0 ? 0f : maxSim[i]);
                if (v > bestValue) {
                    bestValue = v;
                    best = i;
                }
            }
            picked[best] = true;
            out[p] = c.id(best);
            if (emb.has(best)) {
                emb.similarities(best, sim);
                for (int i = 0; i < n; i++) {
                    if (!picked[i]) {
                        float s = sim[i];
                        if (p == 0 || s > maxSim[i]) {
                            maxSim[i] = s;
                        }
                    }
                }
            }
        }
        return out;
    }
}
