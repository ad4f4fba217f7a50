package dev.funnel.server;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Builds a {@link FunnelConfig} from defaults, then a config file ({@code .properties}, or YAML
 * whose nested keys are joined with dots: {@code http: {port: 8080}} is {@code http.port}), then
 * environment variables ({@code FUNNEL_HTTP_PORT} overrides {@code http.port}: upper case, dots
 * and dashes as underscores). Keys with our prefixes that we do not know are errors; keys under
 * other prefixes are kept for other teams' wiring ({@link FunnelConfig#get}).
 */
public final class ConfigLoader {

    /** Every key this loader knows, in the order of {@link FunnelConfig}'s components. */
    public static final List<String> KEYS = List.of("http.host", "http.port", "https.port", "tls.cert", "tls.key",
            "server.event_loops", "server.worker_threads", "server.worker_queue", "server.idle_timeout_s", "dags.dir", "admin.token",
            "request.max_body_bytes", "request.max_count", "request.max_excludes", "shutdown.drain_ms",
            "sim.seed", "sim.items", "sim.users");

    private static final List<String> OWN_PREFIXES = List.of("http.", "https.", "tls.", "server.", "dags.", "admin.",
            "request.", "shutdown.", "sim.");

    /** Variables bin/funnel reads itself; not config keys. */
    private static final List<String> LAUNCHER_ENV = List.of("FUNNEL_JAVA_OPTS", "FUNNEL_REBUILD");

    private ConfigLoader() {
    }

    /**
     * Loads the config.
     *
     * @param file the config file, or null for defaults and environment only
     * @param env  the environment (System.getenv() in production)
     * @throws IllegalArgumentException naming the key, the bad value and where it came from
     */
    public static FunnelConfig load(Path file, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        if (file != null) {
            readFile(file, values);
            values.keySet().forEach(k -> origin.put(k, file.toString()));
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!e.getKey().startsWith("FUNNEL_") || LAUNCHER_ENV.contains(e.getKey())) {
                continue;
            }
            String key = keyForEnv(e.getKey(), values);
            values.put(key, e.getValue());
            origin.put(key, "environment " + e.getKey());
        }
        for (String k : values.keySet()) {
            if (!KEYS.contains(k) && OWN_PREFIXES.stream().anyMatch(k::startsWith)) {
                throw new IllegalArgumentException(origin.get(k) + ": unknown config key '" + k + "'; known: " + KEYS);
            }
        }
        FunnelConfig d = FunnelConfig.DEFAULT;
        Parser p = new Parser(values, origin);
        Map<String, String> extra = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (!KEYS.contains(k)) {
                extra.put(k, v);
            }
        });
        try {
            return new FunnelConfig(p.str("http.host", d.host()), p.integer("http.port", d.httpPort()),
                    p.integer("https.port", d.httpsPort()), p.str("tls.cert", null), p.str("tls.key", null),
                    p.integer("server.event_loops", d.eventLoops()), p.integer("server.worker_threads", d.workerThreads()),
                    p.integer("server.worker_queue", d.workerQueue()), p.integer("server.idle_timeout_s", d.idleTimeoutSeconds()),
                    p.str("dags.dir", d.dagsDir()),
                    p.str("admin.token", null), p.integer("request.max_body_bytes", d.maxBodyBytes()),
                    p.integer("request.max_count", d.maxCount()), p.integer("request.max_excludes", d.maxExcludes()),
                    p.longValue("shutdown.drain_ms", d.drainMillis()), p.longValue("sim.seed", d.simSeed()),
                    p.integer("sim.items", d.simItems()), p.integer("sim.users", d.simUsers()), extra);
        } catch (IllegalArgumentException e) {
            String where = file == null ? "environment" : file + " / environment";
            throw new IllegalArgumentException("invalid config (" + where + "): " + e.getMessage(), e);
        }
    }

    /** The environment variable that overrides a key. */
    public static String envName(String key) {
        return "FUNNEL_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String keyForEnv(String envName, Map<String, String> fileValues) {
        for (String k : KEYS) {
            if (envName(k).equals(envName)) {
                return k;
            }
        }
        for (String k : fileValues.keySet()) {
            if (envName(k).equals(envName)) {
                return k;
            }
        }
        return envName.substring("FUNNEL_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    private static void readFile(Path file, Map<String, String> out) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e, e);
        }
        String name = file.getFileName().toString();
        if (name.endsWith(".properties")) {
            Properties props = new Properties();
            try {
                props.load(new StringReader(text));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot parse " + file + ": " + e, e);
            }
            props.stringPropertyNames().stream().sorted().forEach(k -> out.put(k.trim(), props.getProperty(k).trim()));
            return;
        }
        Object root;
        try {
            root = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot parse " + file + ": " + e.getMessage(), e);
        }
        if (root == null) {
            return;
        }
        if (!(root instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(file + ": a config file must be a mapping, got " + root);
        }
        flatten("", m, out);
    }

    private static void flatten(String prefix, Map<?, ?> m, Map<String, String> out) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> nested) {
                flatten(k + ".", nested, out);
            } else if (e.getValue() != null) {
                out.put(k, String.valueOf(e.getValue()));
            }
        }
    }

    private record Parser(Map<String, String> values, Map<String, String> origin) {
        String str(String key, String def) {
            String v = values.get(key);
            return v == null || v.isBlank() ? def : v.trim();
        }

        int integer(String key, int def) {
            long v = longValue(key, def);
            if (v != (int) v) {
                throw new IllegalArgumentException(key + " out of range, got " + v + " (from " + origin.get(key) + ")");
            }
            return (int) v;
        }

        long longValue(String key, long def) {
            String v = values.get(key);
            if (v == null || v.isBlank()) {
                return def;
            }
            try {
                return Long.parseLong(v.trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "' (from " + origin.get(key) + ")", e);
            }
        }
    }
}
