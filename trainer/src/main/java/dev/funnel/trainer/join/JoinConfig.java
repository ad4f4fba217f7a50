package dev.funnel.trainer.join;

/**
 * Timing of the label join, in event-time milliseconds.
 *
 * @param negativeDelayMillis an item without a positive this long after its impression is emitted as
 *                            a negative (fast emit); a later positive in the window is emitted too
 * @param windowMillis        feedback later than this after the impression is dropped as late
 */
public record JoinConfig(long negativeDelayMillis, long windowMillis) {

    public static final long DEFAULT_NEGATIVE_DELAY_MILLIS = 30_000;
    public static final long DEFAULT_WINDOW_MILLIS = 30 * 60_000;
    public static final JoinConfig DEFAULT = new JoinConfig(DEFAULT_NEGATIVE_DELAY_MILLIS, DEFAULT_WINDOW_MILLIS);

    public JoinConfig {
        if (negativeDelayMillis < 0 || windowMillis < negativeDelayMillis) {
            throw new IllegalArgumentException("join: need 0 <= negativeDelayMillis <= windowMillis, got " + this);
        }
    }
}
