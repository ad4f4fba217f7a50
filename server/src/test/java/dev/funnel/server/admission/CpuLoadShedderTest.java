package dev.funnel.server.admission;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU-load shedder's controller on a simulated process: each interval the test sets how much
 * CPU time the process burned, as a function of the share being shed (admitted requests cost CPU,
 * a 503 costs a little), and checks where the share goes.
 */
class CpuLoadShedderTest {

    private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int CORES = 2;

    /** A process on {@link #CORES} cores whose CPU use per interval the test decides. */
    private static final class Process {
        long cpu;
        long wall;
        final CpuLoadShedder shedder;

        Process(int targetPercent) {
            shedder = new CpuLoadShedder(new CpuLoadConfig(targetPercent, INTERVAL), CORES, () -> cpu, () -> wall);
            shedder.sample(); // the first sample only sets the baseline
        }

        /** One interval during which the process used {@code util} of its cores. */
        void interval(double util) {
            wall += INTERVAL;
            cpu += (long) (util * INTERVAL * CORES);
            shedder.sample();
        }

        /**
         * One interval of an offered load that would use {@code offered} of the cores if all of it
         * were admitted; a shed request costs {@code shedCost} of an admitted one; the machine
         * cannot give the process more than {@code ceiling}.
         */
        void load(double offered, double shedCost, double ceiling) {
            double f = shedder.shedFraction();
            interval(Math.min(ceiling, offered * (1 - f) + offered * shedCost * f));
        }
    }

    @Test
    void belowTheTargetNothingIsShed() {
        Process p = new Process(60);
        for (int i = 0; i < 100; i++) {
            p.interval(0.40 + 0.19 * ((i * 7919) % 13) / 13.0); // 0.40..0.59, never above
        }
        assertEquals(0.0, p.shedder.shedFraction());
        assertEquals(0, p.shedder.sheddingEpisodes());
        double util = p.shedder.utilization();
        assertTrue(util >= 0.40 && util < 0.60, "the last interval's utilization: " + util);
    }

    @Test
    void burstsShorterThanTheStartShedNothingALongerStretchStarts() {
        Process p = new Process(60);
        for (int burst = 1; burst < CpuLoadShedder.START_INTERVALS; burst++) {
            for (int i = 0; i < burst; i++) {
                p.interval(0.95); // a GC or JIT burst
            }
            p.interval(0.50);
        }
        assertEquals(0.0, p.shedder.shedFraction(), "bursts");
        for (int i = 0; i < CpuLoadShedder.START_INTERVALS - 1; i++) {
            p.interval(0.90);
        }
        assertEquals(0.0, p.shedder.shedFraction(), "one interval short of the start");
        p.interval(0.90);
        assertEquals(1 - 0.6 / 0.9, p.shedder.shedFraction(), 1e-9, "the start: admit target / utilization");
        assertEquals(1, p.shedder.sheddingEpisodes());
    }

    @Test
    void atTwiceTheLoadTheShareSettlesWhereCpuMeetsTheTarget() {
        Process p = new Process(60);
        for (int i = 0; i < CpuLoadShedder.START_INTERVALS + 2; i++) {
            p.load(1.1, 0.05, 0.9); // 2× a load that used 0.55; the machine gives the process at most 0.9
        }
        assertEquals(0.60, p.shedder.utilization(), 0.05, "two intervals after shedding starts, CPU is near the target");
        for (int i = 0; i < 30; i++) {
            p.load(1.1, 0.05, 0.9);
        }
        double util = p.shedder.utilization();
        assertEquals(0.60, util, 0.01, "CPU held at the target");
        // 1.1 (1 - f) + 0.055 f = 0.6  =>  f = 0.5 / 1.045
        assertEquals(0.5 / 1.045, p.shedder.shedFraction(), 0.01);
        // and it stays there: no oscillation once settled
        for (int i = 0; i < 20; i++) {
            p.load(1.1, 0.05, 0.9);
            assertEquals(0.60, p.shedder.utilization(), 0.01);
        }
    }

