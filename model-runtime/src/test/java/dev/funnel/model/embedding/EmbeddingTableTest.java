package dev.funnel.model.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.model.embedding.EmbeddingTable.Write;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EmbeddingTableTest {

    @Test
    void thePresenceBitmapNeverHidesARowThroughInsertsRemovesRebuildsAndRestores() throws IOException {
        presenceSurvivesChurn(4_000, 800);    // sparse (the bitmap is read), with tombstone rebuilds
        presenceSurvivesChurn(4_000, 3_000);  // dense: reads skip the bitmap
        presenceSurvivesChurn(200_000, 3_000); // sparse, large
    }

    private static void presenceSurvivesChurn(int maxRows, int liveCap) throws IOException {
        EmbeddingTable t = EmbeddingTable.builder("t", 2).maxRows(maxRows).defaultVector(new float[] {-1, -2}).build();
        float[] out = new float[2];
        java.util.Set<Long> live = new java.util.HashSet<>();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (int step = 0; step < 60_000; step++) { // enough removes to force tombstone rebuilds
            long id = rnd.nextLong(20_000) * 7919;
            if (live.size() < liveCap && rnd.nextInt(3) > 0) {
                t.put(id, new float[] {id, 1}, 0);
                live.add(id);
            } else if (t.remove(id)) {
                live.remove(id);
            }
        }
        ByteArrayOutputStream snap = new ByteArrayOutputStream();
        t.snapshot(snap);
        EmbeddingTable restored = EmbeddingTable.builder("t", 2).maxRows(maxRows).defaultVector(new float[] {-1, -2}).build();
        restored.restore(new java.io.ByteArrayInputStream(snap.toByteArray()));
        for (EmbeddingTable table : new EmbeddingTable[] {t, restored}) {
            for (long k = 0; k < 20_000; k++) {
                long id = k * 7919;
                boolean has = live.contains(id);
                assertEquals(has, table.get(id, out, 0), "id " + id);
                assertEquals(has, table.contains(id));
                assertArrayEquals(has ? new float[] {id, 1} : new float[] {-1, -2}, out);
            }
            // The batched read: the same rows and defaults, at an offset, with repeated ids.
            long[] ids = new long[20_000 + 100];
            for (int k = 0; k < ids.length; k++) {
                ids[k] = (k < 20_000 ? k : k - 20_000) * 7919L;
            }
            float[] all = new float[3 + 2 * ids.length];
            all[0] = 99;
            int found = table.getAll(ids, ids.length, all, 3);
            int expectFound = 0;
            for (int k = 0; k < ids.length; k++) {
                boolean has = live.contains(ids[k]);
                expectFound += has ? 1 : 0;
                float[] expect = has ? new float[] {ids[k], 1} : new float[] {-1, -2};
                assertArrayEquals(expect, java.util.Arrays.copyOfRange(all, 3 + 2 * k, 5 + 2 * k), "getAll id " + ids[k]);
            }
            assertEquals(expectFound, found);
            assertEquals(99, all[0], "getAll wrote below its offset");
        }
    }

    @Test
    void getAllRefusesAnOutputThatCannotHoldTheRows() {
        EmbeddingTable t = EmbeddingTable.builder("t", 4).build();
        long[] ids = {1, 2, 3};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.getAll(ids, 3, new float[12], 1));
        assertTrue(e.getMessage().contains("table 't'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.getAll(ids, 4, new float[16], 0));
        assertEquals(0, t.getAll(ids, 0, new float[0], 0));
    }

    private final AtomicLong clock = new AtomicLong();

    @Test
    void unknownIdsReadAsTheDefaultVector() {
        EmbeddingTable t = EmbeddingTable.builder("t", 3).defaultVector(new float[] {1, 2, 3}).build();
        float[] out = new float[5];
        assertFalse(t.get(42, out, 1));
        assertArrayEquals(new float[] {0, 1, 2, 3, 0}, out);
    }

    @Test
    void putThenGetReturnsTheRowAndOverwriteReplacesIt() {
        EmbeddingTable t = EmbeddingTable.builder("t", 2).build();
        assertEquals(Write.INSERTED, t.put(7, new float[] {9, 1, 2}, 1));
        float[] out = new float[2];
        assertTrue(t.get(7, out, 0));
        assertArrayEquals(new float[] {1, 2}, out);
        assertEquals(Write.UPDATED, t.put(7, new float[] {3, 4}, 0));
        t.get(7, out, 0);
        assertArrayEquals(new float[] {3, 4}, out);
        assertEquals(1, t.size());
    }

    @Test
    void anIdIsAdmittedOnlyOnItsNthWrite() {
        EmbeddingTable t = EmbeddingTable.builder("t", 1).admitAfter(3).build();
        float[] v = {5};
        assertEquals(Write.PENDING_ADMISSION, t.put(1, v, 0));
        assertEquals(Write.PENDING_ADMISSION, t.put(1, v, 0));
        assertFalse(t.contains(1));
        assertEquals(Write.INSERTED, t.put(1, v, 0));
        assertTrue(t.contains(1));
        assertEquals(Write.UPDATED, t.put(1, v, 0));
    }

    @Test
    void aFullTableRefusesNewIdsButUpdatesOldOnes() {
        EmbeddingTable t = EmbeddingTable.builder("t", 1).maxRows(3).build();
        for (long id = 0; id < 3; id++) {
            assertEquals(Write.INSERTED, t.put(id, new float[] {id}, 0));
        }
        assertEquals(Write.FULL, t.put(99, new float[] {1}, 0));
        assertEquals(1, t.fullRejections());
        assertEquals(Write.UPDATED, t.put(2, new float[] {1}, 0));
        assertTrue(t.remove(0));
        assertEquals(Write.INSERTED, t.put(99, new float[] {1}, 0));
        assertEquals(3, t.size());
    }

    @Test
    void rowsNotWrittenForTheTtlExpire() {
        EmbeddingTable t = EmbeddingTable.builder("t", 1).ttlNanos(1_000).clockNanos(clock::get).build();
        t.put(1, new float[] {1}, 0);
        clock.set(600);
        t.put(2, new float[] {2}, 0);
        clock.set(1_001);
        assertEquals(0, t.expire() - 1); // row 1 only
        assertFalse(t.contains(1));
        assertTrue(t.contains(2));
        clock.set(1_700);
        assertEquals(1, t.expire());
        assertEquals(0, t.size());
        assertEquals(2, t.expiredRows());
    }

    @Test
    void churnThroughTombstonesKeepsEveryLiveRowReadable() {
        EmbeddingTable t = EmbeddingTable.builder("t", 2).maxRows(64).build();
        float[] out = new float[2];
        for (long round = 0; round < 200; round++) {
            for (long k = 0; k < 40; k++) {
                long id = round * 1000 + k;
                assertEquals(Write.INSERTED, t.put(id, new float[] {id, -id}, 0));
            }
            for (long k = 0; k < 40; k++) {
                long id = round * 1000 + k;
                assertTrue(t.get(id, out, 0), "id " + id);
                assertArrayEquals(new float[] {id, -id}, out);
                assertTrue(t.remove(id));
            }
        }
        assertEquals(0, t.size());
    }

    @Test
    void snapshotRestoresRowsAndAges() throws IOException {
        EmbeddingTable a = EmbeddingTable.builder("a", 3).ttlNanos(100).clockNanos(clock::get).build();
        for (long id = 1; id <= 50; id++) {
            a.put(id * 7919, new float[] {id, id + 1, id + 2}, 0);
        }
        clock.set(60);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        a.snapshot(bytes);
        EmbeddingTable b = EmbeddingTable.builder("b", 3).ttlNanos(100).clockNanos(clock::get).build();
        b.put(123, new float[] {1, 1, 1}, 0);
        b.restore(new ByteArrayInputStream(bytes.toByteArray()));
        assertEquals(50, b.size());
        assertFalse(b.contains(123));
        float[] out = new float[3];
        for (long id = 1; id <= 50; id++) {
            assertTrue(b.get(id * 7919, out, 0));
            assertArrayEquals(new float[] {id, id + 1, id + 2}, out);
        }
        clock.set(101); // restored rows kept their age of 60: 101 - 0 > 100
        assertEquals(50, b.expire());
    }

    @Test
    void restoreRefusesASnapshotOfAnotherWidth() throws IOException {
        EmbeddingTable a = EmbeddingTable.builder("a", 3).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        a.snapshot(bytes);
        EmbeddingTable b = EmbeddingTable.builder("b", 2).build();
        IOException e = assertThrows(IOException.class, () -> b.restore(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals("table 'b': snapshot of 'a' has dim 3, table has 2", e.getMessage());
    }

    @Test
    void configurationIsValidatedWithTheBadValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddingTable.builder("t", 4).admitAfter(0).build());
        assertEquals("table 't': admitAfter must be >= 1, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EmbeddingTable.builder("t", 0).build());
        assertThrows(IllegalArgumentException.class, () -> EmbeddingTable.builder("t", 2).defaultVector(new float[3]).build());
    }
}
