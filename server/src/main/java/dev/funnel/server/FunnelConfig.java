package dev.funnel.server;

import java.util.Map;
import java.util.TreeMap;

/**
 * The server's configuration, validated where it is built ({@link ConfigLoader}). Immutable.
 *
 * @param host               interface both ports bind to
 * @param httpPort           cleartext port (HTTP/1.1, h2c with prior knowledge or upgrade); 0 = ephemeral, -1 = off
 * @param httpsPort          TLS port (ALPN h2 and http/1.1); 0 = ephemeral, -1 = off
 * @param tlsCertPath        PEM certificate chain, or null for a self-signed certificate made at start
 * @param tlsKeyPath         PEM private key, or null (with {@code tlsCertPath} null)
 * @param eventLoops         HTTP verticle instances, one per event loop
 * @param workerThreads      bounded pool for cpu-heavy operators
 * @param workerQueue        queue bound of that pool
 * @param idleTimeoutSeconds a connection on which the client sends nothing this long is closed (a stalled
 *                           client's, say); 0 = never
 * @param dagsDir            the configuration directory (DAG files and routing.yaml)
 * @param adminToken         bearer token for /admin, or null to generate one at start (logged)
 * @param maxBodyBytes       request body limit; larger bodies get 413
 * @param maxCount           the largest {@code count} a client may ask for
 * @param maxExcludes        the most ids in {@code exclude}
 * @param drainMillis        on shutdown, how long in-flight requests may take to finish
 * @param simSeed            demo world seed
 * @param simItems           demo world catalog size
 * @param simUsers           demo world user count
 * @param extra              keys other teams' wiring reads ({@link #get}), as given
 */
