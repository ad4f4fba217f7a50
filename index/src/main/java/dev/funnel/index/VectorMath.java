package dev.funnel.index;

/**
 * Scalar vector kernels on plain {@code float[]}, used for every score the index computes at query
 * time (graph traversal and exact search). Java 17 has no Vector API, so jvector falls back to a
 * one-accumulator loop whose speed is bound by the latency of the float add chain; four independent
 * accumulators let the core overlap them (about 3× faster at 64 dims on x86). The summation order
 * differs from a sequential loop, so scores may differ from jvector's in the last bits.
 *
 * <p>Public for the operators that score catalog embeddings (pre-rank, MMR, DPP), so every dot
 * product over item vectors sums in one order; {@link #addColumnDots} is the same for vectors
 * stored one array per coordinate.
 */
public final class VectorMath {

    /** Dot product of {@code a} with the first {@code a.length} floats of {@code b}. */
    public static float dot(float[] a, float[] b) {
        return dot(a, 0, b, 0, a.length);
    }

    /** Dot product of {@code a} with {@code a.length} floats of {@code b} from {@code off}. */
    public static float dot(float[] a, float[] b, int off) {
        return dot(a, 0, b, off, a.length);
    }

    /** Dot product of {@code n} floats of {@code a} from {@code aOff} and of {@code b} from {@code bOff}. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
            s2 += a[aOff + i + 2] * b[bOff + i + 2];
            s3 += a[aOff + i + 3] * b[bOff + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[aOff + i] * b[bOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * Two dot products with one query: {@code out[o] = dot(q, 0, a, 0, n)} and
     * {@code out[o + 1] = dot(q, 0, b, 0, n)}, bit for bit (each vector's four running sums take the
     * same products in the same order as {@link #dot(float[], int, float[], int, int)}), in about two
     * thirds of the time: the query's floats are loaded once for both, and eight independent sums
     * keep the adders busy where four wait on each other.
     */
    public static void dot2(float[] q, float[] a, float[] b, int n, float[] out, int o) {
        float a0 = 0;
        float a1 = 0;
        float a2 = 0;
        float a3 = 0;
        float b0 = 0;
        float b1 = 0;
        float b2 = 0;
        float b3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            float q0 = q[i];
            float q1 = q[i + 1];
            float q2 = q[i + 2];
            float q3 = q[i + 3];
            a0 += q0 * a[i];
            a1 += q1 * a[i + 1];
            a2 += q2 * a[i + 2];
            a3 += q3 * a[i + 3];
            b0 += q0 * b[i];
            b1 += q1 * b[i + 1];
            b2 += q2 * b[i + 2];
            b3 += q3 * b[i + 3];
        }
        for (; i < n; i++) {
            a0 += q[i] * a[i];
            b0 += q[i] * b[i];
        }
        out[o] = (a0 + a1) + (a2 + a3);
        out[o + 1] = (b0 + b1) + (b2 + b3);
    }

    /**
     * {@code acc[j] += q · v_j} for {@code j < n}, where coordinate d of vector j is {@code cols[d][j]}
     * (vectors stored one array per coordinate, {@code dim} coordinates). Each pass over the
     * accumulators takes four coordinates: a pass loads and stores every {@code acc[j]} once, and
     * with one coordinate per pass those loads and stores cost more than the products. The JIT
     * vectorizes the inner loop over j. Used by the index's IVF scan and by MMR / DPP, so their
     * similarities sum in one order.
     */
    public static void addColumnDots(float[][] cols, float[] q, int dim, int n, float[] acc) {
        int d0 = 0;
        for (; d0 + 3 < dim; d0 += 4) {
            float q0 = q[d0];
            float q1 = q[d0 + 1];
            float q2 = q[d0 + 2];
            float q3 = q[d0 + 3];
            float[] c0 = cols[d0];
            float[] c1 = cols[d0 + 1];
            float[] c2 = cols[d0 + 2];
            float[] c3 = cols[d0 + 3];
            for (int j = 0; j < n; j++) {
                acc[j] += (c0[j] * q0 + c1[j] * q1) + (c2[j] * q2 + c3[j] * q3);
            }
        }
        for (int d = d0; d < dim; d++) {
            float qd = q[d];
            float[] c = cols[d];
            for (int j = 0; j < n; j++) {
                acc[j] += c[j] * qd;
            }
        }
    }

    /**
     * {@code acc[j] += |q - v_j|²} for {@code j < n}, columns as in {@link #addColumnDots} and four
     * coordinates per pass for the same reason: the IVF scan's L2 twin of that kernel.
     */
    public static void addColumnSquaredDistances(float[][] cols, float[] q, int dim, int n, float[] acc) {
        int d0 = 0;
        for (; d0 + 3 < dim; d0 += 4) {
            float q0 = q[d0];
            float q1 = q[d0 + 1];
            float q2 = q[d0 + 2];
            float q3 = q[d0 + 3];
            float[] c0 = cols[d0];
            float[] c1 = cols[d0 + 1];
            float[] c2 = cols[d0 + 2];
            float[] c3 = cols[d0 + 3];
            for (int j = 0; j < n; j++) {
                float t0 = c0[j] - q0;
                float t1 = c1[j] - q1;
                float t2 = c2[j] - q2;
                float t3 = c3[j] - q3;
                acc[j] += (t0 * t0 + t1 * t1) + (t2 * t2 + t3 * t3);
            }
        }
        for (int d = d0; d < dim; d++) {
            float qd = q[d];
            float[] c = cols[d];
            for (int j = 0; j < n; j++) {
                float t = c[j] - qd;
                acc[j] += t * t;
            }
        }
    }

    static float squareDistance(float[] a, float[] b, int off) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            float d = a[i] - b[off + i];
            s += d * d;
        }
        return s;
    }

    static float squareDistance(float[] a, float[] b) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int n = a.length;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            float d0 = a[i] - b[i];
            float d1 = a[i + 1] - b[i + 1];
            float d2 = a[i + 2] - b[i + 2];
            float d3 = a[i + 3] - b[i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < n; i++) {
            float d = a[i] - b[i];
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    static float cosine(float[] a, float[] b) {
        float dot = dot(a, b);
        float na = dot(a, a);
        float nb = dot(b, b);
        return (float) (dot / Math.sqrt((double) na * nb));
    }

    private VectorMath() {
    }
}
