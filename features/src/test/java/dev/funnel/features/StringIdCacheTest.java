package dev.funnel.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StringIdCacheTest {

    /** The sim's authors: 5,000 names whose hash codes differ in their low bits only. */
    @Test
    void holdsAVocabularyOfSimilarNamesWithoutEvictingAny() {
        StringIdCache cache = new StringIdCache(FeatureHash.fieldSeed("author"));
        String[] authors = new String[5000];
        for (int a = 0; a < authors.length; a++) {
            authors[a] = String.format("a%04d", a).intern();
        }
        for (String a : authors) {
            cache.idOf(a);
        }
        assertEquals(authors.length, cache.misses());
        for (int round = 0; round < 3; round++) {
            for (String a : authors) {
                assertEquals(FeatureHash.ofString(FeatureHash.fieldSeed("author"), a), cache.idOf(a));
            }
        }
        assertEquals(authors.length, cache.misses(), "second and later passes must all hit");
    }

    @Test
    void anEqualStringThatIsAnotherInstanceHits() {
        StringIdCache cache = new StringIdCache(7);
        long id = cache.idOf("a0042");
        assertEquals(id, cache.idOf(new String("a0042")));
        assertEquals(1, cache.misses());
        assertEquals(FeatureHash.ofString(7, "a0042"), id);
    }
}
