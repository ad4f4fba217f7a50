package dev.funnel.server.serving;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Many writers (as event loops record) and readers (as explain looks up) at once: a reader only
 * ever sees whole entries, and once writers stop exactly {@code capacity} of the recorded ids are
 * found, each with its own fields.
 */
class RecentRequestsStressTest {

    static final int WRITERS = 8;
    static final int PER_WRITER = 20_000;
    static final int CAPACITY = 256;

    @Test
    void readersSeeWholeEntriesAndTheRingEndsHoldingCapacityEntries() throws Exception {
        RecentRequests ring = new RecentRequests(CAPACITY);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<String> broken = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.add(new Thread(() -> {
                await(go);
                for (int i = 0; i < PER_WRITER; i++) {
                    String id = writer + "-" + i;
                    ring.record(new RecentRequests.Served(id, "u" + id, "s" + id, 1 + i % 100, Map.of("id", id),
                            new long[] {i}, writer, 0, "dag@" + id, "route", Map.of(), List.of(), i));
                }
            }, "writer-" + w));
        }
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int reader = r;
            readers.add(new Thread(() -> {
                await(go);
                java.util.Random rnd = new java.util.Random(reader);
                while (writing.get()) {
                    String id = rnd.nextInt(WRITERS) + "-" + (PER_WRITER - 1 - rnd.nextInt(CAPACITY));
                    RecentRequests.Served s = ring.find(id);
                    if (s != null && !whole(s, id)) {
                        broken.compareAndSet(null, "torn entry for " + id + ": " + s);
                    }
                }
            }, "reader-" + r));
        }
        writers.forEach(Thread::start);
        readers.forEach(Thread::start);
        go.countDown();
        for (Thread t : writers) {
            t.join();
        }
        writing.set(false);
        for (Thread t : readers) {
            t.join();
        }
        assertNull(broken.get());
        assertEquals((long) WRITERS * PER_WRITER, ring.recorded());
        int found = 0;
        for (int w = 0; w < WRITERS; w++) {
            for (int i = 0; i < PER_WRITER; i++) {
                String id = w + "-" + i;
                RecentRequests.Served s = ring.find(id);
                if (s != null) {
                    assertEquals(true, whole(s, id), s.toString());
                    found++;
                }
            }
        }
        assertEquals(CAPACITY, found, "one entry per slot, none lost, none twice");
    }

    private static boolean whole(RecentRequests.Served s, String id) {
        return s.requestId().equals(id) && s.userId().equals("u" + id) && s.scene().equals("s" + id)
                && s.context().get("id").equals(id) && s.dagVersion().equals("dag@" + id);
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
