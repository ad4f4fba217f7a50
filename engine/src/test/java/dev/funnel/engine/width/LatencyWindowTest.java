package dev.funnel.engine.width;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyWindowTest {

    static final long MS = 1_000_000L;
    static final long SEC = 1_000 * MS;

    @Test
    void quantilesAreWithinTheBucketError() {
        LatencyWindow w = new LatencyWindow(10 * SEC);
        long now = 100 * SEC;
        for (int i = 1; i <= 1000; i++) {
            w.record(now, i * 10_000L, LatencyWindow.OK); // 0.01 .. 10 ms, uniform
        }
        LatencyWindow.Snapshot s = w.snapshot(now);
        assertEquals(1000, s.count());
        assertWithin(5 * MS, s.p50Nanos());
        assertWithin(9_500_000, s.p95Nanos());
        assertWithin(9_900_000, s.p99Nanos());
    }

    @Test
    void everyLatencyMapsToABucketWhoseMidpointIsClose() {
        for (long v = 4; v < Long.MAX_VALUE / 4 && v > 0; v = v * 3 / 2 + 1) {
            long mid = LatencyWindow.midpoint(LatencyWindow.bucket(v));
            assertTrue(Math.abs(mid - v) <= v / 8 + 1, v + " -> " + mid);
        }
    }

    @Test
    void forgetsWhatIsOlderThanTwoWindows() {
        LatencyWindow w = new LatencyWindow(10 * SEC);
        w.record(5 * SEC, 50 * MS, LatencyWindow.TIMEOUT);
        assertEquals(1, w.snapshot(5 * SEC).count());
        w.record(15 * SEC, 1 * MS, LatencyWindow.OK);
        LatencyWindow.Snapshot both = w.snapshot(15 * SEC);
        assertEquals(2, both.count(), "current and previous window");
        assertEquals(0.5, both.timeoutRate());
        LatencyWindow.Snapshot later = w.snapshot(25 * SEC);
        assertEquals(1, later.count(), "the first window is gone");
        assertEquals(0, later.timeouts());
        assertEquals(0, w.snapshot(45 * SEC).count());
        w.record(46 * SEC, 2 * MS, LatencyWindow.ERROR);
        LatencyWindow.Snapshot reused = w.snapshot(46 * SEC);
        assertEquals(1, reused.count(), "a reused slot starts empty");
        assertEquals(1.0, reused.errorRate());
    }

    @Test
    void ratesCountOutcomesOverTheCoveredTime() {
        LatencyWindow w = new LatencyWindow(10 * SEC);
        for (int i = 0; i < 100; i++) {
            w.record(12 * SEC, MS, LatencyWindow.OK);
        }
        // covered: the previous window is empty (never written) so only 2 s of the current one count
        assertEquals(50.0, w.snapshot(12 * SEC).ratePerSecond(), 1e-9);
        w.record(21 * SEC, -1, LatencyWindow.OTHER);
        LatencyWindow.Snapshot s = w.snapshot(21 * SEC);
        assertEquals(100, s.count(), "an outcome without latency adds no sample");
        assertEquals(101, s.outcomes());
        assertEquals(101 / 11.0, s.ratePerSecond(), 1e-9);
    }

    @Test
    void stressManyWritersWithRotationKeepCountsConsistent() throws Exception {
        // Writers on 4 threads record against a shared virtual clock that a fifth thread advances
        // across many windows; readers check invariants throughout. Without rotation no sample may
        // be lost; with rotation counts stay within what was written.
        LatencyWindow w = new LatencyWindow(MS);
        AtomicLong clock = new AtomicLong(0);
        int writers = 4;
        int perWriter = 200_000;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch writersDone = new CountDownLatch(writers);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            int seed = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < perWriter; i++) {
                    w.record(clock.get(), 1_000 + (i * 31L + seed) % 100_000, i % 10 == 0 ? LatencyWindow.TIMEOUT : LatencyWindow.OK);
                }
                writersDone.countDown();
            }));
        }
        threads.add(new Thread(() -> {
            while (writersDone.getCount() > 0) {
                clock.addAndGet(MS / 4);
                Thread.onSpinWait();
            }
        }));
        threads.add(new Thread(() -> {
            try {
                while (!stop.get()) {
                    LatencyWindow.Snapshot s = w.snapshot(clock.get());
                    check(s.count() >= 0 && s.count() <= (long) writers * perWriter, s);
                    check(s.p50Nanos() <= s.p95Nanos() && s.p95Nanos() <= s.p99Nanos(), s);
                    check(s.count() == 0 || (s.p99Nanos() >= 900 && s.p99Nanos() <= 115_000), s);
                    check(s.timeouts() <= s.outcomes(), s);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }));
        threads.forEach(Thread::start);
        writersDone.await();
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        assertNull(failure.get());

        // No rotation: all samples from all threads are counted exactly.
        LatencyWindow fixed = new LatencyWindow(SEC);
        CountDownLatch done = new CountDownLatch(writers);
        for (int t = 0; t < writers; t++) {
            new Thread(() -> {
                for (int i = 0; i < perWriter; i++) {
                    fixed.record(SEC / 2, 5_000, LatencyWindow.OK);
                }
                done.countDown();
            }).start();
        }
        done.await();
        assertEquals((long) writers * perWriter, fixed.snapshot(SEC / 2).count());
    }

    private static void check(boolean ok, Object what) {
        if (!ok) {
            throw new AssertionError("invariant broken: " + what);
        }
    }

    private static void assertWithin(long expected, long actual) {
        assertTrue(Math.abs(actual - expected) <= expected / 8, "expected ~" + expected + ", got " + actual);
    }
}
