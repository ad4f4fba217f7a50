package dev.funnel.index;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ItemIndex#nearestPartitioned}: recall against exact search, filters, live inserts and deletes. */
class PartitionedSearchTest {

    static final int DIM = 16;
    static final int CLUSTERS = 20;
    static final int ITEMS = 4_000;
    static final int K = 10;

    static List<ItemRecord> items;
    static float[][] centroids;
    /** Shared by the read-only tests. */
    static ItemIndex loaded;

    /** Clustered unit vectors (centroid plus noise), like the sim catalog, with the usual attributes. */
    @BeforeAll
    static void catalog() {
        SplittableRandom r = new SplittableRandom(11);
        centroids = new float[CLUSTERS][];
        for (int c = 0; c < CLUSTERS; c++) {
            centroids[c] = unit(gaussian(r, 1.0));
        }
        items = new ArrayList<>();
        for (int i = 1; i <= ITEMS; i++) {
            items.add(item(i, r));
        }
        loaded = index();
    }

    static ItemRecord item(long id, SplittableRandom r) {
        ItemRecord base = Catalogs.random(id, DIM, r);
        float[] c = centroids[r.nextInt(CLUSTERS)];
        float[] noise = gaussian(r, 0.9 / Math.sqrt(DIM));
        float[] e = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            e[d] = c[d] + noise[d];
        }
        return new ItemRecord(id, base.category(), base.author(), base.tags(), base.status(), base.createdAtMillis(),
                base.popularity(), unit(e), base.attributes());
    }

    static float[] gaussian(SplittableRandom r, double sd) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            v[d] = (float) (r.nextGaussian() * sd);
        }
        return v;
    }

    static float[] unit(float[] v) {
        double n = 0;
        for (float f : v) {
            n += f * f;
        }
        for (int d = 0; d < v.length; d++) {
            v[d] /= (float) Math.sqrt(n);
        }
        return v;
    }

    static ItemIndex index() {
        ItemIndex idx = new ItemIndex(IndexConfig.of(DIM).withExactSearchBelow(100), () -> Catalogs.NOW, 1_000);
        idx.bulkLoad(items);
        return idx;
    }

    static Set<Long> ids(long[] out, int n) {
        Set<Long> s = new HashSet<>();
        for (int i = 0; i < n; i++) {
            s.add(out[i]);
        }
        return s;
    }

    @Test
    void probingEveryListIsExactAndFewListsKeepHighRecall() {
        ItemIndex idx = loaded;
        int lists = idx.partitionCount();
        assertTrue(lists >= 16, "lists: " + lists);
        SplittableRandom r = new SplittableRandom(5);
        long[] a = new long[K];
        long[] b = new long[K];
        float[] sa = new float[K];
        float[] sb = new float[K];
        int hits = 0;
        int total = 0;
        for (int q = 0; q < 200; q++) {
            float[] query = items.get(r.nextInt(ITEMS)).embedding().clone();
            query[r.nextInt(DIM)] += 0.3f;
            int n = idx.exactNearest(query, K, Filter.NONE, a, sa);
            int all = idx.nearestPartitioned(query, K, lists, Filter.NONE, b, sb);
            assertEquals(ids(a, n), ids(b, all), "all lists probed must equal exact search");
            for (int i = 1; i < all; i++) {
                assertTrue(sb[i - 1] >= sb[i], "best first");
            }
            int m = idx.nearestPartitioned(query, K, 4, Filter.NONE, b, sb);
            Set<Long> truth = ids(a, n);
            for (int i = 0; i < m; i++) {
                hits += truth.contains(b[i]) ? 1 : 0;
            }
            total += n;
        }
        assertTrue(hits >= 0.9 * total, "recall@10 with 4 of " + lists + " lists: " + (double) hits / total);
    }

    @ParameterizedTest
    @EnumSource(value = Similarity.class, names = {"COSINE", "L2"})
    void probingEveryListIsExactForCosineAndEuclideanOnVectorsOfAnyLength(Similarity similarity) {
        // Lengths 0.5–2: cosine needs each vector's own norm, L2 its distance; the column-wise scan
        // must score like the exact search for both.
        SplittableRandom r = new SplittableRandom(23);
        List<ItemRecord> scaled = new ArrayList<>();
        for (ItemRecord it : items) {
            float f = (float) (0.5 + 1.5 * r.nextDouble());
            float[] e = it.embedding().clone();
            for (int d = 0; d < e.length; d++) {
                e[d] *= f;
            }
            scaled.add(new ItemRecord(it.id(), it.category(), it.author(), it.tags(), it.status(), it.createdAtMillis(),
                    it.popularity(), e, it.attributes()));
        }
        ItemIndex idx = new ItemIndex(IndexConfig.of(DIM).withSimilarity(similarity).withExactSearchBelow(100),
                () -> Catalogs.NOW, 1_000);
        idx.bulkLoad(scaled);
        int lists = idx.partitionCount();
        assertTrue(lists >= 16, "lists: " + lists);
        long[] a = new long[K];
        long[] b = new long[K];
        float[] sa = new float[K];
        float[] sb = new float[K];
        for (int q = 0; q < 50; q++) {
            float[] query = scaled.get(r.nextInt(ITEMS)).embedding().clone();
            query[r.nextInt(DIM)] += 0.3f;
            int n = idx.exactNearest(query, K, Filter.NONE, a, sa);
            int all = idx.nearestPartitioned(query, K, lists, Filter.NONE, b, sb);
            assertEquals(ids(a, n), ids(b, all), similarity + ": all lists probed must equal exact search");
            for (int i = 0; i < all; i++) {
                assertEquals(sa[i], sb[i], 1e-5, similarity + ": score of rank " + i);
            }
        }
    }

    @Test
    void filtersAreCheckedInsideTheScan() {
        ItemIndex idx = loaded;
        Filter online = Filter.builder().term("status", "online").build();
        Filter narrow = Filter.builder().term("category", "c3").term("status", "online").build();
        SplittableRandom r = new SplittableRandom(6);
        long[] a = new long[K];
        long[] b = new long[K];
        float[] s = new float[K];
        int hits = 0;
        int total = 0;
        for (int q = 0; q < 100; q++) {
            float[] query = items.get(r.nextInt(ITEMS)).embedding();
            int n = idx.exactNearest(query, K, online, a, s);
            int m = idx.nearestPartitioned(query, K, 4, online, b, s);
            Set<Long> truth = ids(a, n);
            for (int i = 0; i < m; i++) {
                assertEquals("online", idx.get(b[i]).status());
                hits += truth.contains(b[i]) ? 1 : 0;
            }
            total += n;
            // one list holds few c3 items: the probe widens until it has k
            int few = idx.nearestPartitioned(query, K, 1, narrow, b, s);
            assertEquals(K, few);
            for (int i = 0; i < few; i++) {
                ItemRecord rec = idx.get(b[i]);
                assertEquals("c3", rec.category());
                assertEquals("online", rec.status());
            }
        }
        assertTrue(hits >= 0.85 * total, "filtered recall@10 with 4 lists: " + (double) hits / total);
    }

    @Test
    void liveInsertsAreFoundAndDeletesNeverReturned() {
        ItemIndex idx = index();
        SplittableRandom r = new SplittableRandom(7);
        long[] out = new long[K];
        float[] s = new float[K];
        // inserts after training: half the catalog again, so lists outgrow their first arrays (1/8 slack)
        List<ItemRecord> added = new ArrayList<>();
        for (long id = ITEMS + 1; id <= ITEMS + ITEMS / 2; id++) {
            ItemRecord rec = item(id, r);
            idx.upsert(rec);
            added.add(rec);
        }
        for (int i = 0; i < added.size(); i += 97) {
            ItemRecord rec = added.get(i);
            int m = idx.nearestPartitioned(rec.embedding(), K, 1, Filter.NONE, out, s);
            assertTrue(m > 0 && out[0] == rec.id(), "new item " + rec.id() + " is its own nearest neighbour");
        }
        // deletes and embedding changes: the old vector's node must not surface
        for (int i = 0; i < 200; i++) {
            ItemRecord rec = items.get(i);
            if (i % 2 == 0) {
                idx.delete(rec.id());
            } else {
                float[] moved = item(rec.id(), r).embedding();
                idx.upsert(new ItemRecord(rec.id(), rec.category(), rec.author(), rec.tags(), rec.status(), rec.createdAtMillis(),
                        rec.popularity(), moved, Map.of()));
            }
            int m = idx.nearestPartitioned(rec.embedding(), K, 2, Filter.NONE, out, s);
            Set<Long> got = ids(out, m);
            if (i % 2 == 0) {
                assertFalse(got.contains(rec.id()), "deleted " + rec.id() + " returned");
            } else if (got.contains(rec.id())) {
                float[] now = idx.embedding(rec.id());
                int at = 0;
                while (out[at] != rec.id()) {
                    at++;
                }
                // returned under its new vector's score, not the old one's (1.0 for the old self-match)
                assertEquals(IndexConfig.DEFAULT_SIMILARITY.score(rec.embedding(), now), s[at], 1e-5f);
            }
        }
    }
}
