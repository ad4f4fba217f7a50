package dev.funnel.trainer.join;

/**
 * Timing of the label join, in event-time milliseconds.
 *
 * @param negativeDelayMillis an item without a positive this long after its impression is emitted as
 *                            a negative (fast emit); a later positive in the window is emitted too
 * @param windowMillis        feedback later than this after the impression is dropped as late
 * @param maxEarlyFeedback    at most this many feedback events wait for their impression; beyond it the
 *                            oldest request's are dropped and counted as orphans (feedback for requests
 *                            whose impression was never logged would otherwise fill the heap for a window)
 */
public record JoinConfig(long negativeDelayMillis, long windowMillis, int maxEarlyFeedback) {

    public static final long DEFAULT_NEGATIVE_DELAY_MILLIS = 30_000;
    public static final long DEFAULT_WINDOW_MILLIS = 30 * 60_000;
    /** About 100 bytes each: some 10 MB. */
    public static final int DEFAULT_MAX_EARLY_FEEDBACK = 100_000;
    public static final JoinConfig DEFAULT = new JoinConfig(DEFAULT_NEGATIVE_DELAY_MILLIS, DEFAULT_WINDOW_MILLIS);

    public JoinConfig {
        if (negativeDelayMillis < 0 || windowMillis < negativeDelayMillis) {
            throw new IllegalArgumentException("join: need 0 <= negativeDelayMillis <= windowMillis, got " + this);
        }
        if (maxEarlyFeedback < 1) {
            throw new IllegalArgumentException("join: maxEarlyFeedback must be >= 1, got " + maxEarlyFeedback);
        }
    }

    /** With {@link #DEFAULT_MAX_EARLY_FEEDBACK}. */
    public JoinConfig(long negativeDelayMillis, long windowMillis) {
        this(negativeDelayMillis, windowMillis, DEFAULT_MAX_EARLY_FEEDBACK);
    }
}
