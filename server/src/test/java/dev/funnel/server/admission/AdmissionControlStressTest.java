package dev.funnel.server.admission;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many threads acquiring (as event loops would) and releasing (as workers would) at once, with
 * latencies that swing the adaptive limit up and down: the bound is never exceeded, nothing is
 * lost, and the limit stays within its range.
 */
class AdmissionControlStressTest {

    @Test
    void concurrentAcquireAndReleaseKeepTheInvariants() throws Exception {
        AdmissionConfig config = new AdmissionConfig(32, 2, TimeUnit.MILLISECONDS.toNanos(10), 20, 1);
        AdmissionControl ac = new AdmissionControl(config);
        int threads = 8;
        int opsPerThread = 200_000;
        int holdMax = config.maxInFlight();
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger maxHolders = new AtomicInteger();
        AtomicLong attempts = new AtomicLong();
        AtomicLong releases = new AtomicLong();
        AtomicInteger limitOutOfRange = new AtomicInteger();
        AtomicInteger lowestLimit = new AtomicInteger(Integer.MAX_VALUE);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            long seed = t;
            Thread w = new Thread(() -> {
                SplittableRandom r = new SplittableRandom(seed);
                int held = 0;
                try {
                    start.await();
                    for (int i = 0; i < opsPerThread; i++) {
                        // Hold up to the bound's worth of permits, release in bursts, latency slow in
                        // phases. One thread alone can reach the bound: on two cores the eight threads
                        // may well run one after another, and the shrink needs a queue near the bound.
                        if (held < holdMax && r.nextInt(3) != 0) {
                            attempts.incrementAndGet();
                            if (ac.tryAcquire()) {
                                held++;
                                int h = holders.incrementAndGet();
                                maxHolders.accumulateAndGet(h, Math::max);
                            }
                        } else if (held > 0) {
                            held--;
                            holders.decrementAndGet();
                            boolean slowPhase = (i / 20_000) % 2 == 0;
                            long latency = slowPhase && r.nextInt(4) != 0 ? 50_000_000L : 1_000_000L;
                            ac.release(latency);
                            releases.incrementAndGet();
                        }
                        int l = ac.limit();
                        lowestLimit.accumulateAndGet(l, Math::min);
                        if (l < config.minInFlight() || l > config.maxInFlight()) {
                            limitOutOfRange.incrementAndGet();
                        }
                    }
                    while (held-- > 0) {
                        holders.decrementAndGet();
                        ac.release(1_000_000L);
                        releases.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            workers.add(w);
            w.start();
        }
        start.countDown();
        for (Thread w : workers) {
            w.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!w.isAlive(), "worker finished");
        }
        assertTrue(failures.isEmpty(), () -> "worker failed: " + failures);
        assertTrue(maxHolders.get() <= config.maxInFlight(), "in flight peaked at " + maxHolders.get());
        assertEquals(0, limitOutOfRange.get(), "limit left [min,max]");
        assertEquals(0, ac.inFlight(), "every admission released");
        assertEquals(releases.get(), ac.admittedCount(), "admitted == released");
        assertEquals(attempts.get(), ac.admittedCount() + ac.rejectedCount(), "every attempt counted once");
        assertTrue(lowestLimit.get() < config.maxInFlight(), "slow phases shrank the limit: lowest " + lowestLimit.get());
        assertTrue(ac.rejectedCount() > 0, "the test did push past the limit: " + ac);
    }
}
