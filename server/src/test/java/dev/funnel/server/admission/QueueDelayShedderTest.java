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

    /**
     * A shedder that has taken its first sample (with this delay, counted in the first interval),
     * so that from here every 20 samples (100 ms) close exactly one interval.
     */
    private QueueDelayShedder aligned(long firstDelayNanos) {
        QueueDelayShedder s = new QueueDelayShedder(CONFIG);
        s.sample(now, firstDelayNanos);
        return s;
    }

    @Test
    void shedsOnceTheDelayStaysAboveTargetForAWholeInterval() {
        QueueDelayShedder s = aligned(0);
        run(s, 200, 1 * MS);
        assertFalse(s.shedding(), "well below target");
        run(s, 60, 12 * MS);
        assertFalse(s.shedding(), "above target for less than an interval is not yet a standing queue");
        assertEquals(0, shedOf(s, 100));
        run(s, 40, 12 * MS);
        assertTrue(s.shedding(), "above target for a whole interval: shed");
        assertEquals(12 * MS, s.lastIntervalMinNanos());
        assertEquals(QueueDelayShedder.INCREASE_STEP, s.shedFraction());
        assertEquals(25, shedOf(s, 100), "a quarter of arrivals, evenly");
        assertEquals(1, s.sheddingEpisodes());
    }

    @Test
    void theShareGrowsWhileTheQueueStandsUpToEveryRequest() {
        QueueDelayShedder s = aligned(20 * MS);
        run(s, 100, 20 * MS);
        assertEquals(0.25, s.shedFraction());
        run(s, 100, 20 * MS);
        assertEquals(0.5, s.shedFraction());
        run(s, 1_000, 20 * MS);
        assertEquals(1.0, s.shedFraction());
        assertEquals(100, shedOf(s, 100), "a standing queue that shedding does not drain: shed everything");
        assertEquals(1, s.sheddingEpisodes());
    }

    @Test
    void theShareFallsBackToZeroOnceTheQueueIsGone() {
        QueueDelayShedder s = aligned(20 * MS);
        run(s, 1_000, 20 * MS);
        assertEquals(1.0, s.shedFraction());
        // Shedding drains the queue: most samples stay high, but one per interval (every 20th
        // sample at 5 ms) at the target means the queue emptied, so the share goes down.
        for (int i = 0; i < 20; i++) {
            now += 5 * MS;
            s.sample(now, i == 10 ? 5 * MS : 30 * MS);
        }
        assertEquals(0.9, s.shedFraction(), 1e-9);
        run(s, 500, 2 * MS);
        assertEquals(0.4, s.shedFraction(), 1e-9, "one step down per interval");
        run(s, 500, 2 * MS);
        assertEquals(0.0, s.shedFraction(), "ten intervals from full shedding to none");
        assertFalse(s.shedding());
        assertEquals(0, shedOf(s, 1_000));
        assertEquals(1, s.sheddingEpisodes());
    }

    @Test
    void settlesNearTheShareTheServerCannotServe() {
        // A loop offered 8 ms of work per 5 ms (8 arrivals of 1 ms each per tick) serves 62.5%: its
        // queue grows while it sheds less than 37.5% and drains while it sheds more. The share must
        // hover around that, not swing between 0 and 1.
        QueueDelayShedder s = new QueueDelayShedder(CONFIG);
        double queueMillis = 0;
        double lowest = 1;
        double highest = 0;
        for (int tick = 0; tick < 20_000; tick++) {
            int admitted = 8 - shedOf(s, 8);
            queueMillis = Math.max(0, queueMillis + admitted - 5);
            now += 5 * MS;
            s.sample(now, (long) (queueMillis * MS));
            if (tick > 2_000) {
                lowest = Math.min(lowest, s.shedFraction());
                highest = Math.max(highest, s.shedFraction());
            }
        }
        assertTrue(lowest >= 0.1 && highest <= 0.75, "share between " + lowest + " and " + highest);
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
        run(s, 1_000, 25 * MS);
        assertEquals(1.0, s.shedFraction());
        assertFalse(ac.tryAcquire(), "standing queue: shed although far below the in-flight bound");
        assertFalse(ac.tryAcquire());
        assertEquals(2, ac.shedForDelayCount());
        assertEquals(2, ac.rejectedCount());
        ac.release(6 * MS);
        run(s, 1_000, 0);
        assertTrue(ac.tryAcquire(), "queue gone: admit");
        assertEquals(1, ac.inFlight());
    }

    /** How many of {@code arrivals} requests the shedder picks. */
    private static int shedOf(QueueDelayShedder s, int arrivals) {
        int shed = 0;
        for (int i = 0; i < arrivals; i++) {
            if (s.shedNext()) {
                shed++;
            }
        }
        return shed;
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
