package dev.funnel.index;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ItemIndexTest {

    static final int DIM = 16;

    static ItemIndex index(List<ItemRecord> items) {
        ItemIndex idx = new ItemIndex(IndexConfig.of(DIM).withIndexedFields(List.of("brand", "price")).withRankedRebuildEvery(50),
                () -> Catalogs.NOW);
        idx.bulkLoad(items);
        return idx;
    }

    static List<Filter> filters() {
        return List.of(
                Filter.NONE,
                Filter.builder().term("status", "online").build(),
                Filter.builder().term("status", "online").anyOf("category", List.of("c1", "c2")).build(),
                Filter.builder().anyOf("tags", List.of("t3", "t4", "t5")).range("popularity", 0.2, 0.8).build(),
                Filter.builder().term("status", "online").createdWithinMillis(24 * 3_600_000L).build(),
                Filter.builder().term("brand", "b2").range("price", 10, 40).build(),
                Filter.builder().term("category", "c3").term("category", "c4").build(), // contradictory: empty
                Filter.builder().term("tags", "no-such-tag").build());
    }

    static List<Long> ids(long[] a, int n) {
        List<Long> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(a[i]);
        }
        return out;
    }

    @Test
    void forwardIndexReturnsWhatWasLoaded() {
        List<ItemRecord> items = Catalogs.randomList(500, DIM, 1);
        ItemIndex idx = index(items);
        assertEquals(500, idx.size());
        for (ItemRecord r : items) {
            assertEquals(r, idx.get(r.id()));
            assertEquals(r.category(), idx.category(r.id()));
            assertEquals(r.tags(), idx.tags(r.id()));
            assertEquals(r.status(), idx.status(r.id()));
            assertEquals(r.popularity(), idx.popularity(r.id()));
            assertEquals(r.attributes().get("price"), idx.attribute(r.id(), "price"));
            assertEquals(Long.class, idx.attribute(r.id(), "price").getClass());
        }
        assertNull(idx.category(9999));
        assertFalse(idx.contains(9999));
        assertEquals(Long.MIN_VALUE, idx.createdAtMillis(9999));
    }

    @Test
    void topWithFiltersMatchesBruteForceBeforeAndAfterUpdates() {
        List<ItemRecord> items = Catalogs.randomList(3000, DIM, 2);
        ItemIndex idx = index(items);
        Map<Long, ItemRecord> model = new LinkedHashMap<>();
        items.forEach(r -> model.put(r.id(), r));
        check(idx, model);
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 400; i++) {
            randomWrite(idx, model, r);
            if (i % 97 == 0) {
                check(idx, model);
            }
        }
        check(idx, model);
    }

    @Test
    void topInTermMatchesBruteForceAsRowsAreAppendedDeletedAndListsRebuilt() {
        // Rebuilds every 50 appends; checks every 7 updates, so a term's ordered list is often
        // built on one state and read on later ones with deletes and appended rows (the tail).
        List<ItemRecord> items = Catalogs.randomList(3000, DIM, 3);
        ItemIndex idx = index(items);
        Map<Long, ItemRecord> model = new LinkedHashMap<>();
        items.forEach(r -> model.put(r.id(), r));
        checkInTerm(idx, model, 0);
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 1; i <= 300; i++) {
            randomWrite(idx, model, r);
            if (i % 7 == 0) {
                checkInTerm(idx, model, i);
            }
        }
        // a tag no row had at the last rebuild: answered by the general path
        ItemRecord late = new ItemRecord(9001, "c1", "a1", List.of("brand-new-tag"), "online", Catalogs.NOW - 1, 0.5,
                Catalogs.random(9001, DIM, r).embedding(), Map.of("price", 5, "brand", "b1"));
        idx.upsert(late);
        model.put(late.id(), late);
        checkInTerm(idx, model, -1);
        long[] out = new long[4];
        assertEquals(1, idx.topInTerm("tags", "brand-new-tag", Filter.NONE, ScoreField.POPULARITY, 4, out, new float[4]));
        assertEquals(9001, out[0]);
        assertEquals(0, idx.topInTerm("tags", "never-indexed", Filter.NONE, ScoreField.POPULARITY, 4, out, new float[4]));
    }

    private static void checkInTerm(ItemIndex idx, Map<Long, ItemRecord> model, int step) {
        long[] out = new long[300];
        float[] scores = new float[300];
        long[] viaTop = new long[300];
        float[] topScores = new float[300];
        for (Filter f : filters()) {
            for (String term : new String[] {"t1", "t7", "t29", "brand-new-tag"}) {
                for (ScoreField by : ScoreField.values()) {
                    for (int n : new int[] {1, 25, 300}) {
                        int m = idx.topInTerm("tags", term, f, by, n, out, scores);
                        Filter withTerm = f.and("tags", List.of(term));
                        String what = "step " + step + " " + f + " tag " + term + " by " + by + " n=" + n;
                        assertEquals(BruteForce.topBy(model.values(), withTerm, by, Catalogs.NOW, n), ids(out, m), what);
                        int k = idx.top(withTerm, by, n, viaTop, topScores);
                        assertEquals(ids(viaTop, k), ids(out, m), what);
                        for (int j = 0; j < m; j++) {
                            assertEquals(topScores[j], scores[j], what);
                        }
                    }
                }
            }
        }
    }

    /** One random write to both the index and the model: 30% deletes (of ids that may not exist), else upserts. */
    private static void randomWrite(ItemIndex idx, Map<Long, ItemRecord> model, SplittableRandom r) {
        long id = 1 + r.nextInt(3500);
        if (r.nextDouble() < 0.3) {
            assertEquals(model.remove(id) != null, idx.delete(id));
        } else {
            ItemRecord rec = Catalogs.random(id, DIM, r);
            idx.upsert(rec);
            model.put(id, rec);
        }
    }

    private static void check(ItemIndex idx, Map<Long, ItemRecord> model) {
        assertEquals(model.size(), idx.size());
        long[] out = new long[600];
        float[] scores = new float[600];
        for (Filter f : filters()) {
            for (int n : new int[] {1, 10, 300, 600}) {
                int m = idx.top(f, ScoreField.POPULARITY, n, out, scores);
                // Ties in popularity are measure-zero with random doubles, so order is exact.
                assertEquals(BruteForce.topByPopularity(model.values(), f, Catalogs.NOW, n), ids(out, m), f + " n=" + n);
            }
            long expected = model.values().stream().filter(x -> BruteForce.passes(x, f, Catalogs.NOW)).count();
            assertEquals(expected, idx.count(f), f.toString());
        }
        // freshness: every returned item passes and they are newest first
        Filter fresh = Filter.builder().term("status", "online").createdWithinMillis(48 * 3_600_000L).build();
        int m = idx.top(fresh, ScoreField.FRESHNESS, 50, out, scores);
        List<ItemRecord> pass = model.values().stream().filter(x -> BruteForce.passes(x, fresh, Catalogs.NOW))
                .sorted((a, b) -> Long.compare(b.createdAtMillis(), a.createdAtMillis())).limit(50).toList();
        assertEquals(pass.stream().map(ItemRecord::id).toList(), ids(out, m));
    }

    @Test
    void filteredVectorSearchIsExactForSmallSetsAndAccurateForLarge() {
        List<ItemRecord> items = Catalogs.randomList(6000, DIM, 3);
        ItemIndex idx = index(items);
        SplittableRandom r = new SplittableRandom(11);
        long[] out = new long[100];
        float[] scores = new float[100];
        double hits = 0;
        int total = 0;
        for (Filter f : filters()) {
            for (int q = 0; q < 10; q++) {
                float[] query = Catalogs.random(1, DIM, r).embedding();
                List<Long> truth = BruteForce.nearest(items, f, Catalogs.NOW, query, 10);
                int e = idx.exactNearest(query, 10, f, out, scores);
                assertEquals(truth, ids(out, e), "exact " + f);
                int m = idx.nearest(query, 10, 100, f, out, scores);
                Set<Long> got = new HashSet<>(ids(out, m));
                for (int i = 0; i < m; i++) {
                    ItemRecord rec = idx.get(out[i]);
                    assertTrue(BruteForce.passes(rec, f, Catalogs.NOW), "ANN returned an item outside the filter: " + rec);
                }
                assertEquals(truth.size(), m, f.toString());
                hits += truth.stream().filter(got::contains).count();
                total += truth.size();
            }
        }
        assertTrue(hits / total >= 0.95, "filtered recall@10 " + hits / total);
    }

    @Test
    void deletedAndReplacedItemsAreNeverReturned() {
        List<ItemRecord> items = Catalogs.randomList(5000, DIM, 4);
        ItemIndex idx = index(items);
        long[] out = new long[5000];
        float[] scores = new float[5000];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 200; i++) {
            ItemRecord victim = items.get(r.nextInt(items.size()));
            idx.delete(victim.id());
            assertFalse(idx.contains(victim.id()));
            int m = idx.nearest(victim.embedding(), 10, 50, Filter.NONE, out, scores);
            assertFalse(ids(out, m).contains(victim.id()), "deleted item found by ANN");
            m = idx.top(Filter.NONE, ScoreField.POPULARITY, 5000, out, scores);
            assertFalse(ids(out, m).contains(victim.id()), "deleted item found by top");
        }
        // upsert moves an item: the new embedding is found, the old category is gone
        ItemRecord a = items.get(0);
        ItemRecord moved = new ItemRecord(a.id(), "moved", a.author(), List.of("fresh-tag"), "online", a.createdAtMillis(), 0.5,
                items.get(1).embedding(), Map.of());
        idx.upsert(moved);
        int m = idx.top(Filter.builder().term("category", "moved").build(), ScoreField.POPULARITY, 10, out, scores);
        assertEquals(List.of(a.id()), ids(out, m));
        m = idx.top(Filter.builder().term("category", a.category()).build(), ScoreField.POPULARITY, 5000, out, scores);
        assertFalse(ids(out, m).contains(a.id()));
        m = idx.nearest(items.get(1).embedding(), 2, 50, Filter.NONE, out, scores);
        assertTrue(ids(out, m).contains(a.id()));
    }

    @Test
    void rejectsBadInput() {
        ItemIndex idx = index(Catalogs.randomList(10, DIM, 6));
        assertThrows(IllegalArgumentException.class, () -> idx.upsert(new ItemRecord(1, "c", "a", List.of(), "online", 0, 1, new float[3], Map.of())));
        assertThrows(IllegalArgumentException.class, () -> new ItemRecord(0, "c", "a", List.of(), "online", 0, 1, null, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new ItemRecord(1, "c", "a", List.of(), "gone", 0, 1, null, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new ItemRecord(1, "c", "a", List.of(), "online", 0, Double.NaN, null, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> idx.checkFilter(Filter.builder().term("color", "red").build(), "node 'x'"));
        assertThrows(IllegalArgumentException.class, () -> Filter.parse(Map.of("popularity", Map.of("min", 2, "max", 1)), "here"));
        assertThrows(IllegalArgumentException.class, () -> Filter.parse(Map.of("created_within_hours", -1), "here"));
        assertThrows(IllegalArgumentException.class, () -> idx.nearest(new float[3], 5, 10, Filter.NONE, new long[5], new float[5]));
    }

    /** Popularity is served as a float score: above Float.MAX_VALUE it would be infinite (JSON null). */
    @Test
    void rejectsValuesThatWouldBeServedAsNonFiniteAndNamesTheField() {
        for (double pop : new double[] {1e308, 1e39, Double.POSITIVE_INFINITY, Double.NaN, -1}) {
            InvalidItemException e = assertThrows(InvalidItemException.class,
                    () -> new ItemRecord(1, "c", "a", List.of(), "online", 0, pop, null, Map.of()));
            assertEquals("popularity", e.field());
            assertTrue(e.getMessage().contains("0.." + Float.MAX_VALUE), e.getMessage());
        }
        assertEquals(Float.MAX_VALUE, (float) new ItemRecord(1, "c", "a", List.of(), "online", 0, 3.4028235e38, null,
                Map.of()).popularity(), "Float.MAX_VALUE as printed: rounds to it");
        assertEquals("attributes.weight", assertThrows(InvalidItemException.class, () -> new ItemRecord(1, "c", "a", List.of(), "online", 0, 1,
                null, Map.of("weight", Double.POSITIVE_INFINITY))).field());
        assertEquals("embedding[1]", assertThrows(InvalidItemException.class, () -> new ItemRecord(1, "c", "a", List.of(), "online", 0, 1,
                new float[] {0, Float.NaN}, Map.of())).field());
        assertEquals("tags[1]", assertThrows(InvalidItemException.class, () -> new ItemRecord(1, "c", "a", List.of("t", " "), "online", 0, 1,
                null, Map.of())).field());
        assertEquals("status", assertThrows(InvalidItemException.class, () -> new ItemRecord(1, "c", "a", List.of(), "gone", 0, 1,
                null, Map.of())).field());
    }

    @Test
    void bulkReadIsThePerItemGettersInOrderWithUnknownAndDeletedItemsEmpty() {
        List<ItemRecord> items = Catalogs.randomList(3000, DIM, 8);
        ItemIndex idx = index(items);
        idx.delete(items.get(7).id());
        long[] ids = new long[items.size() + 2];
        for (int i = 0; i < items.size(); i++) {
            ids[i] = items.get((i * 7919) % items.size()).id(); // scrambled order
        }
        ids[items.size()] = 999_999_999L;
        ids[items.size() + 1] = items.get(7).id();
        int[] seen = new int[ids.length];
        idx.read(ids, ids.length, (i, category, author, tags, created, popularity, embedding) -> {
            long id = ids[i];
            seen[i]++;
            assertEquals(idx.category(id), category, "category of " + id);
            assertEquals(idx.author(id), author, "author of " + id);
            assertEquals(idx.tags(id), tags, "tags of " + id);
            assertEquals(idx.createdAtMillis(id), created, "created of " + id);
            assertEquals(idx.popularity(id), popularity, "popularity of " + id);
            assertSame(idx.embedding(id), embedding, "embedding of " + id);
        });
        for (int i = 0; i < ids.length; i++) {
            assertEquals(1, seen[i], "item at " + i + " read once");
        }
        ItemRecord some = items.get(11);
        idx.read(new long[] {some.id(), ids[items.size()], ids[items.size() + 1]}, 3, (i, category, author, tags, created,
                                                                                     popularity, embedding) -> {
            if (i == 0) {
                assertEquals(some.category(), category);
                assertEquals(some.tags(), tags);
                assertEquals(some.popularity(), popularity);
                assertEquals(some.embedding()[2], embedding[2]);
            } else { // unknown, deleted
                assertNull(category);
                assertNull(author);
                assertEquals(List.of(), tags);
                assertEquals(Long.MIN_VALUE, created);
                assertEquals(0.0, popularity);
                assertNull(embedding);
            }
        });
    }

    @Test
    void bulkReadSeesAnUpsertedItemsNewValues() {
        List<ItemRecord> items = Catalogs.randomList(200, DIM, 8);
        ItemIndex idx = index(items);
        ItemRecord old = items.get(5);
        float[] v = old.embedding().clone();
        v[0] += 1f;
        ItemRecord changed = new ItemRecord(old.id(), "cat-new", "author-new", List.of("t-new"), old.status(),
                old.createdAtMillis() + 1, old.popularity() + 2, v, old.attributes());
        assertTrue(idx.upsert(changed));
        idx.read(new long[] {old.id()}, 1, (i, category, author, tags, created, popularity, embedding) -> {
            assertEquals("cat-new", category);
            assertEquals("author-new", author);
            assertEquals(List.of("t-new"), tags);
            assertEquals(old.createdAtMillis() + 1, created);
            assertEquals(old.popularity() + 2, popularity);
            assertEquals(v[0], embedding[0]);
        });
    }

    @Test
    void bulkEmbeddingsAreThePerItemReadsWithNullForUnknownAndDeletedItems() {
        List<ItemRecord> items = Catalogs.randomList(3000, DIM, 8); // more than the scratch's first size
        ItemIndex idx = index(items);
        idx.delete(items.get(5).id());
        long[] ids = new long[items.size() + 2];
        for (int i = 0; i < items.size(); i++) {
            ids[i] = items.get(items.size() - 1 - i).id();
        }
        ids[items.size()] = 999_999_999L;
        ids[items.size() + 1] = items.get(5).id();
        float[][] out = new float[ids.length][];
        idx.embeddings(ids, ids.length, out);
        for (int i = 0; i < ids.length; i++) {
            assertSame(idx.embedding(ids[i]), out[i], "item " + ids[i]);
        }
        assertNull(out[items.size()], "unknown id");
        assertNull(out[items.size() + 1], "deleted id");
        assertEquals(items.get(0).embedding()[3], out[items.size() - 1][3]);
        // One field for all ids at once: the per-item reads, null for unknown and deleted items.
        idx.upsert(new ItemRecord(items.get(7).id(), "c9", "a9", List.of("t1"), "offline", 0, 1, items.get(7).embedding(), Map.of()));
        for (String field : List.of(ItemFields.STATUS, ItemFields.CATEGORY, ItemFields.TAGS, ItemFields.POPULARITY)) {
            Object[] values = new Object[ids.length];
            idx.attributes(ids, ids.length, field, values);
            for (int i = 0; i < ids.length; i++) {
                assertEquals(idx.attribute(ids[i], field), values[i], field + " of item " + ids[i]);
            }
            assertNull(values[items.size()], "unknown id");
            assertNull(values[items.size() + 1], "deleted id");
        }
        Object[] status = new Object[ids.length];
        idx.attributes(ids, ids.length, ItemFields.STATUS, status);
        assertEquals(ItemRecord.OFFLINE, status[items.size() - 1 - 7]);
    }

    @Test
    void filterParsesTheYamlForm() {
        Filter f = Filter.parse(Map.of("status", "online", "category", List.of("c1", "c2"), "created_within_hours", 24,
                "popularity", Map.of("min", 0.1)), "test");
        assertEquals(Set.of("online"), f.terms().get("status"));
        assertEquals(Set.of("c1", "c2"), f.terms().get("category"));
        assertEquals(24 * 3_600_000L, f.createdWithinMillis());
        assertEquals(List.of(new Filter.Range("popularity", 0.1, Double.POSITIVE_INFINITY)), f.ranges());
    }
}
