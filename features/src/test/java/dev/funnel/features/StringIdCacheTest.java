package dev.funnel.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StringIdCacheTest {

    /** The sim's authors: 5,000 names whose hash codes differ in their low bits only. */
    @Test
    void holdsAVocabularyOfSimilarNamesWithoutEvictingAny() {
        long seed = FeatureHash.fieldSeed("author");
        StringIdCache cache = new StringIdCache(seed);
        String[] authors = new String[5000];
        for (int a = 0; a < authors.length; a++) {
            authors[a] = String.format("a%04d", a).intern();
        }
        for (String a : authors) {
            assertEquals(FeatureHash.ofString(seed, a), cache.idOf(a));
        }
        List<String> evicted = new ArrayList<>();
        for (String a : authors) {
            if (!cache.holds(a)) {
                evicted.add(a);
            }
        }
        assertEquals(0, evicted.size(), () -> evicted.size() + " names evicted after one pass, e.g. "
                + evicted.subList(0, Math.min(5, evicted.size())));
        for (String a : authors) {
            assertEquals(FeatureHash.ofString(seed, a), cache.idOf(a));
        }
    }

    @Test
    void anEqualStringThatIsAnotherInstanceHits() {
        StringIdCache cache = new StringIdCache(7);
        long id = cache.idOf("a0042");
        assertTrue(cache.holds(new String("a0042")));
        assertEquals(id, cache.idOf(new String("a0042")));
        assertEquals(FeatureHash.ofString(7, "a0042"), id);
    }
}
