package dev.funnel.server.admission;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CoDel-style decisions of {@link QueueDelayShedder} on a clock the test moves: samples every
 * 5 ms, target 5 ms, interval 100 ms.
 */
class QueueDelayShedderTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final QueueDelayConfig CONFIG = QueueDelayConfig.ofMillis(5, 100, 5);

    private long now = 1_000 * MS;

    /** Samples every 5 ms for {@code millis}, each with this delay. */
    private void run(QueueDelayShedder s, long millis, long delayNanos) {
        for (long t = 0; t < millis; t += 5) {
            now += 5 * MS;
            s.sample(now, delayNanos);
        }
    }

    @Test
    void shedsOnceTheDelayStaysAboveTargetForAWholeInterval() {
        QueueDelayShedder s = new QueueDelayShedder(CONFIG);
        run(s, 200, 1 * MS);
        assertFalse(s.shedding(), "well below target");
        run(s, 60, 12 * MS);
        assertFalse(s.shedding(), "above target for less than an interval is not yet a standing queue");
        run(s, 200, 12 * MS);
        assertTrue(s.shedding(), "above target for a whole interval: shed");
        assertEquals(12 * MS, s.lastIntervalMinNanos());
        assertEquals(1, s.sheddingEpisodes());
    }

    @Test
    void admitsAgainOnceAnIntervalsSmallestDelayIsBackAtTarget() {
        QueueDelayShedder s = new QueueDelayShedder(CONFIG);
        run(s, 300, 20 * MS);
        assertTrue(s.shedding());
        // Shedding drains the queue: most samples stay high, but one per interval (every 20th
        // sample at 5 ms) at the target means the queue emptied, which is enough to admit.
        for (int i = 0; i < 200; i++) {
            now += 5 * MS;
            s.sample(now, i % 20 == 19 ? 5 * MS : 30 * MS);
            if (i >= 40) {
                assertFalse(s.shedding(), "sample " + i);
            }
        }
        run(s, 500, 2 * MS);
        assertFalse(s.shedding());
        assertEquals(1, s.sheddingEpisodes());
        long intervals = s.sheddingIntervals();
        assertTrue(intervals >= 1 && intervals <= 4, "shed intervals " + intervals);
    }

    @Test
    void burstsAndPausesBelowAnIntervalNeverShed() {
        QueueDelayShedder s = new QueueDelayShedder(CONFIG);
        for (int i = 0; i < 2_000; i++) {
            now += 5 * MS;
            // Every tenth sample 40 ms late (a GC pause, a burst), the rest on time.
            s.sample(now, i % 10 == 0 ? 40 * MS : 300_000);
            assertFalse(s.shedding(), "sample " + i);
        }
    }

    @Test
    void oneLateSampleAfterALongStallIsNotAStandingQueue() {
        QueueDelayShedder s = new QueueDelayShedder(CONFIG);
        run(s, 100, 0);
        // The loop stalls 300 ms (a long GC pause): the next tick is 300 ms late and alone in its interval.
        now += 300 * MS;
        s.sample(now, 300 * MS);
        assertFalse(s.shedding(), "one sample cannot decide to shed");
        run(s, 200, 100_000);
        assertFalse(s.shedding());
        assertEquals(0, s.sheddingIntervals());
    }

    @Test
    void timersWaitingOnASlowBranchAreNoQueueingDelay() {
        // The slow-branch case through the whole admission path: a loop whose probe ticks run on
        // time while many requests sit in flight waiting on 500 ms timers, 5% of them slow. Neither
        // the delay shedder nor the in-flight bound sheds.
        QueueDelayShedder s = new QueueDelayShedder(CONFIG);
        AdmissionControl ac = new AdmissionControl(AdmissionConfig.DEFAULT, s);
        int held = 0;
        for (int i = 0; i < 5_000; i++) {
            assertTrue(ac.tryAcquire(), "request " + i + " shed: " + ac);
            if (i % 20 == 0) {
                held++; // waits for its stalled branch
            } else {
                ac.release(6 * MS);
            }
            if (held > 40) {
                ac.release(500 * MS);
                held--;
            }
            now += MS;
            if (i % 5 == 0) {
                s.sample(now, 400_000); // the loop is idle between requests: ticks are on time
            }
        }
        assertEquals(0, ac.rejectedCount());
        assertFalse(s.shedding());
    }

    @Test
    void admissionShedsWhileTheShedderSaysSoAndCountsIt() {
        QueueDelayShedder s = new QueueDelayShedder(CONFIG);
        AdmissionControl ac = new AdmissionControl(AdmissionConfig.DEFAULT, s);
        assertTrue(ac.tryAcquire());
        run(s, 300, 25 * MS);
        assertFalse(ac.tryAcquire(), "standing queue: shed although far below the in-flight bound");
        assertFalse(ac.tryAcquire());
        assertEquals(2, ac.shedForDelayCount());
        assertEquals(2, ac.rejectedCount());
        ac.release(6 * MS);
        run(s, 200, 0);
        assertTrue(ac.tryAcquire(), "queue gone: admit");
        assertEquals(1, ac.inFlight());
    }

    @Test
    void targetZeroNeverSheds() {
        QueueDelayShedder s = new QueueDelayShedder(QueueDelayConfig.OFF);
        run(s, 2_000, TimeUnit.SECONDS.toNanos(1));
        assertFalse(s.shedding());
    }

    @Test
    void configRejectsBadValuesNamingThem() {
        assertMessage("admission.delay.target.ms must be >= 0 (0 = off), got -1.0", () -> QueueDelayConfig.ofMillis(-1, 100, 5));
        assertMessage("admission.delay.probe.ms must be >= 1, got 0.0", () -> QueueDelayConfig.ofMillis(5, 100, 0));
        assertMessage("admission.delay.interval.ms must be >= 3 probe periods (15.0), got 10.0",
                () -> QueueDelayConfig.ofMillis(5, 10, 5));
        assertMessage("admission.delay.target.ms must be below admission.delay.interval.ms (100.0), got 100.0",
                () -> QueueDelayConfig.ofMillis(100, 100, 5));
        assertTrue(QueueDelayConfig.DEFAULT.toString().contains("targetMillis=5.0"), QueueDelayConfig.DEFAULT.toString());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertEquals("admission: " + expected, ex.getMessage());
    }
}