    @Test
    void atFourTimesTheLoadItStillConvergesWithoutOscillating() {
        Process p = new Process(60);
        double previous = 0;
        int reversals = 0;
        double lastStep = 0;
        for (int i = 0; i < 40; i++) {
            p.load(2.2, 0.05, 0.95);
            double f = p.shedder.shedFraction();
            double step = f - previous;
            if (i > 2 && step * lastStep < 0 && Math.abs(step) > 0.01) {
                reversals++;
            }
            lastStep = step;
            previous = f;
        }
        assertEquals(0.60, p.shedder.utilization(), 0.01);
        assertTrue(reversals <= 2, "the share should approach its level, not swing around it: " + reversals + " reversals");
    }

    @Test
    void whenLoadFallsSheddingStopsWithinAFewIntervals() {
        Process p = new Process(60);
        for (int i = 0; i < 30; i++) {
            p.load(1.1, 0.05, 0.9);
        }
        assertTrue(p.shedder.shedFraction() > 0.4);
        int intervals = 0; // admitted share × 0.6 / 0.3 or so: back to all at once
        while (p.shedder.shedFraction() > 0) {
            p.load(0.55, 0.05, 0.9); // back to the sustainable load
            intervals++;
            assertTrue(intervals <= 3, "still shedding " + p.shedder.shedFraction() + " after " + intervals + " intervals");
        }
        for (int i = 0; i < 50; i++) {
            p.load(0.55, 0.05, 0.9);
            assertEquals(0.0, p.shedder.shedFraction());
        }
        assertEquals(1, p.shedder.sheddingEpisodes());
    }

    @Test
    void loadThatSheddingCannotLowerNeverLocksEverythingOut() {
        Process p = new Process(60);
        for (int i = 0; i < 1_000; i++) {
            p.interval(1.0); // work that takes no permit keeps every core busy for 100 s
        }
        assertEquals(1 - CpuLoadShedder.MIN_ADMITTED, p.shedder.shedFraction(), 1e-9, "at most 99% shed");
        int intervals = 0;
        while (p.shedder.shedFraction() > 0) {
            p.load(0.55, 0.05, 0.9); // that work ends; ordinary load
            intervals++;
            assertTrue(intervals <= 8, "still shedding " + p.shedder.shedFraction() + " after " + intervals + " intervals");
        }
    }

    @Test
    void nothingIsDecidedWhileInactiveAndTheStartCountsAfresh() {
        long[] clock = {0, 0}; // cpu, wall
        boolean[] ready = {false};
        CpuLoadShedder s = new CpuLoadShedder(new CpuLoadConfig(60, INTERVAL), CORES, () -> clock[0], () -> clock[1],
                () -> ready[0]);
        s.sample();
        for (int i = 0; i < 50; i++) { // start-up: catalog load, warm-up
            clock[1] += INTERVAL;
            clock[0] += INTERVAL * CORES;
            s.sample();
        }
        assertEquals(0.0, s.shedFraction());
        assertEquals(1.0, s.utilization(), 1e-9, "utilization is still measured");
        ready[0] = true;
        for (int i = 0; i < CpuLoadShedder.START_INTERVALS - 1; i++) {
            clock[1] += INTERVAL;
            clock[0] += INTERVAL * CORES;
            s.sample();
        }
        assertEquals(0.0, s.shedFraction(), "the intervals before readiness do not count towards the start");
        clock[1] += INTERVAL;
        clock[0] += INTERVAL * CORES;
        s.sample();
        assertEquals(0.4, s.shedFraction(), 1e-9);
        ready[0] = false; // readiness lost: stop shedding
        clock[1] += INTERVAL;
        clock[0] += INTERVAL * CORES;
        s.sample();
        assertEquals(0.0, s.shedFraction());
    }

