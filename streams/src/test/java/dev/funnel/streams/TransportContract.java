package dev.funnel.streams;

import dev.funnel.streams.schema.ModelDelta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link Transport} passes. Subclasses open transports over one shared backing
 * store ({@link #open()} twice sees the same topics; that is how a restart is simulated).
 */
public abstract class TransportContract {

    /** A new transport over the shared backing store. */
    protected abstract Transport open();

    private String topic;

    private String topic(TestInfo info) {
        if (topic == null) {
            topic = "t-" + info.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime();
        }
        return topic;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Polls until {@code n} records arrived or 30 s passed (Kafka fetches are asynchronous). */
    protected static List<String> read(StreamTailer tailer, int n, List<Long> positions) {
        List<String> out = new ArrayList<>();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (out.size() < n && System.nanoTime() < deadline) {
            tailer.poll((pos, buf) -> {
                byte[] b = new byte[buf.remaining()];
                buf.get(b);
                out.add(new String(b, StandardCharsets.UTF_8));
                if (positions != null) {
                    positions.add(pos);
                }
            }, n - out.size());
        }
        return out;
    }

    /** Polls for a while and returns what arrived (expected: nothing). */
    protected static int drainQuietly(StreamTailer tailer, long millis) {
        int n = 0;
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            n += tailer.poll((p, b) -> { }, 100);
        }
        return n;
    }

    @Test
    void deliversInAppendOrderWithIncreasingPositions(TestInfo info) {
        try (Transport t = open()) {
            StreamAppender a = t.appender(topic(info));
            for (int i = 0; i < 100; i++) {
                a.append(bytes("r" + i));
            }
            a.flush();
            List<Long> positions = new ArrayList<>();
            try (StreamTailer tail = t.tailer(topic(info), "reader")) {
                List<String> got = read(tail, 100, positions);
                assertEquals(100, got.size());
                for (int i = 0; i < 100; i++) {
                    assertEquals("r" + i, got.get(i));
                }
                for (int i = 1; i < positions.size(); i++) {
                    assertTrue(positions.get(i) > positions.get(i - 1), "positions increase: " + positions);
                }
                assertEquals(0, drainQuietly(tail, 200), "nothing more");
            }
        }
    }

    @Test
    void appendsWithOffsetAndLength(TestInfo info) {
        try (Transport t = open()) {
            StreamAppender a = t.appender(topic(info));
            a.append(bytes("xxhelloyy"), 2, 5);
            a.flush();
            try (StreamTailer tail = t.tailer(topic(info), "reader")) {
                assertEquals(List.of("hello"), read(tail, 1, null));
            }
        }
    }

    @Test
    void namedTailerResumesAfterRestartAndNamesAreIndependent(TestInfo info) {
        try (Transport t = open()) {
            StreamAppender a = t.appender(topic(info));
            for (int i = 0; i < 5; i++) {
                a.append(bytes("m" + i));
            }
            a.flush();
            try (StreamTailer tail = t.tailer(topic(info), "trainer")) {
                assertEquals(List.of("m0", "m1", "m2"), read(tail, 3, null));
                tail.commit();
            }
        }
        try (Transport t = open()) {
            try (StreamTailer tail = t.tailer(topic(info), "trainer")) {
                assertEquals(List.of("m3", "m4"), read(tail, 2, null));
                assertEquals(0, drainQuietly(tail, 200));
            }
            try (StreamTailer other = t.tailer(topic(info), "replica-1")) {
                assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), read(other, 5, null));
            }
        }
    }

    /**
     * A position the topic does not hold (a trainer's checkpoint from before the streams were reset) is
     * answered with false, not an exception: the caller chooses where to read instead.
     */
    @Test
    void seekingAfterAPositionTheTopicDoesNotHoldReturnsFalse(TestInfo info) {
        try (Transport t = open()) {
            StreamAppender a = t.appender(topic(info));
            for (int i = 0; i < 3; i++) {
                a.append(bytes("p" + i));
            }
            a.flush();
            try (StreamTailer tail = t.tailer(topic(info), "stale")) {
                List<Long> positions = new ArrayList<>();
                assertEquals(3, read(tail, 3, positions).size());
                assertFalse(tail.seekAfter(positions.get(2) + 1_000), "after the end");
                assertFalse(tail.seekAfter(positions.get(2) + 1), "the next position, not written yet");
                tail.seekToStart();
                assertEquals(List.of("p0", "p1", "p2"), read(tail, 3, null));
                assertTrue(tail.seekAfter(positions.get(0)));
                assertEquals(List.of("p1"), read(tail, 1, null));
            }
        }
    }

    @Test
    void seeksToStartEndAndAfterAPosition(TestInfo info) {
        try (Transport t = open()) {
            StreamAppender a = t.appender(topic(info));
            for (int i = 0; i < 6; i++) {
                a.append(bytes("s" + i));
            }
            a.flush();
            try (StreamTailer tail = t.tailer(topic(info), "seeker")) {
                List<Long> positions = new ArrayList<>();
                assertEquals(6, read(tail, 6, positions).size());
                assertTrue(tail.seekAfter(positions.get(2)));
                assertEquals(List.of("s3", "s4", "s5"), read(tail, 3, null));
                tail.seekToStart();
                assertEquals(List.of("s0", "s1"), read(tail, 2, null));
                tail.seekToEnd();
                assertEquals(0, drainQuietly(tail, 200), "nothing after end");
                a.append(bytes("s6"));
                a.flush();
                assertEquals(List.of("s6"), read(tail, 1, null));
            }
        }
    }

    /** A replica reading a topic at start knows when it has read what the topic held, however its fetches go. */
    @Test
    void tellsWhenEveryRecordAppendedSoFarWasDelivered(TestInfo info) {
        try (Transport t = open()) {
            StreamAppender a = t.appender(topic(info));
            try (StreamTailer tail = t.tailer(topic(info), "replica")) {
                assertTrue(tail.caughtUp(), "an empty topic");
                for (String s : List.of("c1", "c2", "c3")) {
                    a.append(bytes(s));
                }
                a.flush();
                assertFalse(tail.caughtUp());
                List<String> got = new java.util.ArrayList<>();
                long until = System.nanoTime() + 30_000_000_000L;
                while (!tail.caughtUp() && System.nanoTime() < until) {
                    tail.poll((pos, buf) -> {
                        byte[] b = new byte[buf.remaining()];
                        buf.get(b);
                        got.add(new String(b, StandardCharsets.UTF_8));
                    }, 1);
                }
                assertEquals(List.of("c1", "c2", "c3"), got, "caught up only once all were delivered, each once");
                a.append(bytes("c4"));
                a.flush();
                assertFalse(tail.caughtUp());
                assertEquals(List.of("c4"), read(tail, 1, null));
                assertTrue(tail.caughtUp());
            }
        }
    }

    /** A replica starts at the newest base: the tailer moves to the newest matching record without delivering any. */
    @Test
    void seeksToTheNewestMatchingRecord(TestInfo info) {
        try (Transport t = open()) {
            StreamAppender a = t.appender(topic(info));
            for (String s : List.of("d1", "B2", "d3", "B4", "d5", "d6")) {
                a.append(bytes(s));
            }
            a.flush();
            try (StreamTailer tail = t.tailer(topic(info), "replica")) {
                RecordMatcher base = buf -> buf.get(buf.position()) == 'B';
                assertTrue(tail.seekToNewest(base));
                assertEquals(List.of("B4", "d5", "d6"), read(tail, 3, null));
                assertEquals(0, drainQuietly(tail, 200));
                assertFalse(tail.seekToNewest(buf -> false));
                assertEquals(List.of("d1"), read(tail, 1, null), "no match: at the start");
                a.append(bytes("B7"));
                a.flush();
                assertTrue(tail.seekToNewest(base));
                assertEquals(List.of("B7"), read(tail, 1, null));
            }
        }
    }

    @Test
    void topicsAreIsolated(TestInfo info) {
        try (Transport t = open()) {
            String one = topic(info) + "-a";
            String two = topic(info) + "-b";
            t.appender(one).append(bytes("to-a"));
            StreamAppender b = t.appender(two);
            b.append(bytes("to-b"));
            b.flush();
            try (StreamTailer ta = t.tailer(one, "r"); StreamTailer tb = t.tailer(two, "r")) {
                assertEquals(List.of("to-a"), read(ta, 1, null));
                assertEquals(List.of("to-b"), read(tb, 1, null));
                assertEquals(0, drainQuietly(ta, 100) + drainQuietly(tb, 100));
            }
        }
    }

    @Test
    void carriesLargeBinaryRecordsIntact(TestInfo info) {
        float[] values = new float[64 * 20_000];
        long[] ids = new long[20_000];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i * 31L;
        }
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f;
        }
        ModelDelta delta = new ModelDelta("ctr", 7, ModelDelta.Kind.SPARSE, 123L,
                List.of(new ModelDelta.Rows("item_emb", 64, ids, values)), null);
        try (Transport t = open()) {
            StreamAppender a = t.appender(topic(info));
            a.append(delta.encode());
            a.flush();
            List<ModelDelta> got = new ArrayList<>();
            try (StreamTailer tail = t.tailer(topic(info), "r")) {
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (got.isEmpty() && System.nanoTime() < deadline) {
                    tail.poll((p, buf) -> got.add(ModelDelta.decode(buf)), 1);
                }
            }
            assertEquals(1, got.size());
            assertEquals(7, got.get(0).version());
            assertArrayEquals(ids, got.get(0).tables().get(0).ids());
            assertArrayEquals(values, got.get(0).tables().get(0).values());
        }
    }

    /**
     * "One thread at a time" allows a handover: a consumer positions its tailer on the thread that
     * builds it (a trainer restoring its checkpoint in its constructor) and polls it on its own thread.
     */
    @Test
    void aTailerSeekedOnOneThreadIsPolledAndClosedOnAnother(TestInfo info) throws Exception {
        try (Transport t = open()) {
            StreamAppender a = t.appender(topic(info));
            for (int i = 0; i < 6; i++) {
                a.append(bytes("h" + i));
            }
            a.flush();
            List<Long> positions = new ArrayList<>();
            try (StreamTailer first = t.tailer(topic(info), "positions")) {
                assertEquals(6, read(first, 6, positions).size());
            }
            StreamTailer tail = t.tailer(topic(info), "handover");
            tail.seekAfter(positions.get(2));
            List<String> got = new ArrayList<>();
            Throwable[] failure = new Throwable[1];
            Thread poller = new Thread(() -> {
                try {
                    got.addAll(read(tail, 3, null));
                    tail.seekToStart();
                    got.addAll(read(tail, 1, null));
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }, "poller");
            poller.start();
            poller.join();
            if (failure[0] != null) {
                throw new AssertionError("polling on a second thread failed", failure[0]);
            }
            assertEquals(List.of("h3", "h4", "h5", "h0"), got);
            tail.seekToEnd(); // back on the first thread, after the poller is done
            tail.close();
        }
    }

    /** Stress: many appender threads; every record arrives once and each thread's order holds. */
    @Test
    void concurrentAppendersLoseNothingAndKeepPerThreadOrder(TestInfo info) throws Exception {
        int threads = 8;
        int perThread = 2_000;
        try (Transport t = open()) {
            StreamAppender a = t.appender(topic(info));
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> ws = new ArrayList<>();
            AtomicInteger errors = new AtomicInteger();
            for (int w = 0; w < threads; w++) {
                int id = w;
                Thread th = new Thread(() -> {
                    try {
                        start.await();
                        ByteBuffer b = ByteBuffer.allocate(8);
                        for (int i = 0; i < perThread; i++) {
                            b.clear();
                            b.putInt(id).putInt(i);
                            a.append(b.array());
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                });
                th.start();
                ws.add(th);
            }
            start.countDown();
            for (Thread th : ws) {
                th.join();
            }
            a.flush();
            assertEquals(0, errors.get());
            int[] next = new int[threads];
            AtomicInteger outOfOrder = new AtomicInteger();
            AtomicInteger total = new AtomicInteger();
            try (StreamTailer tail = t.tailer(topic(info), "stress")) {
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (total.get() < threads * perThread && System.nanoTime() < deadline) {
                    tail.poll((p, buf) -> {
                        int w = buf.getInt();
                        int i = buf.getInt();
                        if (next[w] != i) {
                            outOfOrder.incrementAndGet();
                        }
                        next[w] = i + 1;
                        total.incrementAndGet();
                    }, 1000);
                }
                assertEquals(threads * perThread, total.get());
                assertEquals(0, outOfOrder.get());
                assertEquals(0, drainQuietly(tail, 200), "no duplicates after the last record");
            }
        }
    }
}
