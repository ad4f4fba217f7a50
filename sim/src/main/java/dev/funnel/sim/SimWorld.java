package dev.funnel.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * A deterministic synthetic world: catalog, users with hidden tastes, and the click model that
 * decides what they click. Same config, same world, on every machine. Immutable and thread-safe;
 * {@link #withDriftedTastes} makes a new world whose users' tastes have moved.
 *
 * <p>Click model: {@code p(click) = sigmoid(AFFINITY_WEIGHT · cos(taste, item) + POPULARITY_WEIGHT ·
 * ln(popularity) + BIAS) · positionBias(position)}, zero for offline items. Relevant items (cosine
 * ≈ 0.6) are clicked a few times more often than random ones, so a ranker that learns tastes has
 * room to beat popularity.
 */
public final class SimWorld {

    public static final double AFFINITY_WEIGHT = 6.0;
    public static final double POPULARITY_WEIGHT = 0.35;
    public static final double BIAS = -3.2;
    /** Position bias decay: {@code 1 / (1 + POSITION_DECAY · position)}. */
    public static final double POSITION_DECAY = 0.08;

    private static final String[] AGE_BUCKETS = {"18-24", "25-34", "35-44", "45-54", "55+"};
    private static final String[] GENDERS = {"f", "m", "x"};
    private static final String[] COUNTRIES = {"us", "de", "fr", "br", "in", "jp", "gb", "es"};

    private final SimConfig config;
    private final float[][] centroids;
    private final List<SimItem> items;
    private final List<SimUser> users;
    private final Map<String, SimUser> usersById;
    private final long[][] itemsByCategory;

    private SimWorld(SimConfig config, float[][] centroids, List<SimItem> items, List<SimUser> users, long[][] itemsByCategory) {
        this.config = config;
        this.centroids = centroids;
        this.items = items;
        this.users = users;
        this.itemsByCategory = itemsByCategory;
        Map<String, SimUser> m = new HashMap<>(users.size() * 2);
        for (SimUser u : users) {
            m.put(u.id(), u);
        }
        this.usersById = Collections.unmodifiableMap(m);
    }

    /** Generates the world of this config (about a second for the default 100k items). */
    public static SimWorld generate(SimConfig config) {
        SplittableRandom root = new SplittableRandom(config.seed());
        int dim = config.dim();
        float[][] centroids = new float[config.categories()][];
        SplittableRandom cr = root.split();
        for (int c = 0; c < centroids.length; c++) {
            centroids[c] = randomUnit(cr, dim);
        }

        int tagsPerCat = config.tags() / config.categories();
        SplittableRandom ir = root.split();
        // Zipf-like popularity by a random rank.
        int[] rank = permutation(ir, config.items());
        List<SimItem> items = new ArrayList<>(config.items());
        List<List<Long>> byCat = new ArrayList<>();
        for (int c = 0; c < config.categories(); c++) {
            byCat.add(new ArrayList<>());
        }
        long windowMillis = config.catalogDays() * 86_400_000L;
        // One String per distinct name, shared by every item that has it: a 100k catalog otherwise
        // keeps ~500k copies of a few thousand names alive (a process that holds the world, the
        // trainer's sim loop or a test, marks each of them in every GC cycle).
        String[] categories = names(config.categories(), SimWorld::categoryName);
        String[] tagNames = names(config.tags(), SimWorld::tagName);
        String[] authors = names(config.authors(), SimWorld::authorName);
        for (int i = 0; i < config.items(); i++) {
            long id = i + 1L;
            int cat = ir.nextInt(config.categories());
            float[] emb = new float[dim];
            double noise = 0.9 / Math.sqrt(dim);
            for (int d = 0; d < dim; d++) {
                emb[d] = (float) (centroids[cat][d] + ir.nextGaussian() * noise);
            }
            normalize(emb);
            int nTags = 2 + ir.nextInt(3);
            List<String> tags = new ArrayList<>(nTags);
            while (tags.size() < nTags) {
                int t = ir.nextDouble() < 0.85 ? cat * tagsPerCat + ir.nextInt(tagsPerCat) : ir.nextInt(config.tags());
                String tag = tagNames[t];
                if (!tags.contains(tag)) {
                    tags.add(tag);
                }
            }
            double popularity = Math.pow(1.0 / (1 + rank[i]), 0.8);
            long created = config.nowMillis() - (long) (ir.nextDouble() * windowMillis);
            boolean online = ir.nextDouble() >= config.offlineRate();
            items.add(new SimItem(id, categories[cat], List.copyOf(tags), authors[ir.nextInt(config.authors())],
                    created, popularity, emb, online));
            byCat.get(cat).add(id);
        }
        long[][] itemsByCategory = new long[config.categories()][];
        for (int c = 0; c < itemsByCategory.length; c++) {
            itemsByCategory[c] = byCat.get(c).stream().mapToLong(Long::longValue).toArray();
        }

        SimWorld partial = new SimWorld(config, centroids, Collections.unmodifiableList(items), List.of(), itemsByCategory);
        SplittableRandom ur = root.split();
        List<SimUser> users = new ArrayList<>(config.users());
        for (int u = 0; u < config.users(); u++) {
            users.add(partial.newUser(u, ur));
        }
        return new SimWorld(config, centroids, partial.items, Collections.unmodifiableList(users), itemsByCategory);
    }

    /** The id of the user at {@code index} (0-based) in any world: {@code u000042}. */
    public static String userId(int index) {
        return String.format("u%06d", index);
    }

    private SimUser newUser(int index, SplittableRandom r) {
        int dim = config.dim();
        int nLikes = 1 + r.nextInt(3);
        int[] liked = new int[nLikes];
        double[] weight = new double[nLikes];
        float[] taste = new float[dim];
        for (int k = 0; k < nLikes; k++) {
            liked[k] = r.nextInt(config.categories());
            weight[k] = 0.5 + r.nextDouble();
            for (int d = 0; d < dim; d++) {
                taste[d] += (float) (weight[k] * centroids[liked[k]][d]);
            }
        }
        double noise = 0.6 / Math.sqrt(dim);
        for (int d = 0; d < dim; d++) {
            taste[d] += (float) (r.nextGaussian() * noise);
        }
        normalize(taste);

        // What a profile store would know: tags of liked categories, plus one noisy interest.
        int tagsPerCat = config.tags() / config.categories();
        Map<String, Double> interests = new LinkedHashMap<>();
        for (int k = 0; k < nLikes; k++) {
            for (int t = 0; t < 3; t++) {
                interests.merge(tagName(liked[k] * tagsPerCat + r.nextInt(tagsPerCat)), weight[k], Double::sum);
            }
        }
        if (r.nextDouble() < 0.5) {
            interests.merge(tagName(r.nextInt(config.tags())), 0.3, Double::sum);
        }

        // History: clicks sampled through the click model from liked categories and at random.
        List<Long> clicks = new ArrayList<>();
        for (int tries = 0; tries < 200 && clicks.size() < 20; tries++) {
            long id;
            if (r.nextDouble() < 0.7) {
                long[] pool = itemsByCategory[liked[r.nextInt(nLikes)]];
                if (pool.length == 0) {
                    continue;
                }
                id = pool[r.nextInt(pool.length)];
            } else {
                id = 1 + r.nextInt(config.items());
            }
            if (r.nextDouble() < clickProbability(taste, item(id), 0) && !clicks.contains(id)) {
                clicks.add(id);
            }
        }
        return new SimUser(userId(index), index, AGE_BUCKETS[r.nextInt(AGE_BUCKETS.length)],
                GENDERS[r.nextInt(GENDERS.length)], COUNTRIES[r.nextInt(COUNTRIES.length)], taste,
                Collections.unmodifiableMap(interests), clicks.stream().mapToLong(Long::longValue).toArray());
    }

    /**
     * A world with the same catalog whose users' tastes moved by {@code amount} (0..1) toward a
     * random category each; profiles and histories are kept (they lag, as real ones do).
     */
    public SimWorld withDriftedTastes(double amount, long seed) {
        if (amount < 0 || amount > 1) {
            throw new IllegalArgumentException("drift amount must be in [0,1], got " + amount);
        }
        SplittableRandom r = new SplittableRandom(seed);
        List<SimUser> drifted = new ArrayList<>(users.size());
        for (SimUser u : users) {
            float[] target = centroids[r.nextInt(centroids.length)];
            float[] t = new float[u.taste().length];
            for (int d = 0; d < t.length; d++) {
                t[d] = (float) ((1 - amount) * u.taste()[d] + amount * target[d]);
            }
            normalize(t);
            drifted.add(new SimUser(u.id(), u.index(), u.ageBucket(), u.gender(), u.country(), t, u.interestTags(), u.recentClicks()));
        }
        return new SimWorld(config, centroids, items, Collections.unmodifiableList(drifted), itemsByCategory);
    }

    public SimConfig config() {
        return config;
    }

    /** All items; item with id {@code k} is at index {@code k - 1}. */
    public List<SimItem> items() {
        return items;
    }

    /** The item with this id. */
    public SimItem item(long id) {
        if (id < 1 || id > items.size()) {
            throw new IllegalArgumentException("no sim item " + id + " (ids are 1.." + items.size() + ")");
        }
        return items.get((int) (id - 1));
    }

    public List<SimUser> users() {
        return users;
    }

    /** The user with this id, or null. */
    public SimUser user(String id) {
        return usersById.get(id);
    }

    /** Item ids of a category index (0-based), for tests and history generation. */
    public long[] itemsOfCategory(int category) {
        return itemsByCategory[category].clone();
    }

    /** Click probability of this user for this item shown at this 0-based position. */
    public double clickProbability(SimUser user, long itemId, int position) {
        return clickProbability(user.taste(), item(itemId), position);
    }

    /** Draws a click from the model. */
    public boolean click(SimUser user, long itemId, int position, SplittableRandom random) {
        return random.nextDouble() < clickProbability(user, itemId, position);
    }

    /**
     * The oracle: the k online items this user is most likely to click (at position 0), best first.
     * Brute force over the catalog; for reports and tests, not serving.
     */
    public long[] oracleTopK(SimUser user, int k) {
        int n = items.size();
        double[] p = new double[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            p[i] = clickProbability(user.taste(), items.get(i), 0);
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        long[] out = new long[Math.min(k, n)];
        for (int i = 0; i < out.length; i++) {
            out[i] = items.get(order[i]).id();
        }
        return out;
    }

    /** Expected clicks per impression of a slate (mean click probability over its positions). */
    public double expectedCtr(SimUser user, long[] slate) {
        if (slate.length == 0) {
            return 0;
        }
        double sum = 0;
        for (int pos = 0; pos < slate.length; pos++) {
            sum += clickProbability(user, slate[pos], pos);
        }
        return sum / slate.length;
    }

    private static double clickProbability(float[] taste, SimItem item, int position) {
        if (!item.online()) {
            return 0;
        }
        double cos = 0;
        float[] e = item.embedding();
        for (int d = 0; d < e.length; d++) {
            cos += taste[d] * e[d];
        }
        double z = AFFINITY_WEIGHT * cos + POPULARITY_WEIGHT * Math.log(item.popularity()) + BIAS;
        return 1.0 / (1.0 + Math.exp(-z)) / (1.0 + POSITION_DECAY * position);
    }

    /** Name i for every i below n, made once each. */
    private static String[] names(int n, IntFunction<String> name) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = name.apply(i);
        }
        return out;
    }

    /** The tag name for a tag index: {@code t0042}. */
    public static String tagName(int t) {
        return String.format("t%04d", t);
    }

    /** The category name for a category index: {@code c07}. */
    public static String categoryName(int c) {
        return String.format("c%02d", c);
    }

    /** The author name for an author index: {@code a0123}. */
    public static String authorName(int a) {
        return String.format("a%04d", a);
    }

    private static float[] randomUnit(SplittableRandom r, int dim) {
        float[] v = new float[dim];
        for (int d = 0; d < dim; d++) {
            v[d] = (float) r.nextGaussian();
        }
        normalize(v);
        return v;
    }

    private static void normalize(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        float inv = (float) (1.0 / Math.sqrt(Math.max(s, 1e-12)));
        for (int d = 0; d < v.length; d++) {
            v[d] *= inv;
        }
    }

    private static int[] permutation(SplittableRandom r, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
