package dev.funnel.exposure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Compaction of closed windows into bit-sliced blocks ({@link ClosedWindows}): it keeps every item
 * of a kept window, drops expired ones, answers exactly as the uncompacted windows do (false
 * positives included: the bits are the same), keeps memory accounting exact, and readers racing it
 * never miss a kept item.
 */
class WindowedBloomCompactionTest {

    static final long DAY = 86_400_000L;
    static final long START = 20_000 * DAY;
    final BloomLayout layout = BloomLayout.longTerm(ExposureConfig.DEFAULT.withInitialCapacity(64));

    static long[] day(int d, int perDay) {
        return LongStream.range(0, perDay).map(j -> d * 100_000L + j).toArray();
    }

    static void add(WindowedBloom b, BloomLayout l, long now, long[] ids) {
        long[] h = new long[ids.length];
        long[] m1 = new long[ids.length];
        long[] m2 = new long[ids.length];
        l.hash(ids, ids.length, h, m1, m2);
        b.add(now, h, m1, m2, ids.length);
    }

    static long[] seen(WindowedBloom b, BloomLayout l, long now, long[] ids) {
        long[] h = new long[ids.length];
        long[] m1 = new long[ids.length];
        long[] m2 = new long[ids.length];
        l.hash(ids, ids.length, h, m1, m2);
        long[] bits = new long[SeenRows.words(ids.length)];
        b.mark(now, h, m1, m2, ids.length, bits);
        return bits;
    }

    static int count(long[] bits) {
        int c = 0;
        for (long w : bits) {
            c += Long.bitCount(w);
        }
        return c;
    }

    @Test
    void compactedWindowsAnswerExactlyAsTheWindowsDidAndExpireOneByOne() {
        for (int days : new int[] {6, 12, 30}) { // byte, short and int planes
            AtomicLong bytes = new AtomicLong();
            WindowedBloom compacted = new WindowedBloom(layout, bytes);
            WindowedBloom plain = new WindowedBloom(layout, new AtomicLong(), false);
            for (int d = 0; d < days; d++) {
                add(compacted, layout, START + d * DAY, day(d, perDay(d)));
                add(plain, layout, START + d * DAY, day(d, perDay(d)));
            }
            assertEquals(days - 1, compacted.compactedColumns(0), "every closed window's first segment is in the block");
            assertEquals(0, plain.compactedColumns(0));
            assertEquals(compacted.bytes(), bytes.get(), "byte gauge vs filters held");

            long[] probe = LongStream.range(0, 40 * 100_000L).filter(id -> id % 100_000 < 500 || id % 997 == 0).toArray();
            int last = days - 1;
            for (int now = last; now <= last + 31; now++) {
                long nowMillis = START + now * DAY;
                assertArrayEquals(seen(plain, layout, nowMillis, probe), seen(compacted, layout, nowMillis, probe),
                        days + " days, day " + now + ": same answers as without compaction");
                for (int d = 0; d < days; d++) {
                    long[] ids = day(d, perDay(d));
                    int hits = count(seen(compacted, layout, nowMillis, ids));
                    if (d > now - 30) {
                        assertEquals(ids.length, hits, days + " days: day-" + d + " items must be seen on day " + now);
                    } else {
                        assertTrue(hits <= 2, days + " days: day-" + d + " items expired on day " + now + ", yet " + hits + " seen");
                    }
                }
            }
        }
    }

    @Test
    void blocksInSeveralSegmentsAnswerExactlyAsTheWindows() {
        for (int days : new int[] {8, 14, 30}) { // byte, short and int planes, in every segment
            WindowedBloom compacted = new WindowedBloom(layout, new AtomicLong());
            WindowedBloom plain = new WindowedBloom(layout, new AtomicLong(), false);
            for (int d = 0; d < days; d++) {
                add(compacted, layout, START + d * DAY, day(d, 400)); // segments 0, 1 and 2 of every window
                add(plain, layout, START + d * DAY, day(d, 400));
            }
            for (int s = 0; s < 3; s++) {
                // 400 items fill segments 0 (64) and 1 (256) of the current window too: they join their blocks.
                int columns = s < 2 ? days : days - 1;
                assertEquals(columns, compacted.compactedColumns(s), days + " days: segment " + s + " compacted");
                assertEquals(compacted.compactedPlaneBits(0), compacted.compactedPlaneBits(s), "one plane width");
            }
            long[] probe = LongStream.range(0, 31 * 100_000L).filter(id -> id % 100_000 < 400 || id % 211 == 0).toArray();
            for (int now = days - 1; now <= days + 30; now += 3) {
                long nowMillis = START + now * DAY;
                assertArrayEquals(seen(plain, layout, nowMillis, probe), seen(compacted, layout, nowMillis, probe),
                        days + " days, day " + now + ": same answers as without compaction");
            }
            for (int d = 0; d < days; d++) {
                assertEquals(400, count(seen(compacted, layout, START + (days - 1) * DAY, day(d, 400))), "day " + d + " kept");
            }
        }
    }

