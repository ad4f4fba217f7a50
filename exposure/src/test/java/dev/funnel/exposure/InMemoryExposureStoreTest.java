package dev.funnel.exposure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InMemoryExposureStoreTest extends ExposureStoreContract {

    @TempDir
    Path dir;

    @Override
    ExposureStore create(ExposureConfig config) {
        try {
            return ExposureStores.inMemory(config, clock::get, Runnable::run);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An event loop records what it served without waiting: when another writer holds the user's
     * record, the write goes to the maintenance executor and lands once the record is free.
     */
    @Test
    void aWriteToABusyRecordDoesNotWaitAndLandsLater() throws Exception {
        java.util.concurrent.ExecutorService maintenance = java.util.concurrent.Executors.newSingleThreadExecutor();
        InMemoryExposureStore store = (InMemoryExposureStore) ExposureStores.inMemory(config(), clock::get, maintenance);
        try {
            store.recordServed("u1", range(1, 3), 2); // creates the user's records
            java.util.concurrent.locks.ReentrantLock busy = store.users.get("u1").shortTerm.writersLock();
            busy.lock(); // another writer, say maintenance expiring this user
            try {
                java.util.concurrent.CompletableFuture<Void> loop = java.util.concurrent.CompletableFuture.runAsync(
                        () -> store.recordServed("u1", range(100, 110), 10));
                loop.get(10, java.util.concurrent.TimeUnit.SECONDS); // returned while the record was held
                assertEquals(1, store.metrics().deferredWrites());
                assertEquals(0, store.seen("u1", range(100, 110), 10).toCompletableFuture().get().seenCount(),
                        "not written while the record is held");
            } finally {
                busy.unlock();
            }
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (store.seen("u1", range(100, 110), 10).toCompletableFuture().get().seenCount() < 10) {
                assertTrue(System.nanoTime() < until, "the deferred write never landed"); // polled, not timed
                Thread.sleep(1);
            }
            assertEquals(2, store.seen("u1", range(1, 3), 2).toCompletableFuture().get().seenCount());
        } finally {
            store.close();
            maintenance.shutdownNow();
        }
    }

    @Test
    void snapshotRoundTripKeepsBothRecords() throws Exception {
        Path file = dir.resolve("exposure.bin");
        ExposureStore a = create(config().withSnapshotPath(file));
        a.recordExposed("u1", range(1, 1001), 1000);
        a.recordServed("u1", range(5000, 5020), 20);
        a.recordExposed("u2", range(7, 8), 1);
        a.close();
        assertTrue(Files.size(file) > 0);

        ExposureStore b = create(config().withSnapshotPath(file));
        assertEquals(1000, b.seen("u1", range(1, 1001), 1000).toCompletableFuture().get().seenCount());
        assertEquals(20, b.seen("u1", range(5000, 5020), 20).toCompletableFuture().get().seenCount());
        assertEquals(1, b.seen("u2", range(7, 8), 1).toCompletableFuture().get().seenCount());
        assertEquals(0, b.seen("u3", range(1, 100), 99).toCompletableFuture().get().seenCount());
        assertEquals(a.metrics().bytes(), b.metrics().bytes(), "restored memory accounting");
        b.close();
    }

    @Test
    void snapshotOfCompactedWindowsKeepsEveryItemAndTheSameAnswers() throws Exception {
        Path file = dir.resolve("exposure.bin");
        ExposureStore a = create(config().withSnapshotPath(file));
        for (int d = 0; d < 25; d++) {
            a.recordExposed("u1", range(d * 1000L, d * 1000L + 30), 30);
            clock.addAndGet(DAY);
        }
        assertTrue(((InMemoryExposureStore) a).users.get("u1").longTerm.compactedColumns(0) >= 16, "closed windows compacted");
        long[] probe = range(0, 40_000);
        SeenRows before = a.seen("u1", probe, probe.length).toCompletableFuture().get();
        a.close();

        ExposureStore b = create(config().withSnapshotPath(file));
        assertTrue(((InMemoryExposureStore) b).users.get("u1").longTerm.compactedColumns(0) >= 16, "compacted again on restore");
        SeenRows after = b.seen("u1", probe, probe.length).toCompletableFuture().get();
        assertEquals(25 * 30, countSeenOfDays(after, 25), "every recorded item seen after restore");
        for (int i = 0; i < probe.length; i++) {
            assertEquals(before.isSeen(i), after.isSeen(i), "row " + i);
        }
        b.close();
    }

    @Test
    void snapshotOfACurrentWindowWhoseFullSegmentJoinedItsBlockKeepsEveryItem() throws Exception {
        Path file = dir.resolve("exposure.bin");
        ExposureStore a = create(config().withSnapshotPath(file));
        int days = 8;
        for (int d = 0; d < days; d++) { // 600 a day: segment 0 (256) full, segment 1 (1,024) sparse
            if (d > 0) {
                clock.addAndGet(DAY);
            }
            a.recordExposed("u1", range(d * 1000L, d * 1000L + 600), 600);
        }
        WindowedBloom longTerm = ((InMemoryExposureStore) a).users.get("u1").longTerm;
        assertEquals(days, longTerm.compactedColumns(0), "today's full segment 0 is in the block");
        assertTrue(longTerm.compactedGated(1), "segment 1's block is gated");
        long[] probe = range(0, 20_000);
        SeenRows before = a.seen("u1", probe, probe.length).toCompletableFuture().get();
        assertEquals(days * 600, countSeen(before, days, 600), "every recorded item seen");
        a.close();

        ExposureStore b = create(config().withSnapshotPath(file));
        assertEquals(days, ((InMemoryExposureStore) b).users.get("u1").longTerm.compactedColumns(0), "compacted again on restore");
        SeenRows after = b.seen("u1", probe, probe.length).toCompletableFuture().get();
        for (int i = 0; i < probe.length; i++) {
            assertEquals(before.isSeen(i), after.isSeen(i), "row " + i);
        }
        b.recordExposed("u1", range(9000, 9100), 100); // still today: into segment 1 and the restored gate
        assertEquals(100, b.seen("u1", range(9000, 9100), 100).toCompletableFuture().get().seenCount());
        b.close();
    }

    private static int countSeen(SeenRows r, int days, int perDay) {
        int c = 0;
        for (int d = 0; d < days; d++) {
            for (int j = 0; j < perDay; j++) {
                c += r.isSeen(d * 1000 + j) ? 1 : 0;
            }
        }
        return c;
    }

    private static int countSeenOfDays(SeenRows r, int days) {
        int c = 0;
        for (int d = 0; d < days; d++) {
            for (int j = 0; j < 30; j++) {
                c += r.isSeen(d * 1000 + j) ? 1 : 0;
            }
        }
        return c;
    }

    @Test
    void corruptSnapshotIsRefusedWithTheReason() throws Exception {
        Path file = dir.resolve("exposure.bin");
        ExposureStore a = create(config().withSnapshotPath(file));
        a.recordExposed("u1", range(1, 101), 100);
        a.close();
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(file, bytes);
        IOException e = assertThrows(IOException.class,
                () -> ExposureStores.inMemory(config().withSnapshotPath(file), clock::get, Runnable::run));
        assertTrue(e.getMessage().contains("checksum") || e.getMessage().contains("corrupt"), e.getMessage());

        Files.write(file, java.util.Arrays.copyOf(bytes, 20));
        e = assertThrows(IOException.class,
                () -> ExposureStores.inMemory(config().withSnapshotPath(file), clock::get, Runnable::run));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void snapshotOfAnotherLayoutIsRefused() throws Exception {
        Path file = dir.resolve("exposure.bin");
        ExposureStore a = create(config().withSnapshotPath(file));
        a.recordExposed("u1", range(1, 11), 10);
        a.close();
        IOException e = assertThrows(IOException.class,
                () -> ExposureStores.inMemory(config().withSnapshotPath(file).withInitialCapacity(1024), clock::get, Runnable::run));
        assertTrue(e.getMessage().contains("layout"), e.getMessage());
    }

    @Test
    void memoryIsBoundedByEvictingTheLeastRecentlyActiveUsers() throws Exception {
        long max = 1L << 20;
        ExposureStore s = create(config().withMaxBytes(max));
        for (int u = 0; u < 6000; u++) {
            clock.addAndGet(1);
            s.recordExposed("user" + u, range(1, 11), 10);
        }
        assertTrue(s.metrics().bytes() <= max, "bytes " + s.metrics().bytes() + " over bound " + max);
        assertTrue(s.metrics().evictedUsers() > 0);
        assertEquals(10, s.seen("user5999", range(1, 11), 10).toCompletableFuture().get().seenCount(), "most recent user kept");
        assertEquals(0, s.seen("user0", range(1, 11), 10).toCompletableFuture().get().seenCount(), "oldest user evicted");
        s.close();
    }

    @Test
    void expiredUsersAreDroppedByMaintenance() {
        InMemoryExposureStore s = (InMemoryExposureStore) create(config());
        s.recordExposed("u1", range(1, 11), 10);
        s.recordServed("u2", range(1, 11), 10);
        clock.addAndGet(31 * DAY);
        s.maintain();
        assertEquals(0, s.userCount());
        assertEquals(0, s.metrics().bytes());
    }

    @Test
    void layoutSizesMatchTheBloomMath() {
        BloomLayout l = new BloomLayout(DAY, 30, 10_000, 0.01);
        double rate = BloomLayout.filterFpp(10_000.0 / l.words(0), l.k);
        assertTrue(rate <= 0.005 && rate > 0.004, "segment 0 sized for half the window's rate, got " + rate);
        assertEquals(0, l.segmentOf(0));
        assertEquals(0, l.segmentOf(9_999));
        assertEquals(1, l.segmentOf(10_000));
        assertEquals(1, l.segmentOf(49_999));
        assertEquals(2, l.segmentOf(50_000));
        assertEquals(3, l.segmentsFor(50_001));
    }
}
