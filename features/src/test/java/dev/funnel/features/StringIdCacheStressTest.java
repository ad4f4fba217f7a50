package dev.funnel.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The extractor memoizes item-side string ids; the ids must stay exactly
 * {@link FeatureHash#ofString} (the trainer and the impression log depend on them) under slot
 * collisions (far more distinct strings than slots) and many threads sharing one extractor.
 */
class StringIdCacheStressTest {

    @Test
    void memoizedIdsEqualDirectHashesUnderCollisionsAndThreads() throws Exception {
        FeatureSchema schema = FeatureSchema.defaultSchema(2);
        FeatureExtractor extractor = new FeatureExtractor(schema);
        FeatureExtractorTest.Items items = new FeatureExtractorTest.Items();
        int itemCount = 20_000;
        long[] ids = new long[itemCount];
        for (int i = 0; i < itemCount; i++) {
            ids[i] = i + 1;
            // new String(...): equal values as distinct instances, like strings decoded per update
            items.add(i + 1, new String("c" + (i % 5000)), new String("a" + (i % 9000)),
                    List.of(new String("t" + (i % 7000)), new String("t" + ((i * 7) % 11000))),
                    FeatureExtractorTest.NOW - i * 1000L, i * 0.001, new float[] {1, 0});
        }
        long catSeed = FeatureHash.fieldSeed("category");
        long authorSeed = FeatureHash.fieldSeed("author");
        long tagSeed = FeatureHash.fieldSeed("tag");
        int cat = schema.fieldIndex("category");
        int author = schema.fieldIndex("author");
        int tagStart = schema.fieldCount() + schema.crosses().size();
        AtomicInteger mismatches = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            SplittableRandom rnd = new SplittableRandom(t);
            threads.add(new Thread(() -> {
                long[] req = new long[300];
                for (int round = 0; round < 200; round++) {
                    for (int i = 0; i < req.length; i++) {
                        req[i] = ids[rnd.nextInt(itemCount)];
                    }
                    FeatureBatch b = extractor.extract(new FeatureExtractorTest().userForTests(), null,
                            FeatureExtractorTest.NOW, items, req, req.length);
                    for (int r = 0; r < req.length; r++) {
                        long id = req[r];
                        List<String> tags = items.tags(id);
                        if (b.fieldId(r, cat) != FeatureHash.ofString(catSeed, items.category(id))
                                || b.fieldId(r, author) != FeatureHash.ofString(authorSeed, items.author(id))
                                || b.wideId(r, tagStart) != FeatureHash.ofString(tagSeed, tags.get(0))
                                || b.wideId(r, tagStart + 1) != FeatureHash.ofString(tagSeed, tags.get(1))) {
                            mismatches.incrementAndGet();
                        }
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(0, mismatches.get());
    }
}
