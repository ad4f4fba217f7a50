package dev.funnel.index;

import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class IndexStateWordsTest {

    @Test
    void theBitsetHoldsExactlyTheBitmapsOrdinalsAcrossContainersOfEveryKind() {
        SplittableRandom r = new SplittableRandom(5);
        RoaringBitmap b = new RoaringBitmap();
        b.add(0L, 70_000L); // a run across the first two containers
        for (int i = 0; i < 3_000; i++) {
            b.add(200_000 + r.nextInt(60_000)); // a sparse (array) container
        }
        for (int i = 0; i < 40_000; i++) {
            b.add(300_000 + r.nextInt(65_536)); // a dense (bitmap) container
        }
        b.remove(65_535);
        b.remove(65_536);
        b.runOptimize();
        long[] words = IndexState.wordsOf(b);
        for (int ord = 0; ord < 420_000; ord++) {
            assertEquals(b.contains(ord), IndexState.has(words, ord), "ordinal " + ord);
        }
        assertEquals(0, IndexState.wordsOf(new RoaringBitmap()).length);
        assertEquals(false, IndexState.has(new long[0], 3));
    }

    @Test
    void aStateBuildsEachOwnedBitsetOnceAndKeepsTheLatest() {
        IndexState s = IndexState.empty(16);
        RoaringBitmap[] maps = new RoaringBitmap[12];
        for (int i = 0; i < maps.length; i++) {
            maps[i] = RoaringBitmap.bitmapOf(i, 100 + i);
        }
        long[] first = s.words(maps[0]);
        assertSame(first, s.words(maps[0]));
        for (RoaringBitmap m : maps) {
            long[] w = s.words(m);
            assertEquals(true, IndexState.has(w, 100 + (m.first())));
        }
        // the cache keeps the most recent; an evicted bitmap is rebuilt, with the same bits
        long[] again = s.words(maps[0]);
        for (int ord = 0; ord < 200; ord++) {
            assertEquals(maps[0].contains(ord), IndexState.has(again, ord));
        }
        assertSame(again, s.words(maps[0]));
    }
}
