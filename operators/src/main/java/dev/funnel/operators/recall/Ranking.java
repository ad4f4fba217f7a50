package dev.funnel.operators.recall;

/** Small sorting helpers for recall lists (a few thousand rows at most). */
final class Ranking {

    private Ranking() {
    }

    /** Row order of the first n rows by score descending, ties by id ascending. */
    static int[] descending(float[] scores, long[] ids, int n) {
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) {
            boxed[i] = i;
        }
        java.util.Arrays.sort(boxed, (a, b) -> {
            int c = Float.compare(scores[b], scores[a]);
            return c != 0 ? c : Long.compare(ids[a], ids[b]);
        });
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = boxed[i];
        }
        return out;
    }
}
