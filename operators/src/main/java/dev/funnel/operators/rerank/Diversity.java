package dev.funnel.operators.rerank;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.index.ItemStore;
import dev.funnel.index.VectorMath;
import java.util.Arrays;

/** What MMR and DPP share: relevance scaled to [0, 1] and unit item embeddings. */
final class Diversity {

    /** How far from 1 a squared norm may be for a vector to count as unit length (float rounding). */
    private static final double UNIT_TOLERANCE = 1e-5;

    private Diversity() {
    }

    /** Scores min-max scaled to [0, 1]; all 1 when they are all equal (or not finite). */
    static float[] relevance(Candidates c) {
        int n = c.size();
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float s = c.score(i);
            if (Float.isFinite(s)) {
                min = Math.min(min, s);
                max = Math.max(max, s);
            }
        }
        float[] rel = new float[n];
        float range = max - min;
        for (int i = 0; i < n; i++) {
            float s = c.score(i);
            rel[i] = !(range > 0) ? 1f : Float.isFinite(s) ? (s - min) / range : 0f;
        }
        return rel;
    }

    /**
     * The candidates' embeddings scaled to unit length (so dot products are cosines), copied into
     * one array per coordinate (coordinate d of item i at {@code cols[d][i]}), so the similarities
     * of one item to all others are a multiply-add pass per coordinate over contiguous floats that
     * the JIT turns into SIMD (it does not when both operands index one array at different offsets,
     * hence an array per coordinate), instead of a dot product per pair over catalog arrays spread
     * in the heap. An item without an embedding, with an all-zero one, or with one whose
     * width differs from the first item's is similar to nothing (its coordinates are zeros). The
     * block is this thread's scratch: valid until the thread's next call, never shared (MMR and
     * DPP read it only inside one apply).
     */
    static UnitVectors unitVectors(Candidates c, ItemStore items) {
        int n = c.size();
        float[][] raw = new float[n][]; // references only, one array per request
        items.embeddings(c.idsView(), n, raw);
        int dim = 0;
        for (int i = 0; i < n && dim == 0; i++) {
            if (raw[i] != null) {
                dim = raw[i].length;
            }
        }
        UnitVectors u = SCRATCH.get().reset(n, dim); // a ThreadLocal read: never blocks
        float[][] cols = u.cols;
        for (int i = 0; i < n; i++) {
            float[] e = raw[i];
            if (e == null || e.length != dim) {
                continue;
            }
            double norm = squaredNorm(e);
            if (norm == 0) {
                continue;
            }
            float inv = Math.abs(norm - 1) < UNIT_TOLERANCE ? 1f : (float) (1 / Math.sqrt(norm));
            for (int d = 0; d < dim; d++) {
                cols[d][i] = e[d] * inv; // × 1f leaves a unit vector's floats exactly as they are
            }
            u.present[i] = true;
        }
        return u;
    }

    /**
     * Sum of squares in double, four running sums: one sum made each add wait on the one before it
     * (64 adds in a row per item, a fifth of MMR's time on 200 candidates).
     */
    static double squaredNorm(float[] e) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int d = 0;
        for (; d + 3 < e.length; d += 4) {
            s0 += (double) e[d] * e[d];
            s1 += (double) e[d + 1] * e[d + 1];
            s2 += (double) e[d + 2] * e[d + 2];
            s3 += (double) e[d + 3] * e[d + 3];
        }
        for (; d < e.length; d++) {
            s0 += (double) e[d] * e[d];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static final ThreadLocal<UnitVectors> SCRATCH = ThreadLocal.withInitial(UnitVectors::new);

    /** Unit vectors of n candidates, one array per coordinate: coordinate d of item i at {@code cols[d][i]}. */
    static final class UnitVectors {
        private float[][] cols = new float[0][];
        private boolean[] present = new boolean[0];
        /** One item's coordinates, the query of {@link #similarities}. */
        private float[] row = new float[0];
        private int dim;
        private int n;

        UnitVectors reset(int rows, int width) {
            n = rows;
            dim = width;
            if (cols.length < width) {
                cols = Arrays.copyOf(cols, width);
                row = new float[width];
            }
            for (int d = 0; d < width; d++) {
                if (cols[d] == null || cols[d].length < rows) {
                    cols[d] = new float[Math.max(rows, cols[d] == null ? 0 : cols[d].length * 2)];
                } else {
                    Arrays.fill(cols[d], 0, rows, 0f); // absent items stay all zeros
                }
            }
            if (present.length < rows) {
                present = new boolean[Math.max(rows, present.length * 2)];
            }
            Arrays.fill(present, 0, rows, false);
            return this;
        }

        boolean has(int i) {
            return present[i];
        }

        /**
         * {@code out[i]} = cosine of items j and i for every i < n (0 for an item without a vector;
         * all 0 when j has none). {@link VectorMath#addColumnDots} over the columns, with j's
         * coordinates as the query.
         */
        void similarities(int j, float[] out) {
            similarities(j, out, n);
        }

        /** As {@link #similarities(int, float[])} for items i < {@code limit} only (the same floats). */
        void similarities(int j, float[] out, int limit) {
            Arrays.fill(out, 0, limit, 0f);
            if (!present[j]) {
                return;
            }
            for (int d = 0; d < dim; d++) {
                row[d] = cols[d][j];
            }
            VectorMath.addColumnDots(cols, row, dim, limit, out);
        }
    }
}
