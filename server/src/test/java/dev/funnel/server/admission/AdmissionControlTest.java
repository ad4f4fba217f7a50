package dev.funnel.server.admission;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdmissionControlTest {
    private static final long FAST = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long SLOW = TimeUnit.MILLISECONDS.toNanos(40);
    private static final AdmissionConfig ADAPTIVE = new AdmissionConfig(64, 4, TimeUnit.MILLISECONDS.toNanos(15), 50, 1);

    @Test
    void fixedLimitAdmitsUpToTheBoundThenShedsAtOnce() {
        AdmissionControl ac = new AdmissionControl(AdmissionConfig.fixed(3));
        assertTrue(ac.tryAcquire());
        assertTrue(ac.tryAcquire());
        assertTrue(ac.tryAcquire());
        assertFalse(ac.tryAcquire());
        assertFalse(ac.tryAcquire());
        assertEquals(3, ac.inFlight());
        assertEquals(3, ac.admittedCount());
        assertEquals(2, ac.rejectedCount());

        ac.release(FAST);
        assertTrue(ac.tryAcquire(), "a released slot is free again");
        assertEquals(3, ac.limit(), "a fixed limit never moves");
    }

    @Test
    void fixedLimitIgnoresLatency() {
        AdmissionControl ac = new AdmissionControl(AdmissionConfig.fixed(8));
        for (int i = 0; i < 500; i++) {
            assertTrue(ac.tryAcquire());
            ac.release(SLOW);
        }
        assertEquals(8, ac.limit());
    }

    @Test
    void releaseWithoutAcquireIsAWiringBug() {
        AdmissionControl ac = new AdmissionControl(AdmissionConfig.DEFAULT);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ac.release(FAST));
        assertTrue(e.getMessage().contains("without a matching tryAcquire"), e.getMessage());
        assertEquals(0, ac.inFlight(), "the counter is not left negative");
        assertTrue(ac.tryAcquire());
    }

    @Test
    void overloadLatencyShrinksTheLimitMultiplicativelyDownToTheFloor() {
        AdmissionControl ac = new AdmissionControl(ADAPTIVE);
        completeWindowAtTheBound(ac, 50, SLOW);
        assertEquals(64, ac.limit(), "one slow window is a tail, not overload");
        completeWindowAtTheBound(ac, 50, SLOW);
        assertEquals(40, ac.limit(), "the second in a row: 50 in flight (the window's size) * 0.8");
        completeWindowAtTheBound(ac, 50, SLOW);
        assertEquals(32, ac.limit(), "40 * 0.8");
        for (int w = 0; w < 30; w++) {
            completeWindowAtTheBound(ac, 50, SLOW);
        }
        assertEquals(4, ac.limit(), "never below minInFlight");
        // At the floor, the fifth concurrent request is shed.
        for (int i = 0; i < 4; i++) {
            assertTrue(ac.tryAcquire());
        }
        assertFalse(ac.tryAcquire());
    }

    @Test
    void aLimitFarAboveTheConcurrencyReachedComesDownToItInOneWindow() {
        // Overload on a small machine: 8 in flight on this loop and all slow, with the limit at 64.
        AdmissionControl ac = new AdmissionControl(ADAPTIVE);
        completeWindowWithInFlight(ac, 50, 8, SLOW);
        completeWindowWithInFlight(ac, 50, 8, SLOW);
        assertEquals(6, ac.limit(), "8 reached * 0.8, not 64 * 0.8");
        completeWindowAtTheBound(ac, 50, SLOW);
        assertEquals(4, ac.limit(), "6 * 0.8, at the floor");
        // three at once is below minInFlight: slow, but no queue the bound can shorten
        AdmissionControl low = new AdmissionControl(ADAPTIVE);
        completeWindowWithInFlight(low, 50, 3, SLOW);
        completeWindowWithInFlight(low, 50, 3, SLOW);
        assertEquals(64, low.limit());
    }

    @Test
    void slowWindowsThatDoNotFollowEachOtherNeverShrinkTheLimit() {
        // A tail that tips every other window over the share (a GC cycle, a stalled branch) is not overload.
        AdmissionControl ac = new AdmissionControl(ADAPTIVE);
        for (int w = 0; w < 10; w++) {
            completeWindowAtTheBound(ac, 50, SLOW);
            completeWindowAtTheBound(ac, 50, FAST);
        }
        assertEquals(64, ac.limit());
    }

    @Test
    void requestsThatWaitedOnANodesDeadlineNeverCountAsSlow() {
        // A stalled branch holds every request until its node's deadline: slow, queued, but not overload.
        AdmissionControl ac = new AdmissionControl(ADAPTIVE);
        for (int w = 0; w < 4; w++) {
            completeWindowWithInFlight(ac, 50, 8, SLOW, true);
        }
        assertEquals(64, ac.limit());
        // the same windows without the deadline shrink it
        completeWindowWithInFlight(ac, 50, 8, SLOW);
        completeWindowWithInFlight(ac, 50, 8, SLOW);
        assertEquals(6, ac.limit());
    }

    @Test
    void slownessAtLowConcurrencyDoesNotThrottle() {
        // A starved machine or a stalled dependency: every request slow, but no queue at the bound.
        AdmissionControl ac = new AdmissionControl(ADAPTIVE);
        for (int w = 0; w < 20; w++) {
            completeWindow(ac, 50, SLOW);
        }
        assertEquals(64, ac.limit());
    }

    @Test
    void aSlowTailBelowTheThresholdDoesNotThrottle() {
        // The slow-branch case: 5% of requests wait for a stalled recall until the deadline.
        AdmissionControl ac = new AdmissionControl(ADAPTIVE);
        for (int w = 0; w < 20; w++) {
            completeWindowAtTheBound(ac, 47, FAST);
            completeWindowAtTheBound(ac, 3, SLOW);
        }
        assertEquals(64, ac.limit());
    }

    @Test
    void limitGrowsByOnePerFastOrSaturatedWindow() {
        AdmissionControl ac = new AdmissionControl(ADAPTIVE);
        completeWindowAtTheBound(ac, 50, SLOW);
        completeWindowAtTheBound(ac, 50, SLOW);
        assertEquals(40, ac.limit());

        completeWindow(ac, 50, FAST);
        assertEquals(41, ac.limit(), "fast, never saturated: a cut limit still recovers, one per window");

        // Saturate: fill to the limit and get one rejection, then complete a fast window.
        for (int i = 0; i < 41; i++) {
            assertTrue(ac.tryAcquire());
        }
        assertFalse(ac.tryAcquire());
        for (int i = 0; i < 41; i++) {
            ac.release(FAST);
        }
        completeWindow(ac, 9, FAST); // the window's other 9 completions
        assertEquals(42, ac.limit(), "fast and saturated: additive increase");

        // A slow window that is not the second in a row neither shrinks nor grows an unsaturated limit.
        completeWindowWithInFlight(ac, 50, 8, SLOW);
        assertEquals(42, ac.limit(), "one slow window: no change");
        assertEquals(0, ac.inFlight());
    }

    @Test
    void aLimitCutDuringWarmUpRecoversAtOrdinaryLoadWithoutShedding() {
        AdmissionControl ac = new AdmissionControl(ADAPTIVE);
        for (int w = 0; w < 15; w++) {
            completeWindowAtTheBound(ac, 50, SLOW); // a cold JIT: every window slow, queued at the bound
        }
        assertEquals(AdmissionConfig.DEFAULT_MIN_IN_FLIGHT, ac.limit());
        // Ordinary load, fast, never near the limit: twenty windows later a stall's 20 arrivals all get in.
        for (int w = 0; w < 20; w++) {
            completeWindowWithInFlight(ac, 50, 2, FAST);
        }
        assertEquals(AdmissionConfig.DEFAULT_MIN_IN_FLIGHT + 20, ac.limit());
        for (int i = 0; i < 20; i++) {
            assertTrue(ac.tryAcquire(), "arrival " + i + " of a stall");
        }
    }

    @Test
    void limitNeverGrowsAboveMax() {
        AdmissionControl ac = new AdmissionControl(new AdmissionConfig(5, 1, FAST * 10, 10, 1));
        for (int w = 0; w < 10; w++) {
            for (int i = 0; i < 5; i++) {
                assertTrue(ac.tryAcquire());
            }
            assertFalse(ac.tryAcquire());
            for (int i = 0; i < 5; i++) {
                ac.release(FAST);
            }
        }
        assertEquals(5, ac.limit());
    }

    @Test
    void recoversWhenLoadFalls() {
        AdmissionControl ac = new AdmissionControl(new AdmissionConfig(20, 2, TimeUnit.MILLISECONDS.toNanos(15), 10, 1));
        for (int w = 0; w < 20; w++) {
            completeWindowAtTheBound(ac, 10, SLOW);
        }
        assertEquals(2, ac.limit());
        // Load falls: requests are fast again, and while clients still push, the limit climbs back.
        for (int w = 0; w < 100; w++) {
            int n = ac.limit();
            for (int i = 0; i < n; i++) {
                assertTrue(ac.tryAcquire());
            }
            ac.tryAcquire();
            for (int i = 0; i < n; i++) {
                ac.release(FAST);
            }
            completeWindow(ac, 10 - n % 10, FAST);
        }
        assertEquals(20, ac.limit());
    }

    @Test
    void configRejectsBadValuesNamingThem() {
        assertMessage("maxInFlight must be >= 1, got 0", () -> new AdmissionConfig(0, 1, 0, 50, 1));
        assertMessage("minInFlight must be in 1..maxInFlight (8), got 9", () -> new AdmissionConfig(8, 9, 0, 50, 1));
        assertMessage("targetLatencyNanos must be >= 0 (0 = fixed limit), got -1", () -> new AdmissionConfig(8, 1, -1, 50, 1));
        assertMessage("windowSize must be >= 10, got 3", () -> new AdmissionConfig(8, 1, 0, 3, 1));
        assertMessage("retryAfterSeconds must be >= 1, got 0", () -> new AdmissionConfig(8, 1, 0, 50, 0));
        assertMessage("targetLatencyMillis must be >= 0, got -5", () -> AdmissionConfig.DEFAULT.withTargetLatencyMillis(-5));
        assertTrue(AdmissionConfig.DEFAULT.toString().contains("maxInFlight=128"), AdmissionConfig.DEFAULT.toString());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertEquals("admission: " + expected, ex.getMessage());
    }

    /** Admits and completes {@code n} requests one at a time with this latency. */
    private static void completeWindow(AdmissionControl ac, int n, long latencyNanos) {
        for (int i = 0; i < n; i++) {
            assertTrue(ac.tryAcquire());
            ac.release(latencyNanos);
        }
    }

    /** Completes {@code n} requests with this latency, {@code k} in flight at once. */
    private static void completeWindowWithInFlight(AdmissionControl ac, int n, int k, long latencyNanos) {
        completeWindowWithInFlight(ac, n, k, latencyNanos, false);
    }

    /** The same, each request having (or not) waited on a DAG node's deadline. */
    private static void completeWindowWithInFlight(AdmissionControl ac, int n, int k, long latencyNanos, boolean waitedOnDeadline) {
        for (int done = 0; done < n; done += k) {
            int batch = Math.min(k, n - done);
            for (int i = 0; i < batch; i++) {
                assertTrue(ac.tryAcquire());
            }
            for (int i = 0; i < batch; i++) {
                ac.release(latencyNanos, waitedOnDeadline);
            }
        }
    }

    /**
     * Completes {@code n} requests with this latency while the limit's worth are in flight at once
     * (a queue at the bound, as under overload).
     */
    private static void completeWindowAtTheBound(AdmissionControl ac, int n, long latencyNanos) {
        int done = 0;
        while (done < n) {
            int batch = Math.min(ac.limit(), n - done);
            for (int i = 0; i < batch; i++) {
                assertTrue(ac.tryAcquire());
            }
            for (int i = 0; i < batch; i++) {
                ac.release(latencyNanos);
            }
            done += batch;
        }
    }
}
