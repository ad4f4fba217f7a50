package dev.funnel.server.admission;

import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link CpuLoadShedder}, validated here. Immutable.
 *
 * @param targetPercent the process's CPU use, in percent of the cores it may use, above which the
 *                      server sheds a share of new requests (see {@link CpuLoadShedder}); 0 turns
 *                      CPU-based shedding off
 * @param intervalNanos how often the process's CPU time is read, and the period of every adjustment.
 *                      On Linux the JVM reads it in clock ticks (10 ms), so over an interval of
 *                      {@code I} ms on {@code n} cores a utilization is known to ±10 / (I × n): the
 *                      default 100 ms gives ±5% on two cores (50 ms gave ±10%, and shed at the
 *                      sustainable rate in the e2e runs of session 12)
 */
public record CpuLoadConfig(int targetPercent, long intervalNanos) {

    public static final long DEFAULT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Off: a target only the operator can pick (it depends on what else runs on the machine). */
    public static final CpuLoadConfig OFF = new CpuLoadConfig(0, DEFAULT_INTERVAL_NANOS);

    public CpuLoadConfig {
        if (targetPercent < 0 || targetPercent > 99) {
            throw new IllegalArgumentException("admission: admission.cpu.target.percent must be in 1..99 (0 = off), got "
                    + targetPercent);
        }
        if (intervalNanos < TimeUnit.MILLISECONDS.toNanos(10)) {
            throw new IllegalArgumentException("admission: admission.cpu.interval.ms must be >= 10, got "
                    + intervalNanos / 1e6);
        }
    }

    /** From the {@code admission.cpu.*} keys' units. */
    public static CpuLoadConfig of(int targetPercent, long intervalMillis) {
        return new CpuLoadConfig(targetPercent, TimeUnit.MILLISECONDS.toNanos(intervalMillis));
    }

    public boolean enabled() {
        return targetPercent > 0;
    }

    /** The target as a share of the cores, 0 to 1. */
    public double target() {
        return targetPercent / 100.0;
    }

    @Override
    public String toString() {
        return "CpuLoadConfig{targetPercent=" + targetPercent + ", intervalMillis=" + intervalNanos / 1e6 + '}';
    }
}
