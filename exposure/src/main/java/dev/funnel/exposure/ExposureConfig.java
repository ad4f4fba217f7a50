package dev.funnel.exposure;

import java.nio.file.Path;
import java.util.Map;

/**
 * Configuration of an {@link ExposureStore}, validated on construction with messages that carry the
 * bad value. {@link #fromMap} reads the server's {@code exposure.*} keys.
 *
 * @param backend              {@code memory} (default) or {@code redis}
 * @param shortTermTtlSeconds  how long a served item stays filtered before the client reports it:
 *                             at least this long, at most twice (two rotating windows)
 * @param windowSeconds        width of one long-term window (a day by default)
 * @param retentionWindows     long-term windows kept (30 by default: a month of daily windows)
 * @param falsePositiveRate    target false-positive rate of one lookup, in (0, 0.5): the chance that an
 *                             item the user never saw is filtered. A lookup tests every kept window
 *                             of both records, so each window's filter gets this rate divided by
 *                             {@code retentionWindows + 2}
 * @param initialCapacity      items the first filter segment of a window holds; a window grows by
 *                             segments four times larger, each with a tighter rate, so the window's
 *                             compound rate stays under its share of {@code falsePositiveRate}
 * @param maxBytes             memory bound of the in-process store; idle users are evicted past it
 * @param snapshotPath         in-process store: file written on close and read on start; null: none
 * @param redisUrl             Redis store: {@code redis://host:port[/db]}
 * @param redisTimeoutMillis   Redis store: a lookup not answered in time fails open
 * @param redisKeyPrefix       Redis store: prefix of every key
 * @param redisPoolSize        Redis store: connections in the pool
 */
