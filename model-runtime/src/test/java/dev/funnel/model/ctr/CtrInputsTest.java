package dev.funnel.model.ctr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.funnel.features.FeatureBatch;
import dev.funnel.features.ItemAttributes;
import dev.funnel.model.embedding.EmbeddingTable;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link CtrInputs#fill} against a direct per-row, per-slot read of the tables: ids repeat heavily
 * across rows (the memoized path), some are unique, some are absent (default vectors), some wide
 * slots are empty, and there are enough rows for the lookup memo to collide.
 */
class CtrInputsTest {

    @Test
    void everyRowEqualsADirectTableRead() {
        int fc = 4;
        int wc = 7;
        int dc = 3;
        int cd = 5;
        int fd = 3;
        List<String> heads = List.of("click", "like");
        int h = heads.size();
        CtrModelSpec spec = new CtrModelSpec("s1", cd, fc, fd, dc, new int[] {4}, heads);
        EmbeddingTable field = EmbeddingTable.builder("field", fd).defaultVector(new float[] {0.5f, -1f, 2f}).build();
        EmbeddingTable wide = EmbeddingTable.builder("wide", h).defaultVector(new float[] {0.25f, -0.125f}).build();
        SplittableRandom rnd = new SplittableRandom(11);
        for (long id = 0; id < 40_000; id += 2) { // odd ids stay absent
            field.put(id, new float[] {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat()}, 0);
            wide.put(id, new float[] {rnd.nextFloat(), rnd.nextFloat()}, 0);
        }
        int n = 3000;
        long[] itemIds = new long[n];
        long[] fieldIds = new long[n * fc];
        long[] wideIds = new long[n * wc];
        float[] dense = new float[n * dc];
        for (int r = 0; r < n; r++) {
            itemIds[r] = r + 1;
            for (int f = 0; f < fc; f++) {
                // field 0 constant (request side), 1 from a small pool, 2 unique, 3 mixed
                fieldIds[r * fc + f] = f == 0 ? 7 : f == 1 ? rnd.nextInt(30) : f == 2 ? 10_000 + r : rnd.nextInt(40_000);
            }
            for (int s = 0; s < wc; s++) {
                wideIds[r * wc + s] = s == wc - 1 && r % 3 == 0 ? FeatureBatch.EMPTY_ID
                        : s < 3 ? rnd.nextInt(50) : rnd.nextInt(40_000);
            }
            for (int d = 0; d < dc; d++) {
                dense[r * dc + d] = rnd.nextFloat();
            }
        }
        float[] user = {1, 2, 3};
        FeatureBatch batch = FeatureBatch.of("s1", fc, wc, dc, n, itemIds, fieldIds, wideIds, dense, user);
        ItemAttributes items = new ItemAttributes() {
            @Override public String category(long id) { return null; }
            @Override public String author(long id) { return null; }
            @Override public List<String> tags(long id) { return List.of(); }
            @Override public long createdAtMillis(long id) { return Long.MIN_VALUE; }
            @Override public double popularity(long id) { return 0; }
            @Override public float[] embedding(long id) { return id % 5 == 0 ? null : new float[] {id, -id, 1, 2, 3, 4}; }
        };

        CtrInputs in = new CtrInputs(spec, n).fill(batch, items, field, wide);

        float[] v = new float[Math.max(fd, h)];
        for (int r = 0; r < n; r++) {
            assertArrayEquals(new float[] {1, 2, 3, 0, 0}, Arrays.copyOfRange(in.userEmb(), r * cd, (r + 1) * cd));
            float[] e = items.embedding(itemIds[r]);
            float[] expectItem = e == null ? new float[cd] : Arrays.copyOf(e, cd);
            assertArrayEquals(expectItem, Arrays.copyOfRange(in.itemEmb(), r * cd, (r + 1) * cd));
            for (int f = 0; f < fc; f++) {
                field.get(fieldIds[r * fc + f], v, 0);
                int at = (r * fc + f) * fd;
                assertArrayEquals(Arrays.copyOf(v, fd), Arrays.copyOfRange(in.fieldEmb(), at, at + fd), "row " + r + " field " + f);
            }
            assertArrayEquals(Arrays.copyOfRange(dense, r * dc, (r + 1) * dc), Arrays.copyOfRange(in.dense(), r * dc, (r + 1) * dc));
            float[] sum = new float[h];
            for (int s = 0; s < wc; s++) {
                long id = wideIds[r * wc + s];
                if (id != FeatureBatch.EMPTY_ID) {
                    wide.get(id, v, 0);
                    for (int j = 0; j < h; j++) {
                        sum[j] += v[j];
                    }
                }
            }
            for (int j = 0; j < h; j++) {
                assertEquals(sum[j], in.wide()[r * h + j], "row " + r + " head " + j); // same order: bit-exact
            }
        }

        // Direct buffers, reused: filled first with other features (a previous request), then with
        // these; every float of the rows must be rewritten, bit for bit the heap inputs.
        long[] otherFields = fieldIds.clone();
        long[] otherWide = wideIds.clone();
        float[] otherDense = new float[dense.length];
        for (int i = 0; i < otherFields.length; i++) {
            otherFields[i] += 1;
        }
        for (int i = 0; i < otherWide.length; i++) {
            otherWide[i] = otherWide[i] == FeatureBatch.EMPTY_ID ? 4 : FeatureBatch.EMPTY_ID;
        }
        Arrays.fill(otherDense, 9f);
        long[] otherItems = new long[n];
        Arrays.fill(otherItems, 3); // embedding {3, -3, 1, 2, 3}: nothing zero-padded
        FeatureBatch previous = FeatureBatch.of("s1", fc, wc, dc, n, otherItems, otherFields, otherWide, otherDense,
                new float[] {9, 9, 9, 9, 9, 9});
        CtrInputs direct = CtrInputs.direct(spec, n);
        direct.fill(previous, items, field, wide);
        direct.fill(batch, items, field, wide);
        java.nio.FloatBuffer[] buffers = direct.buffers();
        float[][] arrays = in.arrays();
        for (int i = 0; i < arrays.length; i++) {
            float[] got = new float[arrays[i].length];
            buffers[i].get(0, got);
            for (int k = 0; k < got.length; k++) {
                assertEquals(Float.floatToRawIntBits(arrays[i][k]), Float.floatToRawIntBits(got[k]), "input " + i + " float " + k);
            }
        }

        // What a batcher runner does: one scratch assembles two requests into one batch's buffers,
        // the second at row offset 7 after a smaller first; rows past the batch stay untouched, and
        // the second request's rows are bit for bit the heap inputs.
        int offset = 7;
        int[] w = CtrModel.inputWidths(spec);
        java.nio.FloatBuffer[] batchBuffers = new java.nio.FloatBuffer[w.length];
        for (int i = 0; i < w.length; i++) {
            batchBuffers[i] = java.nio.ByteBuffer.allocateDirect((offset + n + 1) * w[i] * 4)
                    .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
            for (int k = 0; k < batchBuffers[i].capacity(); k++) {
                batchBuffers[i].put(k, -42f);
            }
        }
        CtrInputs scratch = CtrInputs.scratch(spec);
        FeatureBatch firstSeven = FeatureBatch.of("s1", fc, wc, dc, offset, Arrays.copyOf(otherItems, offset),
                Arrays.copyOf(otherFields, offset * fc), Arrays.copyOf(otherWide, offset * wc),
                Arrays.copyOf(otherDense, offset * dc), new float[] {9, 9, 9, 9, 9, 9});
        scratch.fillInto(batchBuffers, 0, firstSeven, items, field, wide);
        scratch.fillInto(batchBuffers, offset, batch, items, field, wide);
        for (int i = 0; i < arrays.length; i++) {
            for (int k = 0; k < arrays[i].length; k++) {
                assertEquals(Float.floatToRawIntBits(arrays[i][k]), Float.floatToRawIntBits(batchBuffers[i].get(offset * w[i] + k)),
                        "input " + i + " float " + k + " at offset " + offset);
            }
            for (int k = (offset + n) * w[i]; k < batchBuffers[i].capacity(); k++) {
                assertEquals(-42f, batchBuffers[i].get(k), "input " + i + ": past the rows written");
            }
        }
        IllegalArgumentException tooMany = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> scratch.fillInto(batchBuffers, offset + 2, batch, items, field, wide));
        org.junit.jupiter.api.Assertions.assertTrue(tooMany.getMessage().contains("rows up to " + (offset + 2 + n)), tooMany.getMessage());
    }
}
