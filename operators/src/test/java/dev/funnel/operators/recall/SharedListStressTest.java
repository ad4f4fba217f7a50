package dev.funnel.operators.recall;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.index.ItemIndex;
import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimWorld;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writers (upsert, then refresh the views, as the items API does) and readers (requests, which start
 * background refreshes when the list is stale) on one shared hot list at once. Invariants: a writer's
 * own next request always shows its last write's score — no background refresh that read the catalog
 * earlier ever puts an older list back — and every list served is sorted, without duplicates.
 */
class SharedListStressTest {

    private static final int WRITERS = 3;
    private static final int READERS = 2;
    private static final int WRITES = 300;

    @Test
    void aWritersNextRequestSeesItsWriteWhileOthersReadAndRefresh() throws Exception {
        SimWorld world = SimWorld.generate(SimConfig.small(7));
        ItemIndex index = SimFixtures.index(world);
        OperatorEnv env = SimFixtures.env(index, SimFixtures.profiles(world, index));
        Operator<Candidates> hot = SharedListTest.op(new HotRecall(), Map.of("limit", 1000, "per_category", 50), env);
        SharedListTest.run(hot, "hot");
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        CountDownLatch writersDone = new CountDownLatch(WRITERS);
        for (int w = 0; w < WRITERS; w++) {
            long id = 900_000_000L + w;
            int writer = w;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    for (int k = 0; k < WRITES && problems.isEmpty(); k++) {
                        float popularity = 10_000_000 + k * WRITERS + writer; // exact in a float, above every sim item
                        index.upsert(SharedListTest.item(id, "c0" + writer, world.config().nowMillis(), popularity));
                        index.refreshViews();
                        float served = SharedListTest.scoreOf(SharedListTest.run(hot, "hot"), id);
                        if (served != popularity) {
                            problems.add("writer " + writer + " wrote " + popularity + ", its next request got " + served);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    writersDone.countDown();
                }
            }, "writer-" + w));
        }
        for (int r = 0; r < READERS; r++) {
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    while (writing.get() && problems.isEmpty()) {
                        Candidates c = SharedListTest.run(hot, "hot");
                        Set<Long> seen = new HashSet<>();
                        for (int i = 0; i < c.size(); i++) {
                            if (!seen.add(c.id(i)) || (i > 0 && c.score(i - 1) < c.score(i))) {
                                problems.add("unsorted or duplicate at " + i + ": " + java.util.Arrays.toString(c.idsCopy()));
                                break;
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "reader-" + r));
        }
        threads.forEach(Thread::start);
        start.countDown();
        writersDone.await();
        writing.set(false);
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(problems.isEmpty(), problems.toString());
    }
}
