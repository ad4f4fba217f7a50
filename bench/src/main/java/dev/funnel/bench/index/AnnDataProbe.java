package dev.funnel.bench.index;

import dev.funnel.features.profile.InProcessProfileStore;
import dev.funnel.features.profile.ProfileConfig;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimItem;
import dev.funnel.sim.SimUser;
import dev.funnel.sim.SimWorld;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * How hard the sim embeddings are for any approximate search, independent of a graph library:
 * the score gap around the true 10th neighbour, how many categories the true top 10 span, and the
 * recall an inverted-file scan (probe the {@code nprobe} nearest partitions, exact inside) reaches
 * against the fraction of the catalog it has to score. The fraction scanned bounds the speed-up any
 * partition-based method can get at that recall; a graph pays per visited node as well.
 *
 * <p>Run: {@code java -cp bench/target/classes:$(cat bench/target/cp.txt) dev.funnel.bench.index.AnnDataProbe [items] [queries]}
 */
public final class AnnDataProbe {

    public static void main(String[] args) {
        int items = args.length > 0 ? Integer.parseInt(args[0]) : SimConfig.DEFAULT_ITEMS;
        int nQueries = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        SimConfig cfg = SimConfig.DEFAULT.withSize(items, Math.max(nQueries, 1000));
        SimWorld world = SimWorld.generate(cfg);
        List<SimItem> all = world.items();
        int n = all.size();
        int dim = cfg.dim();
        float[][] x = new float[n][];
        Map<Long, float[]> byId = new HashMap<>();
        String[] cat = new String[n];
        for (int i = 0; i < n; i++) {
            x[i] = all.get(i).embedding();
            cat[i] = all.get(i).category();
            byId.put(all.get(i).id(), x[i]);
        }
        float[][] q = queries(world, byId, nQueries);
        int k = AnnBenchmark.K;
        int[][] truth = new int[q.length][];
        double gapSum = 0;
        double catSum = 0;
        long within1pct = 0;
        for (int j = 0; j < q.length; j++) {
            float[] s = new float[n];
            for (int i = 0; i < n; i++) {
                s[i] = dot(q[j], x[i]);
            }
            Integer[] idx = topIdx(s, 100);
            truth[j] = new int[k];
            for (int t = 0; t < k; t++) {
                truth[j][t] = idx[t];
            }
            gapSum += s[idx[k - 1]] - s[idx[99]];
            catSum += Arrays.stream(truth[j]).mapToObj(t -> cat[t]).distinct().count();
            float tenth = s[idx[k - 1]];
            for (float v : s) {
                if (v >= tenth - 0.01f * Math.abs(tenth)) {
                    within1pct++;
                }
            }
        }
        System.out.printf("%d items x %d dims, %d queries (user embeddings)%n", n, dim, q.length);
        System.out.printf("mean score(10th) - score(100th): %.4f; mean categories in true top 10: %.2f; "
                + "items within 1%% of the 10th score: %.1f per query%n", gapSum / q.length, catSum / q.length,
                (double) within1pct / q.length);

        for (int parts : new int[] {40, 160}) {
            float[][] centroids = kmeans(x, parts, 8, new Random(7));
            int[] assign = new int[n];
            int[] size = new int[parts];
            for (int i = 0; i < n; i++) {
                assign[i] = nearest(centroids, x[i]);
                size[assign[i]]++;
            }
            System.out.printf("%nIVF, %d k-means partitions (largest %d, smallest %d)%n", parts,
                    Arrays.stream(size).max().getAsInt(), Arrays.stream(size).min().getAsInt());
            System.out.println("| nprobe | recall@10 | fraction of items scored | bound on speed-up |");
            System.out.println("|---|---|---|---|");
            for (int nprobe : new int[] {1, 2, 3, 4, 6, 8, 12, 16}) {
                if (nprobe > parts / 2) {
                    continue;
                }
                long hits = 0;
                long scanned = 0;
                for (int j = 0; j < q.length; j++) {
                    float[] cs = new float[parts];
                    for (int c = 0; c < parts; c++) {
                        cs[c] = dot(q[j], centroids[c]);
                    }
                    Integer[] probe = topIdx(cs, nprobe);
                    boolean[] on = new boolean[parts];
                    for (Integer p : probe) {
                        on[p] = true;
                        scanned += size[p];
                    }
                    for (int t : truth[j]) {
                        hits += on[assign[t]] ? 1 : 0;
                    }
                }
                double frac = (double) (scanned + (long) parts * q.length) / ((long) n * q.length);
                System.out.printf("| %d | %.3f | %.3f | %.1fx |%n", nprobe, (double) hits / (k * q.length), frac, 1 / frac);
            }
        }
    }

    static float[][] queries(SimWorld world, Map<Long, float[]> byId, int nQueries) {
        InProcessProfileStore profiles = new InProcessProfileStore(byId::get, ProfileConfig.DEFAULT);
        List<float[]> out = new ArrayList<>();
        for (SimUser u : world.users()) {
            if (out.size() == nQueries) {
                break;
            }
            profiles.put(new UserProfile(u.id(), Map.of(), Map.of(), u.recentClicks(), null, 0));
            float[] e = profiles.get(u.id()).embedding();
            if (e != null) {
                out.add(e);
            }
        }
        return out.toArray(new float[0][]);
    }

    /** Indexes of the m largest scores, best first (insertion into a sorted window; m is small). */
    static Integer[] topIdx(float[] s, int m) {
        int[] idx = new int[m];
        float[] top = new float[m];
        Arrays.fill(top, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < s.length; i++) {
            float v = s[i];
            if (v <= top[m - 1]) {
                continue;
            }
            int p = m - 1;
            while (p > 0 && top[p - 1] < v) {
                top[p] = top[p - 1];
                idx[p] = idx[p - 1];
                p--;
            }
            top[p] = v;
            idx[p] = i;
        }
        Integer[] out = new Integer[m];
        for (int i = 0; i < m; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    static int nearest(float[][] c, float[] v) {
        int best = 0;
        float bs = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < c.length; i++) {
            float s = dot(c[i], v);
            if (s > bs) {
                bs = s;
                best = i;
            }
        }
        return best;
    }

    /** Spherical k-means (dot product), trained on a sample of at most 20,000 vectors. */
    static float[][] kmeans(float[][] x, int k, int iterations, Random r) {
        int dim = x[0].length;
        float[][] sample = new float[Math.min(x.length, 20_000)][];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = x[r.nextInt(x.length)];
        }
        float[][] c = new float[k][];
        for (int i = 0; i < k; i++) {
            c[i] = sample[r.nextInt(sample.length)].clone();
        }
        for (int it = 0; it < iterations; it++) {
            float[][] sum = new float[k][dim];
            for (float[] v : sample) {
                float[] s = sum[nearest(c, v)];
                for (int d = 0; d < dim; d++) {
                    s[d] += v[d];
                }
            }
            for (int i = 0; i < k; i++) {
                double norm = 0;
                for (float f : sum[i]) {
                    norm += f * f;
                }
                if (norm > 0) {
                    for (int d = 0; d < dim; d++) {
                        c[i][d] = (float) (sum[i][d] / Math.sqrt(norm));
                    }
                }
            }
        }
        return c;
    }

    static float dot(float[] a, float[] b) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < a.length; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < a.length; i++) {
            s0 += a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private AnnDataProbe() {
    }
}