    @Test
    void aPlatformWithoutProcessCpuTimeNeverSheds() {
        long[] wall = {0};
        CpuLoadShedder s = new CpuLoadShedder(new CpuLoadConfig(10, INTERVAL), CORES, () -> -1, () -> wall[0]);
        for (int i = 0; i < 10; i++) {
            wall[0] += INTERVAL;
            s.sample();
        }
        assertEquals(0.0, s.shedFraction());
    }

    @Test
    void offNeverSheds() {
        CpuLoadShedder off = CpuLoadShedder.off();
        off.sample();
        off.sample();
        assertFalse(off.config().enabled());
        assertEquals(0.0, off.shedFraction());
        off.close();
    }

    @Test
    void aTargetSetLiveActsFromTheNextIntervalsAndZeroTurnsItOff() {
        Process p = new Process(0); // off at start
        for (int i = 0; i < 10; i++) {
            p.interval(0.9);
        }
        assertEquals(0.0, p.shedder.shedFraction(), "off");
        assertEquals(0.9, p.shedder.utilization(), 1e-9, "measured while off");
        p.shedder.setTargetPercent(60);
        assertEquals(60, p.shedder.config().targetPercent());
        for (int i = 0; i < CpuLoadShedder.START_INTERVALS; i++) {
            p.interval(0.9);
        }
        assertEquals(1 - 0.6 / 0.9, p.shedder.shedFraction(), 1e-9, "a fresh start run, then target / utilization");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.shedder.setTargetPercent(100));
        assertTrue(e.getMessage().contains("admission.cpu.target.percent must be in 1..99 (0 = off), got 100"), e.getMessage());
        assertEquals(60, p.shedder.config().targetPercent(), "a refused target leaves the old one");
        p.shedder.setTargetPercent(0);
        p.interval(0.9);
        assertEquals(0.0, p.shedder.shedFraction(), "off again at the next interval");
    }

    @Test
    void admissionShedsTheShareOfEachLoopsArrivalsEvenlyAndCountsThem() {
        Process p = new Process(60);
        for (int i = 0; i < CpuLoadShedder.START_INTERVALS; i++) {
            p.interval(0.8); // then admit 0.6 / 0.8: shed a quarter
        }
        assertEquals(0.25, p.shedder.shedFraction(), 1e-9);
        AdmissionControl loopA = new AdmissionControl(AdmissionConfig.DEFAULT, new QueueDelayShedder(QueueDelayConfig.OFF),
                p.shedder);
        AdmissionControl loopB = new AdmissionControl(AdmissionConfig.DEFAULT, new QueueDelayShedder(QueueDelayConfig.OFF),
                p.shedder);
        for (AdmissionControl ac : new AdmissionControl[] {loopA, loopB}) {
            StringBuilder pattern = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                boolean admitted = ac.tryAcquire();
                pattern.append(admitted ? 'a' : 's');
                if (admitted) {
                    ac.release(1_000_000);
                }
            }
            assertEquals("aaasaaas", pattern.toString(), "one in four, spread evenly, on each loop");
            assertEquals(2, ac.shedForCpuCount());
            assertEquals(2, ac.rejectedCount());
            assertEquals(0, ac.shedForDelayCount());
        }
        for (int i = 0; i < 20; i++) {
            p.interval(0.1); // load gone
        }
        assertEquals(0.0, p.shedder.shedFraction());
        for (int i = 0; i < 100; i++) {
            assertTrue(loopA.tryAcquire());
            loopA.release(1_000_000);
        }
    }

    @Test
    void badSettingsAreRefusedWithTheKeyInTheMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuLoadConfig.of(100, 100));
        assertTrue(e.getMessage().contains("admission.cpu.target.percent must be in 1..99 (0 = off), got 100"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CpuLoadConfig.of(-1, 100));
        assertTrue(e.getMessage().contains("got -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CpuLoadConfig.of(60, 5));
        assertTrue(e.getMessage().contains("admission.cpu.interval.ms must be >= 10, got 5.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CpuLoadShedder(CpuLoadConfig.of(60, 100), 0, () -> 0, () -> 0));
        assertEquals(0.6, CpuLoadConfig.of(60, 100).target(), 1e-12);
    }
}