public record ExposureConfig(String backend, long shortTermTtlSeconds, long windowSeconds, int retentionWindows,
                             double falsePositiveRate, int initialCapacity, long maxBytes, Path snapshotPath,
                             String redisUrl, long redisTimeoutMillis, String redisKeyPrefix, int redisPoolSize) {

    public static final String DEFAULT_BACKEND = "memory";
    public static final long DEFAULT_SHORT_TERM_TTL_SECONDS = 600;
    public static final long DEFAULT_WINDOW_SECONDS = 86_400;
    public static final int DEFAULT_RETENTION_WINDOWS = 30;
    public static final double DEFAULT_FALSE_POSITIVE_RATE = 0.01;
    public static final int DEFAULT_INITIAL_CAPACITY = 512;
    public static final long DEFAULT_MAX_BYTES = 256L << 20;
    public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
    public static final long DEFAULT_REDIS_TIMEOUT_MILLIS = 20;
    public static final String DEFAULT_REDIS_KEY_PREFIX = "fx";
    public static final int DEFAULT_REDIS_POOL_SIZE = 8;

    public static final ExposureConfig DEFAULT = new ExposureConfig(DEFAULT_BACKEND, DEFAULT_SHORT_TERM_TTL_SECONDS,
            DEFAULT_WINDOW_SECONDS, DEFAULT_RETENTION_WINDOWS, DEFAULT_FALSE_POSITIVE_RATE, DEFAULT_INITIAL_CAPACITY,
            DEFAULT_MAX_BYTES, null, DEFAULT_REDIS_URL, DEFAULT_REDIS_TIMEOUT_MILLIS, DEFAULT_REDIS_KEY_PREFIX,
            DEFAULT_REDIS_POOL_SIZE);

    public ExposureConfig {
        if (!"memory".equals(backend) && !"redis".equals(backend)) {
            throw new IllegalArgumentException("exposure.store must be memory or redis, got '" + backend + "'");
        }
        require(shortTermTtlSeconds >= 1, "exposure.short_term_ttl_seconds must be >= 1, got " + shortTermTtlSeconds);
        require(windowSeconds >= 1, "exposure.window_seconds must be >= 1, got " + windowSeconds);
        require(retentionWindows >= 1 && retentionWindows <= 366,
                "exposure.retention_windows must be in [1, 366], got " + retentionWindows);
        require(falsePositiveRate > 0 && falsePositiveRate < 0.5,
                "exposure.false_positive_rate must be in (0, 0.5), got " + falsePositiveRate);
        require(initialCapacity >= 16 && initialCapacity <= 1 << 20,
                "exposure.initial_capacity must be in [16, 1048576], got " + initialCapacity);
        require(maxBytes >= 1 << 20, "exposure.max_bytes must be >= 1048576, got " + maxBytes);
        require(redisUrl != null && (redisUrl.startsWith("redis://") || redisUrl.startsWith("rediss://")),
                "exposure.redis.url must start with redis:// or rediss://, got '" + redisUrl + "'");
        require(redisTimeoutMillis >= 1, "exposure.redis.timeout_ms must be >= 1, got " + redisTimeoutMillis);
        require(redisKeyPrefix != null && !redisKeyPrefix.isEmpty() && redisKeyPrefix.indexOf(' ') < 0,
                "exposure.redis.key_prefix must be a non-empty word, got '" + redisKeyPrefix + "'");
        require(redisPoolSize >= 1 && redisPoolSize <= 1024,
                "exposure.redis.pool_size must be in [1, 1024], got " + redisPoolSize);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * Reads {@code exposure.store}, {@code exposure.short_term_ttl_seconds}, {@code exposure.window_seconds},
     * {@code exposure.retention_windows}, {@code exposure.false_positive_rate}, {@code exposure.initial_capacity},
     * {@code exposure.max_bytes}, {@code exposure.snapshot_path}, {@code exposure.redis.url},
     * {@code exposure.redis.timeout_ms}, {@code exposure.redis.key_prefix}, {@code exposure.redis.pool_size};
     * absent keys take the defaults ({@code exposure.store} is {@code redis} when {@code exposure.redis.url}
     * is given, else {@code memory}). Values may be strings or numbers. Each key is also found with
     * its underscores as dots ({@code exposure.short.term.ttl.seconds}), the form an environment
     * variable such as {@code FUNNEL_EXPOSURE_SHORT_TERM_TTL_SECONDS} takes.
     *
     * @throws IllegalArgumentException naming the key and the bad value
     */
    public static ExposureConfig fromMap(Map<String, ?> m) {
        ExposureConfig d = DEFAULT;
        Object snap = get(m, "exposure.snapshot_path");
        // A Redis address given without a store means Redis: it used to mean the in-process store, silently.
        String backend = get(m, "exposure.redis.url") != null ? "redis" : d.backend();
        return new ExposureConfig(
                str(m, "exposure.store", backend).toLowerCase(java.util.Locale.ROOT),
                num(m, "exposure.short_term_ttl_seconds", d.shortTermTtlSeconds()),
                num(m, "exposure.window_seconds", d.windowSeconds()),
                (int) num(m, "exposure.retention_windows", d.retentionWindows()),
                dbl(m, "exposure.false_positive_rate", d.falsePositiveRate()),
                (int) num(m, "exposure.initial_capacity", d.initialCapacity()),
                num(m, "exposure.max_bytes", d.maxBytes()),
                snap == null || snap.toString().isBlank() ? null : Path.of(snap.toString()),
                str(m, "exposure.redis.url", d.redisUrl()),
                num(m, "exposure.redis.timeout_ms", d.redisTimeoutMillis()),
                str(m, "exposure.redis.key_prefix", d.redisKeyPrefix()),
                (int) num(m, "exposure.redis.pool_size", d.redisPoolSize()));
    }

    private static Object get(Map<String, ?> m, String key) {
        Object v = m.get(key);
        return v != null ? v : m.get(key.replace('_', '.'));
    }

    private static String str(Map<String, ?> m, String key, String def) {
        Object v = get(m, key);
        return v == null ? def : v.toString().trim();
    }

    private static long num(Map<String, ?> m, String key, long def) {
        Object v = get(m, key);
        if (v == null) {
            return def;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "'", e);
        }
    }

    private static double dbl(Map<String, ?> m, String key, double def) {
        Object v = get(m, key);
        if (v == null) {
            return def;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got '" + v + "'", e);
        }
    }

    @Override
    public String toString() {
        return "ExposureConfig{exposure.store=" + backend + ", short_term_ttl_seconds=" + shortTermTtlSeconds
                + ", window_seconds=" + windowSeconds + ", retention_windows=" + retentionWindows
                + ", false_positive_rate=" + falsePositiveRate + ", initial_capacity=" + initialCapacity
                + ", max_bytes=" + maxBytes + ", snapshot_path=" + snapshotPath + ", redis.url=" + redisUrl.replaceAll("//[^@/]*@", "//***@")
                + ", redis.timeout_ms=" + redisTimeoutMillis + ", redis.key_prefix=" + redisKeyPrefix
                + ", redis.pool_size=" + redisPoolSize + '}';
    }

    /** A copy with another backend. */
    public ExposureConfig withBackend(String b) {
        return new ExposureConfig(b, shortTermTtlSeconds, windowSeconds, retentionWindows, falsePositiveRate,
                initialCapacity, maxBytes, snapshotPath, redisUrl, redisTimeoutMillis, redisKeyPrefix, redisPoolSize);
    }

    /** A copy pointing at another Redis. */
    public ExposureConfig withRedisUrl(String url) {
        return new ExposureConfig("redis", shortTermTtlSeconds, windowSeconds, retentionWindows, falsePositiveRate,
                initialCapacity, maxBytes, snapshotPath, url, redisTimeoutMillis, redisKeyPrefix, redisPoolSize);
    }

    /** A copy with another snapshot file. */
    public ExposureConfig withSnapshotPath(Path p) {
        return new ExposureConfig(backend, shortTermTtlSeconds, windowSeconds, retentionWindows, falsePositiveRate,
                initialCapacity, maxBytes, p, redisUrl, redisTimeoutMillis, redisKeyPrefix, redisPoolSize);
    }

    /** A copy with another memory bound. */
    public ExposureConfig withMaxBytes(long b) {
        return new ExposureConfig(backend, shortTermTtlSeconds, windowSeconds, retentionWindows, falsePositiveRate,
                initialCapacity, b, snapshotPath, redisUrl, redisTimeoutMillis, redisKeyPrefix, redisPoolSize);
    }

    /** A copy with another first-segment capacity. */
    public ExposureConfig withInitialCapacity(int c) {
        return new ExposureConfig(backend, shortTermTtlSeconds, windowSeconds, retentionWindows, falsePositiveRate,
                c, maxBytes, snapshotPath, redisUrl, redisTimeoutMillis, redisKeyPrefix, redisPoolSize);
    }
}
