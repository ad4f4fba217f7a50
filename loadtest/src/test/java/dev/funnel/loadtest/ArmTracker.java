package dev.funnel.loadtest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Checks an A/B split as responses arrive: a user stays in one arm (buckets are a stable hash of
 * the user), and once {@code minSamples} answers are in, there are at least {@code expectedArms}
 * arms and each has at least {@code minShare} of the traffic. A violation is thrown from
 * {@link #observe}, which fails that Gatling check, so a broken split shows up as errors and fails
 * the run's error-rate assertion. Thread-safe: many Gatling threads call {@link #observe}.
 */
final class ArmTracker {
    private final int expectedArms;
    private final double minShare;
    private final long minSamples;
    private final ConcurrentHashMap<String, String> armByUser = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> answersByArm = new ConcurrentHashMap<>();
    private final LongAdder answers = new LongAdder();

    ArmTracker(int expectedArms, double minShare, long minSamples) {
        if (expectedArms < 2 || !(minShare > 0) || minShare * expectedArms > 1 || minSamples < 1) {
            throw new IllegalArgumentException("arm tracker: need expectedArms >= 2, 0 < minShare <= 1/expectedArms, minSamples >= 1; got "
                    + expectedArms + ", " + minShare + ", " + minSamples);
        }
        this.expectedArms = expectedArms;
        this.minShare = minShare;
        this.minSamples = minSamples;
    }

    /**
     * Records that {@code userId} was served by {@code arm}.
     *
     * @return the arm
     * @throws IllegalStateException when the user changed arm, or the split is off after enough samples
     */
    String observe(String userId, String arm) {
        String first = armByUser.putIfAbsent(userId, arm);
        if (first != null && !first.equals(arm)) {
            throw new IllegalStateException("user " + userId + " moved from arm '" + first + "' to '" + arm + "'");
        }
        answersByArm.computeIfAbsent(arm, a -> new LongAdder()).increment();
        answers.increment();
        long total = answers.sum();
        if (total >= minSamples) {
            if (answersByArm.size() < expectedArms) {
                throw new IllegalStateException("only " + answersByArm.keySet() + " after " + total
                        + " answers, expected " + expectedArms + " arms");
            }
            long mine = answersByArm.get(arm).sum();
            if ((double) mine / total < minShare) {
                throw new IllegalStateException("arm '" + arm + "' has " + mine + " of " + total
                        + " answers, below the minimum share " + minShare);
            }
        }
        return arm;
    }

    /** Answers per arm so far, sorted by arm. */
    Map<String, Long> split() {
        Map<String, Long> m = new TreeMap<>();
        answersByArm.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    int users() {
        return armByUser.size();
    }
}
