package dev.funnel.index;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many writers and readers at once. Each id's writes are a deterministic sequence of steps (step s
 * is a delete when s % 5 == 4, else an upsert of generation s whose every field is a function of
 * (id, s)), so a reader can tell a torn record (fields of two generations) and a stale one (older
 * than a step acknowledged before the read began).
 */
class ItemIndexStressTest {

    static final int DIM = 8;
    static final int IDS_PER_WRITER = 200;
    static final int WRITERS = 4;
    static final int READERS = 3;
    static final int STEPS_PER_WRITER = 1_000;

    static ItemRecord gen(long id, int step) {
        // the embedding changes every third step only, so some upserts re-point a graph node
        SplittableRandom r = new SplittableRandom(id * 1_000_003L + step / 3);
        float[] e = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            e[d] = (float) r.nextGaussian();
        }
        return new ItemRecord(id, "c" + (step % 3), "a" + step, List.of("t" + (step % 5)), "online", Catalogs.NOW - step,
                step, e, Map.of("gen", step));
    }

    static boolean isDelete(int step) {
        return step % 5 == 4;
    }

    @Test
    void concurrentWritersAndReadersSeeNoTornOrStaleData() throws Exception {
        int nIds = WRITERS * IDS_PER_WRITER;
        // inverted lists from 200 vectors: writers grow the lists while readers scan them
        ItemIndex index = new ItemIndex(IndexConfig.of(DIM).withExactSearchBelow(100).withRankedRebuildEvery(64), () -> Catalogs.NOW, 200);
        List<ItemRecord> initial = new ArrayList<>();
        for (long id = 1; id <= nIds; id++) {
            initial.add(gen(id, 0));
        }
        index.bulkLoad(initial);
        AtomicLongArray acked = new AtomicLongArray(nIds + 1);   // last acknowledged step per id
        AtomicLongArray started = new AtomicLongArray(nIds + 1); // last started step per id
        AtomicLong seq = new AtomicLong();
        AtomicLongArray deletedAtSeq = new AtomicLongArray(nIds + 1); // seq after a delete ack, 0 while not deleted
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int base = w * IDS_PER_WRITER;
            writers.add(pool.submit(() -> {
                go.await();
                SplittableRandom r = new SplittableRandom(base);
                for (int i = 0; i < STEPS_PER_WRITER; i++) {
                    long id = base + 1 + r.nextInt(IDS_PER_WRITER);
                    int step = (int) acked.get((int) id) + 1;
                    started.set((int) id, step);
                    deletedAtSeq.set((int) id, 0);
                    if (isDelete(step)) {
                        index.delete(id);
                    } else {
                        index.upsert(gen(id, step));
                    }
                    acked.set((int) id, step);
                    if (isDelete(step)) {
                        deletedAtSeq.set((int) id, seq.incrementAndGet());
                    }
                }
                return null;
            }));
        }
        List<Future<?>> readers = new ArrayList<>();
        for (int t = 0; t < READERS; t++) {
            int seed = t;
            readers.add(pool.submit(() -> {
                go.await();
                SplittableRandom r = new SplittableRandom(1000 + seed);
                long[] out = new long[50];
                float[] scores = new float[50];
                while (!done.get()) {
                    // point reads: whole generation, not older than acknowledged
                    int id = 1 + r.nextInt(nIds);
                    long ackedBefore = acked.get(id);
                    ItemRecord rec = index.get(id);
                    long startedAfter = started.get(id);
                    if (rec == null) {
                        if (!isDelete((int) ackedBefore) && startedAfter <= ackedBefore) {
                            problems.add("id " + id + " missing although step " + ackedBefore + " (upsert) was acked and nothing newer started");
                        }
                    } else {
                        int g = ((Number) rec.attributes().get("gen")).intValue();
                        if (!rec.equals(gen(id, g))) {
                            problems.add("torn record " + rec);
                        }
                        if (g < ackedBefore || (g == ackedBefore && isDelete(g))) {
                            problems.add("stale: id " + id + " gen " + g + " after step " + ackedBefore + " was acked");
                        }
                    }
                    // searches never return an item whose delete was acked before they began
                    long startSeq = seq.get();
                    int kind = r.nextInt(3);
                    int m = kind == 0
                            ? index.top(Filter.builder().term("category", "c" + r.nextInt(3)).build(), ScoreField.POPULARITY, 50, out, scores)
                            : kind == 1
                            ? index.nearest(gen(1, r.nextInt(1000)).embedding(), 20, 40, Filter.NONE, out, scores)
                            : index.nearestPartitioned(gen(1, r.nextInt(1000)).embedding(), 20, 1 + r.nextInt(4),
                                    r.nextBoolean() ? Filter.NONE : Filter.builder().term("category", "c" + r.nextInt(3)).build(), out, scores);
                    for (int i = 0; i < m; i++) {
                        long d = deletedAtSeq.get((int) out[i]);
                        if (d != 0 && d <= startSeq) {
                            problems.add("search returned " + out[i] + ", deleted before the search began");
                        }
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : writers) {
            f.get(120, TimeUnit.SECONDS);
        }
        done.set(true);
        for (Future<?> f : readers) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertTrue(problems.isEmpty(), problems.size() + " problems, first: " + problems.peek());

        // quiescent: the index equals the model exactly
        int live = 0;
        for (int id = 1; id <= nIds; id++) {
            int step = (int) acked.get(id);
            if (isDelete(step)) {
                assertEquals(null, index.get(id));
            } else {
                assertEquals(gen(id, step), index.get(id));
                live++;
            }
        }
        assertEquals(live, index.size());
        assertTrue(index.partitionCount() > 0, "the stress test must exercise the inverted lists");
    }
}
