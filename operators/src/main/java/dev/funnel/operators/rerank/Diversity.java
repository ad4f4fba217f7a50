package dev.funnel.operators.rerank;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.index.ItemStore;

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
     * Each candidate's embedding scaled to unit length (so dot products are cosines), or null when
     * the item has none or it is all zeros: such an item is similar to nothing. A vector already of
     * unit length (the catalog's usual case) is used as it is, not copied: the store's arrays are
     * never written in place and nothing here writes to them.
     */
    static float[][] unitEmbeddings(Candidates c, ItemStore items) {
        float[][] out = new float[c.size()][];
        for (int i = 0; i < c.size(); i++) {
            float[] e = items.embedding(c.id(i));
            if (e == null) {
                continue;
            }
            double norm = 0;
            for (float x : e) {
                norm += (double) x * x;
            }
            if (norm == 0) {
                continue;
            }
            if (Math.abs(norm - 1) < UNIT_TOLERANCE) {
                out[i] = e;
                continue;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            float[] u = new float[e.length];
            for (int d = 0; d < e.length; d++) {
                u[d] = e[d] * inv;
            }
            out[i] = u;
        }
        return out;
    }

    /** Cosine of two unit vectors; 0 when either is missing or dimensions differ. */
    static float cosine(float[] a, float[] b) {
        if (a == null || b == null || a.length != b.length) {
            return 0f;
        }
        float s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }
}
