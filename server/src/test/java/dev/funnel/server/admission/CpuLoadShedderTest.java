package dev.funnel.server.admission;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decisions of {@link CpuLoadShedder} on utilisation samples the test feeds, and its effect on admission. */
class CpuLoadShedderTest {

    @Test
    void oneBusyIntervalShedsNothingTwoInARowCutTheShareToBringTheLoadToTheTarget() {
        CpuLoadShedder s = new CpuLoadShedder(0.75);
        s.sample(0.50);
        s.sample(1.00); // a GC cycle, a compile burst
        assertEquals(1.0, s.admitShare());
        s.sample(0.60); // back down: the run of busy intervals starts again
        s.sample(1.00);
        assertEquals(1.0, s.admitShare());
        s.sample(1.00);
        assertEquals(0.75, s.admitShare(), 1e-12, "target / load");
        s.sample(0.90);
        assertEquals(0.75 * 0.75 / 0.90, s.admitShare(), 1e-12, "still above: cut again, from where it is");
        assertEquals(0.90, s.lastLoad());
    }

    @Test
    void theShareRecoversStepByStepOnceTheLoadIsAtOrBelowTheTargetAndNeverFallsBelowTheFloor() {
        CpuLoadShedder s = new CpuLoadShedder(0.5);
        for (int i = 0; i < 200; i++) {
            s.sample(1.0);
        }
        assertEquals(CpuLoadShedder.MIN_ADMIT_SHARE, s.admitShare(), 1e-12);
        s.sample(0.5); // at the target counts as not above
        assertEquals(CpuLoadShedder.MIN_ADMIT_SHARE + CpuLoadShedder.RECOVERY_STEP, s.admitShare(), 1e-12);
        for (int i = 0; i < (int) Math.ceil(1 / CpuLoadShedder.RECOVERY_STEP); i++) {
            s.sample(0.2);
        }
        assertEquals(1.0, s.admitShare(), "full admission within 1 / RECOVERY_STEP quiet intervals");
    }

    @Test
    void offOrAnUnknownReadingChangesNothing() {
        CpuLoadShedder off = CpuLoadShedder.off();
        assertFalse(off.enabled());
        for (int i = 0; i < 10; i++) {
            off.sample(1.0);
        }
        assertEquals(1.0, off.admitShare());
        assertEquals(1.0, off.lastLoad(), "the load is still reported");

        CpuLoadShedder s = new CpuLoadShedder(0.5);
        s.sample(1.0);
        s.sample(-1); // the platform could not tell: not a quiet interval either
        s.sample(Double.NaN);
        s.sample(1.0);
        assertEquals(0.5, s.admitShare(), 1e-12, "the two busy samples count as in a row");
    }

    @Test
    void eachLoopShedsTheShareItDoesNotAdmitSpreadOverItsArrivals() {
        CpuLoadShedder s = new CpuLoadShedder(0.6);
        s.sample(0.8);
        s.sample(0.8); // share 0.75: one arrival in four is shed
        AdmissionControl ac = new AdmissionControl(AdmissionConfig.DEFAULT, new QueueDelayShedder(QueueDelayConfig.OFF), s);
        StringBuilder pattern = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            boolean admitted = ac.tryAcquire();
            pattern.append(admitted ? 'a' : 's');
            if (admitted) {
                ac.release(1_000_000);
            }
        }
        assertEquals(100, ac.shedForCpuCount());
        assertEquals(100, ac.rejectedCount());
        assertEquals(300, ac.admittedCount());
        assertFalse(pattern.toString().contains("ss"), "spread, not in bursts: " + pattern.substring(0, 40));
        for (int i = 0; i < 20; i++) {
            s.sample(0.1);
        }
        assertTrue(ac.tryAcquire() && ac.tryAcquire() && ac.tryAcquire() && ac.tryAcquire(), "recovered: all admitted");
        assertEquals(100, ac.shedForCpuCount());
    }

    @Test
    void samplesOnItsOwnThreadUntilClosedAndRefusesABadTarget() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        CountDownLatch sampled = new CountDownLatch(3);
        CpuLoadShedder s = new CpuLoadShedder(0.5);
        s.start(10, () -> {
            reads.incrementAndGet();
            if (!Thread.currentThread().getName().equals("funnel-cpu-load") && reads.get() > 1) {
                throw new AssertionError("sampled on " + Thread.currentThread().getName());
            }
            sampled.countDown();
            return 1.0;
        });
        assertTrue(sampled.await(5, TimeUnit.SECONDS));
        assertTrue(s.admitShare() < 1.0, "busy samples cut the share: " + s);
        s.close();
        assertEquals(1.0, s.admitShare(), "closed: everything admitted again");
        int after = reads.get();
        Thread.sleep(50);
        assertTrue(reads.get() <= after + 1, "no sampling after close");

        assertThrows(IllegalArgumentException.class, () -> new CpuLoadShedder(1.5));
        assertThrows(IllegalArgumentException.class, () -> new CpuLoadShedder(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new CpuLoadShedder(0.5).start(1, () -> 0.0));
    }
}
