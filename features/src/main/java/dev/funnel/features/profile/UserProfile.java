package dev.funnel.features.profile;

import java.util.Map;

/**
 * What serving knows about a user: the output of {@code profile.user}, read by recall, pre-rank and
 * rank. Immutable snapshot; do not modify the arrays.
 *
 * @param userId        external id
 * @param demographics  e.g. {@code age_bucket → 25-34}, {@code gender}, {@code country}
 * @param interestTags  interest tags with weights
 * @param recentClicks  recently clicked item ids, most recent first
 * @param embedding     real-time user embedding (decayed average of clicked items' embeddings),
 *                      or null when the user has none yet
 * @param updatedAtMillis when the real-time part last changed (0 when never)
 */
public record UserProfile(String userId, Map<String, String> demographics, Map<String, Double> interestTags,
                          long[] recentClicks, float[] embedding, long updatedAtMillis) {

    /** A user we know nothing about (cold start). */
    public static UserProfile unknown(String userId) {
        return new UserProfile(userId, Map.of(), Map.of(), new long[0], null, 0);
    }
}
