package dev.funnel.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Random catalogs for tests: few categories and tags so filters hit many items. */
final class Catalogs {

    static final long NOW = 1_700_000_000_000L;

    private Catalogs() {
    }

    static ItemRecord random(long id, int dim, SplittableRandom r) {
        float[] e = new float[dim];
        double norm = 0;
        for (int d = 0; d < dim; d++) {
            e[d] = (float) r.nextGaussian();
            norm += e[d] * e[d];
        }
        for (int d = 0; d < dim; d++) {
            e[d] /= (float) Math.sqrt(norm);
        }
        List<String> tags = new ArrayList<>();
        int nt = 1 + r.nextInt(3);
        while (tags.size() < nt) {
            String t = "t" + r.nextInt(30);
            if (!tags.contains(t)) {
                tags.add(t);
            }
        }
        return new ItemRecord(id, "c" + r.nextInt(8), "a" + r.nextInt(50), tags, r.nextDouble() < 0.9 ? "online" : "offline",
                NOW - (long) (r.nextDouble() * 7 * 86_400_000L), r.nextDouble(), e, Map.of("price", r.nextInt(100), "brand", "b" + r.nextInt(5)));
    }

    static List<ItemRecord> randomList(int n, int dim, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<ItemRecord> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            out.add(random(i, dim, r));
        }
        return out;
    }
}
