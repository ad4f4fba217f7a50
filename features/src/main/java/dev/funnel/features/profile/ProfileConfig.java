package dev.funnel.features.profile;

/**
 * Settings of the in-process profile store. Immutable; validated on construction.
 *
 * @param maxRecentClicks clicks kept per user, most recent first
 * @param embeddingDecay  in [0, 1): the user embedding is {@code normalize(Σ decay^i · item_i)} over
 *                        the recent clicks, the most recent {@code i = 0}; 0.95 gives the last ~20
 *                        clicks most of the weight
 */
public record ProfileConfig(int maxRecentClicks, double embeddingDecay) {

    public static final int DEFAULT_MAX_RECENT_CLICKS = 50;
    public static final double DEFAULT_EMBEDDING_DECAY = 0.95;
    public static final ProfileConfig DEFAULT = new ProfileConfig(DEFAULT_MAX_RECENT_CLICKS, DEFAULT_EMBEDDING_DECAY);

    public ProfileConfig {
        if (maxRecentClicks < 1) {
            throw new IllegalArgumentException("ProfileConfig: maxRecentClicks must be >= 1, got " + maxRecentClicks);
        }
        if (!(embeddingDecay >= 0 && embeddingDecay < 1)) {
            throw new IllegalArgumentException("ProfileConfig: embeddingDecay must be in [0,1), got " + embeddingDecay);
        }
    }
}