    @Test
    void aSparseBlockProbesThroughItsGateAndStillAnswersAsTheWindows() {
        // The benchmark's 8-window user: 1,250 items a day fill segment 0 (dense block, no gate)
        // and a third of segment 1 (sparse block, gated).
        BloomLayout l = BloomLayout.longTerm(ExposureConfig.DEFAULT);
        WindowedBloom compacted = new WindowedBloom(l, new AtomicLong());
        WindowedBloom plain = new WindowedBloom(l, new AtomicLong(), false);
        int days = 8;
        for (int d = 0; d < days; d++) {
            add(compacted, l, START + d * DAY, day(d, 1250));
            add(plain, l, START + d * DAY, day(d, 1250));
        }
        assertEquals(days, compacted.compactedColumns(0), "the current window's full segment 0 joined the block");
        assertEquals(days - 1, compacted.compactedColumns(1), "the current window's segment 1 still takes items");
        assertTrue(compacted.compactedGated(1), "the sparse segment-1 block has a gate");
        assertTrue(!compacted.compactedGated(0), "the dense segment-0 block has none: it would pass nearly everything");
        long[] probe = LongStream.range(0, 40 * 100_000L).filter(id -> id % 100_000 < 1250 || id % 101 == 0).toArray();
        // Up to every window expired, with no write in between: expired columns stay in the gate.
        for (int now = days - 1; now <= days + 30; now++) {
            long nowMillis = START + now * DAY;
            assertArrayEquals(seen(plain, l, nowMillis, probe), seen(compacted, l, nowMillis, probe),
                    "day " + now + ": same answers as without compaction");
        }
        for (int d = 0; d < days; d++) {
            assertEquals(1250, count(seen(compacted, l, START + (days - 1) * DAY, day(d, 1250))), "day " + d + " kept");
        }
    }

    @Test
    void theCurrentWindowsSegmentJoinsItsBlockOnceFullAndItsItemsStaySeen() {
        AtomicLong bytes = new AtomicLong();
        WindowedBloom compacted = new WindowedBloom(layout, bytes);
        WindowedBloom plain = new WindowedBloom(layout, new AtomicLong(), false);
        int days = 6;
        for (int d = 0; d < days - 1; d++) {
            add(compacted, layout, START + d * DAY, day(d, 100));
            add(plain, layout, START + d * DAY, day(d, 100));
        }
        long today = START + (days - 1) * DAY;
        long[] ids = day(days - 1, 200);
        long[] probe = LongStream.range(0, 10 * 100_000L).filter(id -> id % 100_000 < 200 || id % 101 == 0).toArray();
        for (int i = 0; i < ids.length; i += 10) { // 64 items fill segment 0; the write of the 64th seals it
            long[] batch = java.util.Arrays.copyOfRange(ids, i, i + 10);
            add(compacted, layout, today, batch);
            add(plain, layout, today, batch);
            int expected = i + 10 >= 64 ? days : days - 1;
            assertEquals(expected, compacted.compactedColumns(0), "after " + (i + 10) + " items today");
            assertArrayEquals(seen(plain, layout, today, probe), seen(compacted, layout, today, probe), "after " + (i + 10) + " items today");
            assertEquals(compacted.bytes(), bytes.get(), "byte gauge vs filters held");
        }
        assertEquals(200, count(seen(compacted, layout, today, ids)), "every item of today seen");
        // The next day closes the window: its remaining segments join, its first stays in its column.
        add(compacted, layout, today + DAY, day(days, 10));
        add(plain, layout, today + DAY, day(days, 10));
        assertEquals(days, compacted.compactedColumns(0));
        assertArrayEquals(seen(plain, layout, today + DAY, probe), seen(compacted, layout, today + DAY, probe), "the day after");
        assertEquals(200, count(seen(compacted, layout, today + DAY, ids)), "every item of the closed window seen");
    }

    private static int perDay(int d) {
        return d % 7 == 3 ? 400 : 50; // some days grow past the first segment
    }

    @Test
    void laterCompactionsDropExpiredColumnsAndKeepAccountingExact() {
        AtomicLong bytes = new AtomicLong();
        WindowedBloom b = new WindowedBloom(layout, bytes);
        WindowedBloom plain = new WindowedBloom(layout, new AtomicLong(), false);
        for (int d = 0; d < 75; d++) {
            add(b, layout, START + d * DAY, day(d, 30));
            add(plain, layout, START + d * DAY, day(d, 30));
            assertEquals(b.bytes(), bytes.get(), "byte gauge on day " + d);
        }
        assertEquals(29, b.compactedColumns(0));
        long now = START + 74 * DAY;
        // Columns of expired windows were reused for new ones: none may keep an old window's bits.
        long[] probe = LongStream.range(0, 75 * 100_000L).filter(id -> id % 100_000 < 40 || id % 101 == 0).toArray();
        assertArrayEquals(seen(plain, layout, now, probe), seen(b, layout, now, probe), "same answers as without compaction");
        for (int d = 45; d < 75; d++) {
            assertEquals(30, count(seen(b, layout, now, day(d, 30))), "day " + d + " kept");
        }
        for (int d = 0; d < 45; d++) {
            assertTrue(count(seen(b, layout, now, day(d, 30))) <= 1, "day " + d + " expired");
        }
        assertTrue(b.expire(now));
        assertTrue(!b.expire(START + 200 * DAY), "everything expired");
        assertEquals(0, bytes.get());
    }

