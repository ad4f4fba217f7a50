package dev.funnel.model.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * One writer rewrites, removes and re-inserts rows (forcing tombstone rebuilds) while readers
 * read: every row a reader sees must be a whole row the writer wrote (all values equal to one
 * write's stamp, and that stamp belongs to the id), never a mix of two writes.
 */
class EmbeddingTableStressTest {

    private static final int DIM = 16;
    private static final int IDS = 500;

    @Test
    void readersNeverSeeTornRows() throws Exception {
        EmbeddingTable t = EmbeddingTable.builder("stress", DIM).maxRows(IDS).build();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        AtomicLong hits = new AtomicLong();
        Thread writer = new Thread(() -> {
            float[] row = new float[DIM];
            long stamp = 0;
            while (!stop.get()) {
                for (int id = 0; id < IDS; id++) {
                    stamp++;
                    // values encode (id, stamp): a torn row mixes stamps
                    java.util.Arrays.fill(row, id * 1_000_000f + (stamp % 1000));
                    if ((stamp & 7) == 0) {
                        t.remove(id);
                    } else {
                        t.put(id, row, 0);
                    }
                }
            }
        }, "writer");
        List<Thread> readers = new ArrayList<>();
        // One more reader reads 64 ids per call through getAll (the ranker's batched read).
        readers.add(new Thread(() -> {
            long[] ids = new long[64];
            float[] rows = new float[64 * DIM];
            float[] out = new float[DIM];
            int id = 0;
            while (!stop.get()) {
                for (int i = 0; i < ids.length; i++) {
                    id = (id + 11) % IDS;
                    ids[i] = id;
                }
                t.getAll(ids, ids.length, rows, 0);
                for (int i = 0; i < ids.length; i++) {
                    System.arraycopy(rows, i * DIM, out, 0, DIM);
                    reads.incrementAndGet();
                    if (out[0] == 0f) {
                        checkMissing((int) ids[i], out, failure);
                    } else {
                        hits.incrementAndGet();
                        checkWhole((int) ids[i], out, failure);
                    }
                }
            }
        }, "batch-reader"));
        for (int r = 0; r < 3; r++) {
            readers.add(new Thread(() -> {
                float[] out = new float[DIM];
                int id = 0;
                while (!stop.get()) {
                    id = (id + 7) % IDS;
                    boolean found = t.get(id, out, 0);
                    reads.incrementAndGet();
                    if (!found) {
                        checkMissing(id, out, failure);
                        continue;
                    }
                    hits.incrementAndGet();
                    checkWhole(id, out, failure);
                }
            }, "reader-" + r));
        }
        writer.start();
        readers.forEach(Thread::start);
        Thread.sleep(1500);
        stop.set(true);
        writer.join();
        for (Thread r : readers) {
            r.join();
        }
        assertEquals(null, failure.get());
        assertTrue(hits.get() > 1000, "too few hits to mean anything: " + hits.get() + " of " + reads.get());
    }

    private static void checkMissing(int id, float[] out, AtomicReference<String> failure) {
        for (float f : out) {
            if (f != 0f) {
                failure.compareAndSet(null, "missing id " + id + " did not read as zeros: " + java.util.Arrays.toString(out));
            }
        }
    }

    /** A row the writer wrote for this id: every value the same stamp of this id. */
    private static void checkWhole(int id, float[] out, AtomicReference<String> failure) {
        float first = out[0];
        if ((long) first / 1_000_000 != id) {
            failure.compareAndSet(null, "id " + id + " read a row of another id: " + first);
        }
        for (float f : out) {
            if (f != first) {
                failure.compareAndSet(null, "torn row for id " + id + ": " + java.util.Arrays.toString(out));
            }
        }
    }
}
