package dev.funnel.streams;

import java.util.concurrent.locks.LockSupport;

/**
 * How a polling thread waits while its source is empty: it parks {@code minNanos} after the first
 * empty poll, twice as long after each further one up to {@code maxNanos}, and back to
 * {@code minNanos} as soon as a poll finds work. A consumer that parked a fixed 100 µs woke ~5,000
 * times a second with nothing to do; on two cores those wakeups are CPU and scheduler noise that
 * the request threads pay for. With the backoff an idle consumer wakes about {@code 1/maxNanos}
 * times a second, and a busy one keeps its short first wait. One instance per thread; not
 * thread-safe.
 */
public final class IdleBackoff {
    private final long minNanos;
    private final long maxNanos;
    private long next;

    /**
     * @param minNanos the first park after work (the latency a consumer adds when work resumes soon)
     * @param maxNanos the longest park (the most latency an idle consumer adds to the next record)
     */
    public IdleBackoff(long minNanos, long maxNanos) {
        if (minNanos <= 0 || maxNanos < minNanos) {
            throw new IllegalArgumentException("idle backoff needs 0 < minNanos <= maxNanos, got " + minNanos + " and " + maxNanos);
        }
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
        this.next = minNanos;
    }

    /** After a poll that found nothing: parks, and lengthens the next park. */
    public void idle() {
        long nanos = next;
        next = Math.min(maxNanos, nanos * 2);
        LockSupport.parkNanos(this, nanos);
    }

    /** After a poll that found work: the next park is the shortest again. */
    public void reset() {
        next = minNanos;
    }

    /** How long the next {@link #idle()} parks. */
    public long nextParkNanos() {
        return next;
    }
}
