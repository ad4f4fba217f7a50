package dev.funnel.server.admission;

import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link QueueDelayShedder} and the probes that feed it, validated here. Immutable.
 *
 * @param targetNanos      queueing delay the server accepts; each interval whose smallest sampled
 *                         delay stays above it raises the share of new requests the event loop
 *                         sheds, each interval back at or below it lowers that share (see
 *                         {@link QueueDelayShedder}). 0 turns delay-based shedding off (the
 *                         in-flight bound of {@link AdmissionConfig} still applies)
 * @param intervalNanos    how long the delay must stay above the target before shedding starts, and
 *                         the period of every later adjustment (CoDel's interval)
 * @param probePeriodNanos how often each event loop samples its own scheduling delay and the
 *                         worker pool's hand-off delay
 */
public record QueueDelayConfig(long targetNanos, long intervalNanos, long probePeriodNanos) {

    public static final long DEFAULT_TARGET_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    public static final long DEFAULT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    public static final long DEFAULT_PROBE_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /**
     * Fewest samples an interval needs before it can start shedding: one late sample after a long
     * stall (a GC pause, the loop descheduled) is a single event, not a standing queue.
     */
    public static final int MIN_SAMPLES_PER_INTERVAL = 3;

    public static final QueueDelayConfig DEFAULT = new QueueDelayConfig(DEFAULT_TARGET_NANOS, DEFAULT_INTERVAL_NANOS,
            DEFAULT_PROBE_PERIOD_NANOS);
    /** Delay-based shedding off. */
    public static final QueueDelayConfig OFF = new QueueDelayConfig(0, DEFAULT_INTERVAL_NANOS, DEFAULT_PROBE_PERIOD_NANOS);

    public QueueDelayConfig {
        require(targetNanos >= 0, "admission.delay.target.ms must be >= 0 (0 = off), got " + millis(targetNanos));
        require(probePeriodNanos >= TimeUnit.MILLISECONDS.toNanos(1),
                "admission.delay.probe.ms must be >= 1, got " + millis(probePeriodNanos));
        require(intervalNanos >= MIN_SAMPLES_PER_INTERVAL * probePeriodNanos,
                "admission.delay.interval.ms must be >= " + MIN_SAMPLES_PER_INTERVAL + " probe periods ("
                        + millis(MIN_SAMPLES_PER_INTERVAL * probePeriodNanos) + "), got " + millis(intervalNanos));
        require(targetNanos < intervalNanos, "admission.delay.target.ms must be below admission.delay.interval.ms ("
                + millis(intervalNanos) + "), got " + millis(targetNanos));
    }

    /** From milliseconds, as the {@code admission.delay.*} config keys give them. */
    public static QueueDelayConfig ofMillis(long targetMillis, long intervalMillis, long probePeriodMillis) {
        return new QueueDelayConfig(TimeUnit.MILLISECONDS.toNanos(targetMillis),
                TimeUnit.MILLISECONDS.toNanos(intervalMillis), TimeUnit.MILLISECONDS.toNanos(probePeriodMillis));
    }

    public boolean enabled() {
        return targetNanos > 0;
    }

    /** Milliseconds, as the config keys speak them. */
    private static String millis(long nanos) {
        return Double.toString(nanos / 1e6);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("admission: " + message);
        }
    }

    @Override
    public String toString() {
        return "QueueDelayConfig{targetMillis=" + targetNanos / 1e6 + ", intervalMillis=" + intervalNanos / 1e6
                + ", probePeriodMillis=" + probePeriodNanos / 1e6 + '}';
    }
}
