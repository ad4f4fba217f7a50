package dev.funnel.operators.rerank;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.index.ItemStore;
import dev.funnel.index.VectorMath;

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
     * The candidates' embeddings scaled to unit length (so dot products are cosines), copied into one
     * contiguous block so the similarity loops read sequential memory instead of chasing a catalog
     * array per pair. An item without an embedding, with an all-zero one, or with one whose width
     * differs from the first item's is similar to nothing. The block is this thread's scratch: valid
     * until the thread's next call, never shared (MMR and DPP read it only inside one apply).
     */
    static UnitVectors unitVectors(Candidates c, ItemStore items) {
        int n = c.size();
        float[][] raw = RAW.get();
        if (raw.length < n) {
            raw = new float[Math.max(n, raw.length * 2)][];
            RAW.set(raw);
        }
        long[] ids = c.idsCopy();
        items.embeddings(ids, n, raw);
        int dim = 0;
        for (int i = 0; i < n && dim == 0; i++) {
            if (raw[i] != null) {
                dim = raw[i].length;
            }
        }
        UnitVectors u = SCRATCH.get().reset(n, dim);
        for (int i = 0; i < n; i++) {
            float[] e = raw[i];
            raw[i] = null; // the scratch must not keep catalog arrays alive
            if (e == null || e.length != dim) {
                continue;
            }
            double norm = 0;
            for (float x : e) {
                norm += (double) x * x;
            }
            if (norm == 0) {
                continue;
            }
            int at = i * dim;
            if (Math.abs(norm - 1) < UNIT_TOLERANCE) {
                System.arraycopy(e, 0, u.block, at, dim);
            } else {
                float inv = (float) (1 / Math.sqrt(norm));
                for (int d = 0; d < dim; d++) {
                    u.block[at + d] = e[d] * inv;
                }
            }
            u.present[i] = true;
        }
        return u;
    }

    private static final ThreadLocal<float[][]> RAW = ThreadLocal.withInitial(() -> new float[256][]);
    private static final ThreadLocal<UnitVectors> SCRATCH = ThreadLocal.withInitial(UnitVectors::new);

    /** Unit vectors of n candidates, row i at {@code i * dim} of {@link #block}. */
    static final class UnitVectors {
        float[] block = new float[0];
        boolean[] present = new boolean[0];
        int dim;

        UnitVectors reset(int n, int width) {
            dim = width;
            if (block.length < n * width) {
                block = new float[Math.max(n * width, block.length * 2)];
            }
            if (present.length < n) {
                present = new boolean[Math.max(n, present.length * 2)];
            }
            java.util.Arrays.fill(present, 0, n, false);
            return this;
        }

        boolean has(int i) {
            return present[i];
        }

        /** Cosine of items i and j; 0 when either has no vector. */
        float cosine(int i, int j) {
            return present[i] && present[j] ? VectorMath.dot(block, i * dim, block, j * dim, dim) : 0f;
        }
    }
}
