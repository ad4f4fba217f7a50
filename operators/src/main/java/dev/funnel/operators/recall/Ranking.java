package dev.funnel.operators.recall;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.features.profile.UserProfile;

/**
 * Small helpers the recall operators share: ordering rows, empty outputs, the profile input. The
 * row ordering is public: rerankers order rows the same way.
 */
public final class Ranking {

    private Ranking() {
    }

    /** Row order of the first n rows by score descending, ties by id ascending (a primitive merge sort). */
    public static int[] descending(float[] scores, long[] ids, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        int[] tmp = new int[n];
        sort(a, tmp, 0, n, scores, ids);
        return a;
    }

    private static boolean before(int x, int y, float[] s, long[] ids) {
        return s[x] > s[y] || (s[x] == s[y] && ids[x] < ids[y]);
    }

    private static void sort(int[] a, int[] tmp, int lo, int hi, float[] s, long[] ids) {
        if (hi - lo < 24) {
            for (int i = lo + 1; i < hi; i++) {
                int v = a[i];
                int j = i - 1;
                while (j >= lo && before(v, a[j], s, ids)) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
            return;
        }
        int mid = (lo + hi) >>> 1;
        sort(a, tmp, lo, mid, s, ids);
        sort(a, tmp, mid, hi, s, ids);
        System.arraycopy(a, lo, tmp, lo, hi - lo);
        int i = lo;
        int j = mid;
        for (int k = lo; k < hi; k++) {
            if (j >= hi || (i < mid && !before(tmp[j], tmp[i], s, ids))) {
                a[k] = tmp[i++];
            } else {
                a[k] = tmp[j++];
            }
        }
    }

    /** An empty list that still names its source, so debug output shows the branch with 0 items. */
    static Candidates empty(String source) {
        return Candidates.ofSource(source, new long[0], new float[0], 0);
    }

    /** The user's profile among the inputs, or null when the profile node was skipped. */
    static UserProfile profile(Inputs in) {
        return in.first(UserProfile.class);
    }
}