    @Test
    void asActivityFallsBlocksMoveToNarrowerPlanesAndStillAnswerAsTheWindows() {
        AtomicLong bytes = new AtomicLong();
        WindowedBloom b = new WindowedBloom(layout, bytes);
        WindowedBloom plain = new WindowedBloom(layout, new AtomicLong(), false);
        int[] days = java.util.stream.IntStream.concat(java.util.stream.IntStream.range(0, 25),
                java.util.stream.IntStream.of(40, 45, 50, 51)).toArray(); // daily, then a few days
        for (int d : days) {
            add(b, layout, START + d * DAY, day(d, 30));
            add(plain, layout, START + d * DAY, day(d, 30));
            assertEquals(b.bytes(), bytes.get(), "byte gauge on day " + d);
        }
        // On day 51 the closed windows still kept are days 22-24, 40, 45, 50: six columns, a byte each.
        assertEquals(6, b.compactedColumns(0));
        assertEquals(8, b.compactedPlaneBits(0), "renumbered into byte planes");
        long[] probe = LongStream.range(0, 52 * 100_000L).filter(id -> id % 100_000 < 40 || id % 101 == 0).toArray();
        for (int now = 51; now <= 85; now += 2) {
            assertArrayEquals(seen(plain, layout, START + now * DAY, probe), seen(b, layout, START + now * DAY, probe),
                    "day " + now + ": same answers as without compaction");
        }
    }

    @Test
    void aWriteIntoAnAlreadyCompactedWindowIsSeen() {
        WindowedBloom b = new WindowedBloom(layout, new AtomicLong());
        for (int d = 0; d < 20; d++) {
            add(b, layout, START + d * DAY, day(d, 20));
        }
        assertEquals(19, b.compactedColumns(0));
        long[] late = LongStream.range(9_000_000, 9_000_040).toArray();
        add(b, layout, START + 5 * DAY + 1, late); // a writer whose clock is two weeks behind
        add(b, layout, START + 20 * DAY, day(20, 20)); // next compaction merges it into day 5's column
        assertEquals(40, count(seen(b, layout, START + 20 * DAY, late)));
        assertEquals(20, count(seen(b, layout, START + 20 * DAY, day(5, 20))));
    }

    @Test
    void readersRacingCompactionNeverMissAKeptItem() throws Exception {
        // 40 items a day stay in segment 0; 100 fill it (the current window's segment joins its
        // block as the day's write lands) and start segment 1 (a sparse, gated block whose gate the
        // writer keeps for the current window).
        for (int perDay : new int[] {40, 100}) {
            readersRaceCompaction(perDay);
        }
    }

    private void readersRaceCompaction(int perDay) throws Exception {
        WindowedBloom b = new WindowedBloom(layout, new AtomicLong());
        AtomicLong publishedDay = new AtomicLong(-1);
        AtomicBoolean done = new AtomicBoolean();
        java.util.concurrent.CountDownLatch readersChecking = new java.util.concurrent.CountDownLatch(2);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<Integer>> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            readers.add(pool.submit(() -> {
                int checks = 0;
                while (!done.get()) {
                    long d = publishedDay.get();
                    if (d < 0) {
                        continue;
                    }
                    long now = START + d * DAY;
                    for (long k = Math.max(0, d - 29); k <= d; k++) {
                        long[] ids = day((int) k, perDay);
                        int hits = count(seen(b, layout, now, ids));
                        // A miss is allowed only once the writer (publishing day w, maybe writing
                        // w + 1) has moved past day k's retention: then day k is expired for it.
                        long w = publishedDay.get();
                        if (hits != perDay && w + 1 < k + 30) {
                            throw new AssertionError("day " + k + " seen " + hits + "/" + perDay + " on day " + d + ", writer on day " + w);
                        }
                        if (checks++ == 0) {
                            readersChecking.countDown();
                        }
                    }
                }
                return checks;
            }));
        }
        for (int d = 0; d < 120; d++) {
            add(b, layout, START + d * DAY, day(d, perDay));
            publishedDay.set(d);
            if (d == 10) {
                // On a busy machine the readers' threads may start only after the writer is done:
                // hold the writer until both read, so most compactions race them.
                assertTrue(readersChecking.await(60, TimeUnit.SECONDS), "readers started");
            }
        }
        done.set(true);
        for (Future<Integer> f : readers) {
            assertTrue(f.get(60, TimeUnit.SECONDS) > 0);
        }
        pool.shutdown();
        assertEquals(perDay > 64 ? 30 : 29, b.compactedColumns(0));
        if (perDay > 64) {
            assertTrue(b.compactedGated(1), "segment 1's block is gated");
        }
    }
}
