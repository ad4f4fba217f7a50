package dev.funnel.operators.prerank;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.index.ItemStore;
import dev.funnel.index.VectorMath;
import dev.funnel.operators.rank.TopRows;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * {@code prerank.two_tower}: the cheap stage before the ranker. Scores every candidate by the dot
 * product of the user vector (the profile's real-time embedding, from a {@code profile.user}
 * input) and the item vector ({@link ItemStore#embedding}), keeps the top {@code keep} with a
 * buffered selection ({@link TopRows}; it was a heap, which cost more where k is a third of n) —
 * O(n · dim) and no allocation per candidate. An item without a vector scores -1 (the floor
 * for unit vectors). Without a user vector the list keeps its incoming order and scores, cut to
 * {@code keep}.
 */
public final class TwoTowerPrerank implements OperatorFactory {

    /** Score of an item without an embedding. */
    static final float MISSING_SCORE = -1f;

    @Override
    public String name() {
        return "prerank.two_tower";
    }

    @Override
    public String description() {
        return "Dot product of user and item vectors over all candidates, keeps the top by a buffered selection";
    }

    @Override
    public ParamSchema params() {
        return ParamSchema.of(ParamSpec.optionalInt("keep", 300, 1, 100_000, "candidates to keep, best first"));
    }

    @Override
    public Class<?> outputType() {
        return Candidates.class;
    }

    @Override
    public Set<Class<?>> requiredInputTypes() {
        return Set.of(Candidates.class);
    }

    /** Candidates are needed; without a profile the list passes through cut to {@code keep}. */
    @Override
    public int defaultMinInputs() {
        return 1;
    }

    /** Thousands of dot products. */
    @Override
    public boolean cpuHeavy() {
        return true;
    }

    @Override
    public Operator<Candidates> create(Params params, OperatorEnv env) {
        int keep = params.getInt("keep");
        ItemStore items = env.require(ItemStore.class);
        return (in, ctx) -> {
            Candidates c = in.first(Candidates.class);
            if (c == null) {
                return Mono.empty();
            }
            UserProfile p = in.first(UserProfile.class);
            return Mono.just(prerank(c, p == null ? null : p.embedding(), items, keep));
        };
    }

    static Candidates prerank(Candidates c, float[] user, ItemStore items, int keep) {
        int n = c.size();
        if (user == null || n == 0) {
            return c.truncate(keep);
        }
        int k = Math.min(keep, n);
        float[][] vectors = new float[n][]; // references only, one array per request
        items.embeddings(c.idsView(), n, vectors); // all lookups first: their cache misses overlap
        TopRows top = new TopRows(k);
        float[] pair = new float[2];
        int i = 0;
        for (; i + 1 < n; i += 2) {
            float[] a = vectors[i];
            float[] b = vectors[i + 1];
            if (a != null && b != null && a.length == b.length) {
                // Two at a time, the same floats as dot(): the user vector's loads shared, twice the sums in flight.
                VectorMath.dot2(user, a, b, Math.min(user.length, a.length), pair, 0);
                top.offer(i, pair[0]);
                top.offer(i + 1, pair[1]);
            } else {
                top.offer(i, score(user, a));
                top.offer(i + 1, score(user, b));
            }
        }
        if (i < n) {
            top.offer(i, score(user, vectors[i]));
        }
        int[] rows = new int[k];
        float[] scores = new float[k];
        int m = top.drainDescending(rows, scores);
        return c.select(rows, m, scores);
    }

    private static float score(float[] user, float[] e) {
        return e == null ? MISSING_SCORE : dot(user, e);
    }

    /** User · item over the shorter of the two (the index's kernel: four accumulators). */
    static float dot(float[] a, float[] b) {
        return VectorMath.dot(a, 0, b, 0, Math.min(a.length, b.length));
    }
}