public record FunnelConfig(String host, int httpPort, int httpsPort, String tlsCertPath, String tlsKeyPath,
                           int eventLoops, int workerThreads, int workerQueue, int idleTimeoutSeconds,
                           String dagsDir, String adminToken,
                           int maxBodyBytes, int maxCount, int maxExcludes, long drainMillis,
                           long simSeed, int simItems, int simUsers, Map<String, String> extra) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DEFAULT_HTTPS_PORT = 8443;
    public static final int DEFAULT_EVENT_LOOPS = Runtime.getRuntime().availableProcessors();
    public static final int DEFAULT_WORKER_THREADS = Runtime.getRuntime().availableProcessors();
    public static final int DEFAULT_WORKER_QUEUE = 4096;
    /**
     * Off: with Vert.x 5's idle handling on, a served request cost ~15% more CPU on two cores
     * (BENCHMARKS.md, session 19); a stalled body no longer holds an admission permit either way.
     */
    public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
    public static final String DEFAULT_DAGS_DIR = "dag-configs";
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_COUNT = 200;
    public static final int DEFAULT_MAX_EXCLUDES = 1000;
    public static final long DEFAULT_DRAIN_MILLIS = 10_000;
    public static final long DEFAULT_SIM_SEED = 42;
    public static final int DEFAULT_SIM_ITEMS = 100_000;
    public static final int DEFAULT_SIM_USERS = 10_000;

    /** Every default; no TLS files (self-signed), generated admin token. */
    public static final FunnelConfig DEFAULT = new FunnelConfig(DEFAULT_HOST, DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT,
            null, null, DEFAULT_EVENT_LOOPS, DEFAULT_WORKER_THREADS, DEFAULT_WORKER_QUEUE, DEFAULT_IDLE_TIMEOUT_SECONDS,
            DEFAULT_DAGS_DIR, null,
            DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_COUNT, DEFAULT_MAX_EXCLUDES, DEFAULT_DRAIN_MILLIS,
            DEFAULT_SIM_SEED, DEFAULT_SIM_ITEMS, DEFAULT_SIM_USERS, Map.of());

    public FunnelConfig {
        requirePort("http.port", httpPort);
        requirePort("https.port", httpsPort);
        if ((tlsCertPath == null) != (tlsKeyPath == null)) {
            throw new IllegalArgumentException("tls.cert and tls.key go together, got cert=" + tlsCertPath + " key=" + tlsKeyPath);
        }
        require(eventLoops >= 1 && eventLoops <= 1024, "server.event_loops must be in 1..1024, got " + eventLoops);
        require(workerThreads >= 1 && workerThreads <= 1024, "server.worker_threads must be in 1..1024, got " + workerThreads);
        require(workerQueue >= 1, "server.worker_queue must be >= 1, got " + workerQueue);
        require(idleTimeoutSeconds >= 0 && idleTimeoutSeconds <= 86_400,
                "server.idle_timeout_s must be in 0..86400 (0 = never), got " + idleTimeoutSeconds);
        require(dagsDir != null && !dagsDir.isBlank(), "dags.dir must be set, got '" + dagsDir + "'");
        require(adminToken == null || adminToken.length() >= 8, "admin.token must have at least 8 characters, got " + (adminToken == null ? 0 : adminToken.length()));
        require(maxBodyBytes >= 1024 && maxBodyBytes <= 16 << 20, "request.max_body_bytes must be in 1024..16777216, got " + maxBodyBytes);
        require(maxCount >= 1 && maxCount <= 10_000, "request.max_count must be in 1..10000, got " + maxCount);
        require(maxExcludes >= 0 && maxExcludes <= 100_000, "request.max_excludes must be in 0..100000, got " + maxExcludes);
        require(drainMillis >= 0, "shutdown.drain_ms must be >= 0, got " + drainMillis);
        require(simItems >= 1, "sim.items must be >= 1, got " + simItems);
        require(simUsers >= 1, "sim.users must be >= 1, got " + simUsers);
        extra = Map.copyOf(extra);
    }

    /** A key other teams' wiring defines ({@code exposure.redis.url}), or the default. */
    public String get(String key, String defaultValue) {
        String v = value(key);
        return v == null ? defaultValue : v;
    }

    /**
     * The value of {@code key}; for a key with an underscore, also under its environment spelling
     * ({@code FUNNEL_MODEL_MAX_BATCH_ROWS} arrives as {@code model.max.batch.rows}: the loader cannot
     * tell which underscores were dots when nothing declares the key).
     */
    private String value(String key) {
        String v = extra.get(key);
        if (v == null && key.indexOf('_') >= 0) {
            v = extra.get(key.replace('_', '.'));
        }
        return v;
    }

    /** Whether {@code key} is set (under either spelling, see {@link #get}). */
    public boolean has(String key) {
        return value(key) != null;
    }

    /** An integer key, or the default when absent; a value that is not one fails naming the key and the value. */
    public int getInt(String key, int defaultValue) {
        String v = value(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'", e);
        }
    }

    /** {@code true} / {@code false}, or the default when absent; anything else fails naming the key and the value. */
    public boolean getBoolean(String key, boolean defaultValue) {
        String v = value(key);
        if (v == null) {
            return defaultValue;
        }
        String t = v.trim();
        if (!t.equals("true") && !t.equals("false")) {
            throw new IllegalArgumentException(key + " must be true or false, got '" + t + "'");
        }
        return Boolean.parseBoolean(t);
    }

    /** This config with both ports ephemeral and a fixed admin token (tests). */
    public FunnelConfig withEphemeralPorts(String token) {
        return new FunnelConfig("127.0.0.1", 0, 0, tlsCertPath, tlsKeyPath, eventLoops, workerThreads, workerQueue,
                idleTimeoutSeconds, dagsDir, token, maxBodyBytes, maxCount, maxExcludes, drainMillis, simSeed, simItems, simUsers, extra);
    }

    /** This config reading DAGs from another directory. */
    public FunnelConfig withDagsDir(String dir) {
        return new FunnelConfig(host, httpPort, httpsPort, tlsCertPath, tlsKeyPath, eventLoops, workerThreads, workerQueue,
                idleTimeoutSeconds, dir, adminToken, maxBodyBytes, maxCount, maxExcludes, drainMillis, simSeed, simItems, simUsers, extra);
    }

    /** This config with another demo world size. */
    public FunnelConfig withSim(long seed, int items, int users) {
        return new FunnelConfig(host, httpPort, httpsPort, tlsCertPath, tlsKeyPath, eventLoops, workerThreads, workerQueue,
                idleTimeoutSeconds, dagsDir, adminToken, maxBodyBytes, maxCount, maxExcludes, drainMillis, seed, items, users, extra);
    }

    /** This config with one extra key set (tests; what a config file line would do). */
    public FunnelConfig with(String key, String value) {
        Map<String, String> m = new java.util.HashMap<>(extra);
        m.put(key, value);
        return new FunnelConfig(host, httpPort, httpsPort, tlsCertPath, tlsKeyPath, eventLoops, workerThreads, workerQueue,
                idleTimeoutSeconds, dagsDir, adminToken, maxBodyBytes, maxCount, maxExcludes, drainMillis, simSeed, simItems,
                simUsers, m);
    }

    private static void requirePort(String key, int port) {
        require(port >= -1 && port <= 65535, key + " must be in -1..65535 (0 = ephemeral, -1 = off), got " + port);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    @Override
    public String toString() {
        return "FunnelConfig{host=" + host + ", http.port=" + httpPort + ", https.port=" + httpsPort
                + ", tls.cert=" + (tlsCertPath == null ? "(self-signed)" : tlsCertPath)
                + ", tls.key=" + (tlsKeyPath == null ? "(self-signed)" : tlsKeyPath)
                + ", server.event_loops=" + eventLoops + ", server.worker_threads=" + workerThreads
                + ", server.worker_queue=" + workerQueue + ", server.idle_timeout_s=" + idleTimeoutSeconds
                + ", dags.dir=" + dagsDir
                + ", admin.token=" + (adminToken == null ? "(generated)" : "(set)")
                + ", request.max_body_bytes=" + maxBodyBytes + ", request.max_count=" + maxCount
                + ", request.max_excludes=" + maxExcludes + ", shutdown.drain_ms=" + drainMillis
                + ", sim.seed=" + simSeed + ", sim.items=" + simItems + ", sim.users=" + simUsers
                + ", extra=" + new TreeMap<>(extra) + '}';
    }
}
