package dev.funnel.bench.e2e;

import java.util.Locale;

/**
 * What one phase measured. Latencies in milliseconds, from each request's due time.
 *
 * @param served        2xx answers
 * @param shed          503 answers
 * @param shedWithRetry 503 answers that carried {@code Retry-After}
 * @param failed        other statuses, timeouts and connection errors
 */
record PhaseResult(Phase phase, long sent, long served, long shed, long shedWithRetry, long failed,
                   double p50Millis, double p90Millis, double p99Millis, double maxMillis,
                   double shedP99Millis, double achievedRate) {

    double failedShare() {
        long answered = served + shed + failed;
        return answered == 0 ? 1.0 : (double) (failed + shed) / answered;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "%-14s rate=%.0f/s sent=%d served=%d (%.0f/s) p50=%.2fms p90=%.2fms p99=%.2fms max=%.1fms shed=%d (%.1f%%, p99 %.2fms, retry-after %d) failed=%d",
                phase.label(), phase.rate(), sent, served, achievedRate, p50Millis, p90Millis, p99Millis, maxMillis,
                shed, sent == 0 ? 0.0 : 100.0 * shed / sent, shedP99Millis, shedWithRetry, failed);
    }
}
