package dev.funnel.trainer.apply;

import dev.funnel.model.embedding.EmbeddingTable;
import dev.funnel.streams.schema.ModelDelta;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeltaApplierTest {

    private final AtomicLong clock = new AtomicLong(10_000);
    private final EmbeddingTable field = EmbeddingTable.builder("field", 2).build();
    private final List<Long> swapped = new ArrayList<>();
    private final DeltaApplier applier = new DeltaApplier("ctr", Map.of("field", field), d -> swapped.add(d.version()), clock::get);

    private static ModelDelta sparse(String model, long v, long id, float value) {
        return new ModelDelta(model, v, ModelDelta.Kind.SPARSE, 9_000 + v,
                List.of(new ModelDelta.Rows("field", 2, new long[]{id}, new float[]{value, value})), null);
    }

    private float valueOf(long id) {
        float[] out = new float[2];
        field.get(id, out, 0);
        return out[0];
    }

    /** A NaN or infinite row value (a diverged trainer's) would null every score it reaches: nothing of it is written. */
    @Test
    void aDeltaWithANonFiniteValueIsRejectedWhole() {
        assertEquals(DeltaApplier.Outcome.APPLIED, applier.apply(sparse("ctr", 1, 5, 1f)));
        ModelDelta nan = new ModelDelta("ctr", 2, ModelDelta.Kind.SPARSE, 0, List.of(
                new ModelDelta.Rows("field", 2, new long[]{5, 6}, new float[]{2, 2, 3, Float.NaN})), null);
        assertEquals(DeltaApplier.Outcome.NON_FINITE, applier.apply(nan));
        ModelDelta infDense = new ModelDelta("ctr", 2, ModelDelta.Kind.DENSE, 0, List.of(
                new ModelDelta.Rows("field", 2, new long[]{5}, new float[]{2, 2}),
                new ModelDelta.Rows("mlp.b0", 1, new long[]{0}, new float[]{Float.POSITIVE_INFINITY})), new byte[]{1});
        assertEquals(DeltaApplier.Outcome.NON_FINITE, applier.apply(infDense));
        assertEquals(1f, valueOf(5), "no row of a rejected delta is written");
        assertFalse(field.contains(6));
        assertEquals(List.of(), swapped, "a dense snapshot with non-finite weights is never swapped in");
        assertEquals(2, applier.count(DeltaApplier.Outcome.NON_FINITE));
        assertEquals(2, applier.rejected());
        assertEquals(1, applier.appliedVersion());
    }

    /**
     * The delta topic carries every model's trainer: another model's delta is ignored, counted as such (it
     * was counted nowhere), and neither applied nor a rejection.
     */
    @Test
    void anotherModelsDeltaIsIgnoredAndCounted() {
        assertEquals(DeltaApplier.Outcome.APPLIED, applier.apply(sparse("ctr", 1, 5, 1f)));
        assertEquals(DeltaApplier.Outcome.IGNORED, applier.apply(ByteBuffer.wrap(sparse("cvr", 2, 5, 7f).encode())));
        assertEquals(DeltaApplier.Outcome.IGNORED, applier.apply(sparse("cvr", 3, 6, 7f)));
        assertEquals(2, applier.count(DeltaApplier.Outcome.IGNORED));
        assertEquals(0, applier.rejected());
        assertEquals(1f, valueOf(5), "nothing of it is written");
        assertFalse(field.contains(6));
        assertEquals(1, applier.appliedVersion());
        assertEquals(DeltaApplier.Outcome.APPLIED, applier.apply(sparse("ctr", 2, 5, 2f)), "its versions are not this model's");
        assertEquals(0, applier.versionsMissed());
    }

    @Test
    void appliesInOrderAndRejectsWhatMustNotBeApplied() {
        assertEquals(-1, applier.freshnessMillis());
        assertEquals(DeltaApplier.Outcome.APPLIED, applier.apply(ByteBuffer.wrap(sparse("ctr", 1, 5, 1f).encode())));
        assertEquals(1f, valueOf(5));
        assertEquals(10_000 - 9_001, applier.freshnessMillis());

        assertEquals(DeltaApplier.Outcome.DUPLICATE, applier.apply(sparse("ctr", 1, 5, 7f)));
        byte[] corrupt = sparse("ctr", 2, 5, 7f).encode();
        corrupt[corrupt.length / 2] ^= 1;
        assertEquals(DeltaApplier.Outcome.CORRUPT, applier.apply(ByteBuffer.wrap(corrupt)));
        ModelDelta badTable = new ModelDelta("ctr", 2, ModelDelta.Kind.SPARSE, 0, List.of(
                new ModelDelta.Rows("field", 2, new long[]{6}, new float[]{7, 7}),
                new ModelDelta.Rows("nope", 1, new long[]{1}, new float[]{1})), null);
        assertEquals(DeltaApplier.Outcome.BAD_TABLE, applier.apply(badTable));
        assertFalse(field.contains(6), "nothing of a rejected delta is applied");
        assertEquals(1f, valueOf(5));
        assertEquals(3, applier.rejected());
        assertEquals(1, applier.appliedVersion());

        ModelDelta dense = new ModelDelta("ctr", 2, ModelDelta.Kind.DENSE, 9_500, List.of(), new byte[]{1});
        assertEquals(DeltaApplier.Outcome.APPLIED, applier.apply(dense));
        assertEquals(List.of(2L), swapped);
        // v3 never came (rejected or lost): v4 still applies, and the gap is counted, not a reason to stop.
        assertEquals(0, applier.versionsMissed());
        assertEquals(DeltaApplier.Outcome.APPLIED, applier.apply(sparse("ctr", 4, 5, 4f)));
        assertEquals(4f, valueOf(5));
        assertEquals(4, applier.appliedVersion());
        assertEquals(1, applier.versionsMissed());
        assertEquals(DeltaApplier.Outcome.DUPLICATE, applier.apply(sparse("ctr", 3, 5, 3f)), "an older version stays refused");
        assertEquals(4f, valueOf(5));
        DeltaApplier failing = new DeltaApplier("ctr", Map.of("field", field), d -> {
            throw new IllegalStateException("registry refused");
        }, clock::get);
        assertEquals(DeltaApplier.Outcome.SINK_FAILED, failing.apply(new ModelDelta("ctr", 1, ModelDelta.Kind.DENSE, 0, List.of(), new byte[]{1})));
        assertEquals(0, failing.appliedVersion());
    }

    /** Stress: readers on many threads never see a torn row while the applier writes versions. */
    @Test
    void readersNeverSeeTornRowsWhileDeltasApply() throws Exception {
        EmbeddingTable t = EmbeddingTable.builder("field", 16).build();
        DeltaApplier a = new DeltaApplier("ctr", Map.of("field", t), d -> { }, clock::get);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong torn = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            Thread th = new Thread(() -> {
                float[] out = new float[16];
                long i = 0;
                while (!done.get()) {
                    t.get(i++ % 100, out, 0);
                    for (int k = 1; k < 16; k++) {
                        if (out[k] != out[0]) {
                            torn.incrementAndGet();
                        }
                    }
                    reads.incrementAndGet();
                }
            });
            th.start();
            readers.add(th);
        }
        for (int v = 1; v <= 2_000; v++) {
            long[] ids = new long[100];
            float[] vals = new float[100 * 16];
            for (int i = 0; i < 100; i++) {
                ids[i] = i;
                java.util.Arrays.fill(vals, i * 16, i * 16 + 16, v);
            }
            assertEquals(DeltaApplier.Outcome.APPLIED,
                    a.apply(new ModelDelta("ctr", v, ModelDelta.Kind.SPARSE, 0, List.of(new ModelDelta.Rows("field", 16, ids, vals)), null)));
        }
        done.set(true);
        for (Thread th : readers) {
            th.join();
        }
        assertEquals(0, torn.get());
        assertTrue(reads.get() > 0);
        assertEquals(2_000 * 100L, a.rowsApplied());
    }

    /**
     * Stress: a scorer that takes the live dense model and then reads rows (as a request pins its model
     * and gathers rows) never scores dense snapshot v with rows older than v's, while sparse and dense
     * deltas apply. Every delta v writes the value v into all rows, so a row's value is its version.
     */
    @Test
    void denseSnapshotIsNeverScoredWithOlderRows() throws Exception {
        int rows = 4_000;
        EmbeddingTable t = EmbeddingTable.builder("field", 4).maxRows(1 << 14).build();
        AtomicLong liveDense = new AtomicLong();
        DeltaApplier a = new DeltaApplier("ctr", Map.of("field", t), d -> liveDense.set(d.version()), clock::get);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong mismatched = new AtomicLong();
        AtomicLong scoredWithDense = new AtomicLong();
        List<Thread> scorers = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            Thread th = new Thread(() -> {
                float[] row = new float[4];
                while (!done.get()) {
                    long dense = liveDense.get();
                    t.get(rows - 1, row, 0); // the row a delta writes last
                    if (dense > 0) {
                        scoredWithDense.incrementAndGet();
                        if (row[0] < dense) {
                            mismatched.incrementAndGet();
                        }
                    }
                }
            });
            th.start();
            scorers.add(th);
        }
        long[] ids = new long[rows];
        for (int i = 0; i < rows; i++) {
            ids[i] = i;
        }
        for (int v = 1; v <= 400; v++) {
            float[] vals = new float[rows * 4];
            java.util.Arrays.fill(vals, v);
            ModelDelta.Kind kind = v % 4 == 0 ? ModelDelta.Kind.DENSE : ModelDelta.Kind.SPARSE;
            assertEquals(DeltaApplier.Outcome.APPLIED, a.apply(new ModelDelta("ctr", v, kind, 0,
                    List.of(new ModelDelta.Rows("field", 4, ids.clone(), vals)), kind == ModelDelta.Kind.DENSE ? new byte[]{1} : null)));
        }
        done.set(true);
        for (Thread th : scorers) {
            th.join();
        }
        assertTrue(scoredWithDense.get() > 0);
        assertEquals(0, mismatched.get(), "scores with a dense snapshot and rows older than it, out of " + scoredWithDense.get());
    }
}
