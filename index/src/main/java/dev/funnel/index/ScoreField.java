package dev.funnel.index;

/** The score fields posting lists can be ordered by, best first. */
public enum ScoreField {
    /** Popularity, highest first; the score is the popularity. */
    POPULARITY,
    /** Creation time, newest first; the score is {@code 1 / (1 + age in hours)}. */
    FRESHNESS
}
