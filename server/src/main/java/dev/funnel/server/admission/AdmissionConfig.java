package dev.funnel.server.admission;

import java.util.concurrent.TimeUnit;

/**
 * Settings of one {@link AdmissionControl}, validated here. Immutable.
 *
 * @param maxInFlight        hard bound on requests in flight per event loop; the limit starts here
 * @param minInFlight        the adaptive limit never goes below this
 * @param targetLatencyNanos a window in which more than {@link #SLOW_SHARE_TO_DECREASE} of the
 *                           completed requests took longer than this shrinks the limit; 0 keeps
 *                           the limit fixed at {@code maxInFlight}
 * @param windowSize         completions per adaptation window
 * @param retryAfterSeconds  the {@code Retry-After} hint sent with a rejection
 */
public record AdmissionConfig(int maxInFlight, int minInFlight, long targetLatencyNanos, int windowSize,
                              int retryAfterSeconds) {

    public static final int DEFAULT_MAX_IN_FLIGHT = 128;
    public static final int DEFAULT_MIN_IN_FLIGHT = 4;
    public static final long DEFAULT_TARGET_LATENCY_NANOS = TimeUnit.MILLISECONDS.toNanos(15);
    public static final int DEFAULT_WINDOW_SIZE = 50;
    public static final int DEFAULT_RETRY_AFTER_SECONDS = 1;
    /**
     * Share of slow completions in a window above which the limit shrinks. Above a few percent so
     * that a slow tail that is not overload (one recall branch stalling on 5% of requests until
     * its deadline) does not throttle the server; overload slows nearly every request.
     */
    public static final double SLOW_SHARE_TO_DECREASE = 0.10;
    /** Multiplicative decrease per window with too many slow completions. */
    public static final double DECREASE_FACTOR = 0.8;

    public static final AdmissionConfig DEFAULT = new AdmissionConfig(DEFAULT_MAX_IN_FLIGHT, DEFAULT_MIN_IN_FLIGHT,
            DEFAULT_TARGET_LATENCY_NANOS, DEFAULT_WINDOW_SIZE, DEFAULT_RETRY_AFTER_SECONDS);

    public AdmissionConfig {
        require(maxInFlight >= 1, "maxInFlight must be >= 1, got " + maxInFlight);
        require(minInFlight >= 1 && minInFlight <= maxInFlight,
                "minInFlight must be in 1..maxInFlight (" + maxInFlight + "), got " + minInFlight);
        require(targetLatencyNanos >= 0, "targetLatencyNanos must be >= 0 (0 = fixed limit), got " + targetLatencyNanos);
        require(windowSize >= 10, "windowSize must be >= 10, got " + windowSize);
        require(retryAfterSeconds >= 1, "retryAfterSeconds must be >= 1, got " + retryAfterSeconds);
    }

    /** A fixed limit: no adaptation. */
    public static AdmissionConfig fixed(int maxInFlight) {
        return new AdmissionConfig(maxInFlight, Math.min(DEFAULT_MIN_IN_FLIGHT, maxInFlight), 0,
                DEFAULT_WINDOW_SIZE, DEFAULT_RETRY_AFTER_SECONDS);
    }

    /** This config with another target latency, in milliseconds (0 = fixed limit). */
    public AdmissionConfig withTargetLatencyMillis(long millis) {
        require(millis >= 0, "targetLatencyMillis must be >= 0, got " + millis);
        return new AdmissionConfig(maxInFlight, minInFlight, TimeUnit.MILLISECONDS.toNanos(millis), windowSize, retryAfterSeconds);
    }

    public boolean adaptive() {
        return targetLatencyNanos > 0;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("admission: " + message);
        }
    }

    @Override
    public String toString() {
        return "AdmissionConfig{maxInFlight=" + maxInFlight + ", minInFlight=" + minInFlight
                + ", targetLatencyMillis=" + targetLatencyNanos / 1e6 + ", windowSize=" + windowSize
                + ", retryAfterSeconds=" + retryAfterSeconds + '}';
    }
}
