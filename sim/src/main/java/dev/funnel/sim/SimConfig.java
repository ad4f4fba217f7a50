package dev.funnel.sim;

/**
 * Size and shape of a sim world. Immutable.
 *
 * @param seed          everything is a function of it
 * @param items         catalog size
 * @param users         user count
 * @param dim           embedding dimension (items and hidden tastes)
 * @param categories    category count
 * @param tags          tag vocabulary size
 * @param authors       author count
 * @param catalogDays   items are created over this many days before {@code nowMillis}
 * @param nowMillis     the world's "now" (fixed, so a seed gives the same world on every run)
 * @param offlineRate   share of items with status offline
 */
public record SimConfig(long seed, int items, int users, int dim, int categories, int tags, int authors,
                        int catalogDays, long nowMillis, double offlineRate) {

    public static final long DEFAULT_SEED = 42L;
    public static final int DEFAULT_ITEMS = 100_000;
    public static final int DEFAULT_USERS = 10_000;
    public static final int DEFAULT_DIM = 64;
    public static final int DEFAULT_CATEGORIES = 40;
    public static final int DEFAULT_TAGS = 1_000;
    public static final int DEFAULT_AUTHORS = 5_000;
    public static final int DEFAULT_CATALOG_DAYS = 30;
    /** 2026-11-01T00:00:00Z. */
    public static final long DEFAULT_NOW_MILLIS = 1_793_491_200_000L;
    public static final double DEFAULT_OFFLINE_RATE = 0.03;

    public static final SimConfig DEFAULT = new SimConfig(DEFAULT_SEED, DEFAULT_ITEMS, DEFAULT_USERS, DEFAULT_DIM,
            DEFAULT_CATEGORIES, DEFAULT_TAGS, DEFAULT_AUTHORS, DEFAULT_CATALOG_DAYS, DEFAULT_NOW_MILLIS, DEFAULT_OFFLINE_RATE);

    public SimConfig {
        require(items > 0, "items must be > 0, got " + items);
        require(users > 0, "users must be > 0, got " + users);
        require(dim >= 2, "dim must be >= 2, got " + dim);
        require(categories > 0 && categories <= items, "categories must be in 1..items, got " + categories);
        require(tags >= categories, "tags must be >= categories, got " + tags);
        require(authors > 0, "authors must be > 0, got " + authors);
        require(catalogDays > 0, "catalogDays must be > 0, got " + catalogDays);
        require(offlineRate >= 0 && offlineRate < 1, "offlineRate must be in [0,1), got " + offlineRate);
    }

    /** A smaller world for fast tests. */
    public static SimConfig small(long seed) {
        return new SimConfig(seed, 5_000, 500, 32, 20, 200, 300, DEFAULT_CATALOG_DAYS, DEFAULT_NOW_MILLIS, DEFAULT_OFFLINE_RATE);
    }

    public SimConfig withSeed(long s) {
        return new SimConfig(s, items, users, dim, categories, tags, authors, catalogDays, nowMillis, offlineRate);
    }

    public SimConfig withSize(int nItems, int nUsers) {
        return new SimConfig(seed, nItems, nUsers, dim, categories, tags, authors, catalogDays, nowMillis, offlineRate);
    }

    public SimConfig withDim(int d) {
        return new SimConfig(seed, items, users, d, categories, tags, authors, catalogDays, nowMillis, offlineRate);
    }

    private static void require(boolean ok, String msg) {
        if (!ok) {
            throw new IllegalArgumentException("SimConfig: " + msg);
        }
    }
}
