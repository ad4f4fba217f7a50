package dev.funnel.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IndexSnapshotTest {

    static final int DIM = 16;

    @Test
    void restoreGivesTheSameCatalogAndSearchResults(@TempDir Path dir) throws IOException {
        List<ItemRecord> items = Catalogs.randomList(4000, DIM, 21);
        ItemIndex idx = new ItemIndex(IndexConfig.of(DIM).withIndexedFields(List.of("brand")), () -> Catalogs.NOW);
        idx.bulkLoad(items);
        SplittableRandom r = new SplittableRandom(3);
        Map<Long, ItemRecord> model = new java.util.LinkedHashMap<>();
        items.forEach(i -> model.put(i.id(), i));
        for (int i = 0; i < 300; i++) {
            long id = 1 + r.nextInt(4500);
            if (r.nextInt(4) == 0) {
                idx.delete(id);
                model.remove(id);
            } else {
                ItemRecord rec = r.nextBoolean() || model.get(id) == null ? Catalogs.random(id, DIM, r)
                        : withPopularity(model.get(id), r.nextDouble()); // same embedding: node re-pointed
                idx.upsert(rec);
                model.put(id, rec);
            }
        }
        Path file = dir.resolve("index.snap");
        long bytes = IndexSnapshot.write(idx, file);
        assertEquals(Files.size(file), bytes);
        ItemIndex back = IndexSnapshot.read(file, () -> Catalogs.NOW);

        assertEquals(idx.config(), back.config());
        assertEquals(model.size(), back.size());
        for (long id = 1; id <= 4500; id++) {
            assertEquals(model.get(id), back.get(id), "item " + id);
        }
        long[] ids = java.util.stream.LongStream.rangeClosed(1, 4500).toArray();
        back.read(ids, ids.length, (i, category, author, tags, created, popularity, embedding) -> { // the bulk read too
            ItemRecord m = model.get(ids[i]);
            assertEquals(m == null ? null : m.category(), category, "category of " + ids[i]);
            assertEquals(m == null ? 0.0 : m.popularity(), popularity, "popularity of " + ids[i]);
        });
        long[] a = new long[100];
        long[] b = new long[100];
        float[] sa = new float[100];
        float[] sb = new float[100];
        for (Filter f : ItemIndexTest.filters()) {
            int n = idx.top(f, ScoreField.POPULARITY, 100, a, sa);
            assertEquals(n, back.top(f, ScoreField.POPULARITY, 100, b, sb));
            assertArrayEquals(java.util.Arrays.copyOf(a, n), java.util.Arrays.copyOf(b, n), f.toString());
        }
        // the graph came back (not rebuilt): approximate search is as good as before
        int hits = 0;
        for (int q = 0; q < 20; q++) {
            float[] query = Catalogs.random(1, DIM, r).embedding();
            int e = back.exactNearest(query, 10, Filter.NONE, a, sa);
            int n = back.nearest(query, 10, 100, Filter.NONE, b, sb);
            Set<Long> got = new HashSet<>();
            for (int i = 0; i < n; i++) {
                got.add(b[i]);
                assertTrue(model.containsKey(b[i]), "deleted item " + b[i] + " returned after restore");
            }
            for (int i = 0; i < e; i++) {
                hits += got.contains(a[i]) ? 1 : 0;
            }
        }
        assertTrue(hits >= 190, "recall@10 after restore " + hits / 200.0);
        ItemIndex into = new ItemIndex(idx.config(), () -> Catalogs.NOW);
        IndexSnapshot.restoreInto(into, file);
        assertEquals(model.size(), into.size());
        assertThrows(IllegalStateException.class, () -> IndexSnapshot.restoreInto(into, file));
        assertThrows(IOException.class, () -> IndexSnapshot.restoreInto(new ItemIndex(IndexConfig.of(DIM + 1), () -> 0), file));
        // the restored index takes updates
        ItemRecord fresh = Catalogs.random(9999, DIM, r);
        back.upsert(fresh);
        assertEquals(fresh, back.get(9999));
    }

    static ItemRecord withPopularity(ItemRecord r, double p) {
        return new ItemRecord(r.id(), r.category(), r.author(), r.tags(), r.status(), r.createdAtMillis(), p, r.embedding(), r.attributes());
    }

    @Test
    void corruptOrForeignFilesAreRejected(@TempDir Path dir) throws IOException {
        ItemIndex idx = new ItemIndex(IndexConfig.of(DIM), () -> Catalogs.NOW);
        idx.bulkLoad(Catalogs.randomList(100, DIM, 1));
        Path file = dir.resolve("i.snap");
        IndexSnapshot.write(idx, file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        IOException e = assertThrows(IOException.class, () -> IndexSnapshot.read(file, () -> 0));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        Files.write(file, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> IndexSnapshot.read(file, () -> 0));
        assertNull(null);
        List<ItemRecord> none = new ArrayList<>();
        ItemIndex empty = new ItemIndex(IndexConfig.of(DIM), () -> 0);
        empty.bulkLoad(none);
        IndexSnapshot.write(empty, file);
        assertEquals(0, IndexSnapshot.read(file, () -> 0).size());
    }
}
