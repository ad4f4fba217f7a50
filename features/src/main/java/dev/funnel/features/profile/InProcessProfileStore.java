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

    private final Map<String, UserProfile> profiles = new ConcurrentHashMap<>();
    private final ItemEmbeddings items;
    private final ProfileConfig config;

    public InProcessProfileStore(ItemEmbeddings items, ProfileConfig config) {
        this.items = items;
        this.config = config;
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
            return new UserProfile(id, p.demographics(), p.interestTags(), prepend(p.recentClicks(), itemId),
                    item == null ? p.embedding() : blend(p.embedding(), item), Math.max(p.updatedAtMillis(), tsMillis));
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

    /** Folds clicks oldest to newest, so the most recent weigh most. */
    private float[] embeddingFromClicks(long[] mostRecentFirst) {
        float[] e = null;
        for (int i = mostRecentFirst.length - 1; i >= 0; i--) {
            float[] item = items.embedding(mostRecentFirst[i]);
            if (item != null) {
                e = blend(e, item);
            }
        }
        return e;
    }

    private float[] blend(float[] user, float[] item) {
        float[] out = new float[item.length];
        if (user == null || user.length != item.length) {
            System.arraycopy(item, 0, out, 0, item.length);
        } else {
            double a = config.embeddingDecay();
            for (int d = 0; d < out.length; d++) {
                out[d] = (float) (a * user[d] + (1 - a) * item[d]);
            }
        }
        double norm = 0;
        for (float v : out) {
            norm += v * v;
        }
        if (norm > 0) {
            float inv = (float) (1 / Math.sqrt(norm));
            for (int d = 0; d < out.length; d++) {
                out[d] *= inv;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "InProcessProfileStore{users=" + profiles.size() + ", " + config + '}';
    }
}
