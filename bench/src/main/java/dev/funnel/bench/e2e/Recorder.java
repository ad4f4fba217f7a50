package dev.funnel.bench.e2e;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Latencies and outcomes of one phase, kept whole (a few hundred thousand longs at most) and sorted
 * once at the end, with a per-second breakdown for the timeline. Event-loop confined.
 */
final class Recorder {
    final Phase phase;
    final long startNanos;
    /** Wall-clock time of {@link #startNanos}, for lining the timeline up with GC and system logs. */
    private final long startEpochMillis;
    long sent;
    private long served;
    private long shed;
    private long shedWithRetry;
    private long failed;
    private long[] servedNanos = new long[1024];
    private long[] shedNanos = new long[256];
    private final Second[] seconds;
    private String firstError;

    Recorder(Phase phase, long startNanos) {
        this.phase = phase;
        this.startNanos = startNanos;
        this.startEpochMillis = System.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(startNanos - System.nanoTime());
        this.seconds = new Second[phase.seconds()];
        for (int i = 0; i < seconds.length; i++) {
            seconds[i] = new Second();
        }
    }

    void answer(long dueNanos, int status, boolean retryAfter, long latencyNanos) {
        Second s = second(dueNanos);
        if (status >= 200 && status < 300) {
            if (served == servedNanos.length) {
                servedNanos = Arrays.copyOf(servedNanos, servedNanos.length * 2);
            }
            servedNanos[(int) served++] = latencyNanos;
            s.add(latencyNanos);
        } else if (status == 503) {
            if (shed == shedNanos.length) {
                shedNanos = Arrays.copyOf(shedNanos, shedNanos.length * 2);
            }
            shedNanos[(int) shed++] = latencyNanos;
            if (retryAfter) {
                shedWithRetry++;
            }
            s.shed++;
        } else {
            failed++;
            s.failed++;
            if (firstError == null) {
                firstError = "HTTP " + status;
            }
        }
    }

    void error(long dueNanos, long latencyNanos, Throwable cause) {
        failed++;
        second(dueNanos).failed++;
        if (firstError == null) {
            firstError = String.valueOf(cause);
        }
    }

    private Second second(long dueNanos) {
        int i = (int) TimeUnit.NANOSECONDS.toSeconds(dueNanos - startNanos);
        return seconds[Math.max(0, Math.min(seconds.length - 1, i))];
    }

    PhaseResult result() {
        long[] ok = Arrays.copyOf(servedNanos, (int) served);
        Arrays.sort(ok);
        long[] sh = Arrays.copyOf(shedNanos, (int) shed);
        Arrays.sort(sh);
        if (firstError != null) {
            System.out.println(phase.label() + ": first failure: " + firstError);
        }
        return new PhaseResult(phase, sent, served, shed, shedWithRetry, failed,
                millis(ok, 0.50), millis(ok, 0.90), millis(ok, 0.99), ok.length == 0 ? Double.NaN : ok[ok.length - 1] / 1e6,
                millis(sh, 0.99), (double) served / phase.seconds());
    }

    void printTimeline() {
        for (int i = 0; i < seconds.length; i++) {
            Second s = seconds[i];
            long[] ok = Arrays.copyOf(s.latencies, s.n);
            Arrays.sort(ok);
            System.out.printf(Locale.ROOT, "  %-12s t=%3ds %tT served=%5d p99=%7.2fms max=%7.2fms shed=%5d failed=%d%n",
                    phase.label(), i, startEpochMillis + i * 1000L, s.n, millis(ok, 0.99), millis(ok, 1.0), s.shed, s.failed);
        }
    }

    static double millis(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
    }

    private static final class Second {
        long[] latencies = new long[64];
        int n;
        long shed;
        long failed;

        void add(long latencyNanos) {
            if (n == latencies.length) {
                latencies = Arrays.copyOf(latencies, n * 2);
            }
            latencies[n++] = latencyNanos;
        }
    }
}
