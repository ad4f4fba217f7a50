package dev.funnel.sim;

import java.util.Map;

/**
 * One user. The taste vector is hidden ground truth: the serving path must never read it; only the
 * click model (and oracle reports) may.
 *
 * @param id           external user id, e.g. {@code u000042}
 * @param index        0-based index in the world
 * @param ageBucket    e.g. {@code 25-34}
 * @param gender       {@code f}, {@code m} or {@code x}
 * @param country      ISO-ish code
 * @param taste        hidden unit-length taste vector; do not modify
 * @param interestTags declared/observed interest tags with weights (what a profile store knows)
 * @param recentClicks item ids clicked before the world's now, most recent first (history)
 */
public record SimUser(String id, int index, String ageBucket, String gender, String country, float[] taste,
                      Map<String, Double> interestTags, long[] recentClicks) {
}
