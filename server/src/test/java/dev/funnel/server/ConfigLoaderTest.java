package dev.funnel.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

    @Test
    void defaultsWithoutFileOrEnvironment() {
        FunnelConfig c = ConfigLoader.load(null, Map.of("PATH", "/bin"));
        assertEquals(FunnelConfig.DEFAULT_HTTP_PORT, c.httpPort());
        assertEquals(FunnelConfig.DEFAULT_HTTPS_PORT, c.httpsPort());
        assertEquals(FunnelConfig.DEFAULT_MAX_BODY_BYTES, c.maxBodyBytes());
        assertNull(c.adminToken());
    }

    @Test
    void yamlFileThenEnvironmentOverrides(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("funnel.yaml");
        Files.writeString(f, """
                http: {port: 9000}
                https:
                  port: 9443
                request: {max_count: 50}
                exposure: {redis: {url: "redis://localhost:6379"}}
                """);
        FunnelConfig c = ConfigLoader.load(f, Map.of("FUNNEL_HTTP_PORT", "9100", "FUNNEL_ADMIN_TOKEN", "secret-token",
                "FUNNEL_EXPOSURE_REDIS_URL", "redis://other:6379"));
        assertEquals(9100, c.httpPort());
        assertEquals(9443, c.httpsPort());
        assertEquals(50, c.maxCount());
        assertEquals("secret-token", c.adminToken());
        assertEquals("redis://other:6379", c.get("exposure.redis.url", null));
        assertTrue(c.toString().contains("http.port=9100") && !c.toString().contains("secret-token"), c.toString());
    }

    @Test
    void propertiesFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("funnel.properties");
        Files.writeString(f, "https.port=-1\nserver.event_loops=3\n");
        FunnelConfig c = ConfigLoader.load(f, Map.of());
        assertEquals(-1, c.httpsPort());
        assertEquals(3, c.eventLoops());
    }

    @Test
    void idleTimeoutIsOffByDefaultAndIsChecked() {
        assertEquals(60, ConfigLoader.load(null, Map.of()).idleTimeoutSeconds(), "a minute unless set");
        assertEquals(5, ConfigLoader.load(null, Map.of("FUNNEL_SERVER_IDLE_TIMEOUT_S", "5")).idleTimeoutSeconds());
        assertEquals(0, ConfigLoader.load(null, Map.of("FUNNEL_SERVER_IDLE_TIMEOUT_S", "0")).idleTimeoutSeconds(), "0 = never");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load(null, Map.of("FUNNEL_SERVER_IDLE_TIMEOUT_S", "-1")));
        assertTrue(e.getMessage().contains("server.idle_timeout_s must be in 0..86400 (0 = never), got -1"), e.getMessage());
    }

    @Test
    void badValuesNameKeyValueAndOrigin(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("funnel.yaml");
        Files.writeString(f, "http: {port: 70000}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(f, Map.of()));
        assertTrue(e.getMessage().contains("http.port") && e.getMessage().contains("70000"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(null, Map.of("FUNNEL_REQUEST_MAX_COUNT", "lots")));
        assertTrue(e.getMessage().contains("request.max_count") && e.getMessage().contains("'lots'")
                && e.getMessage().contains("FUNNEL_REQUEST_MAX_COUNT"), e.getMessage());

        Files.writeString(f, "http: {prot: 1}\n");
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(f, Map.of()));
        assertTrue(e.getMessage().contains("unknown config key 'http.prot'"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(null, Map.of("FUNNEL_TLS_CERT", "/x.pem")));
        assertTrue(e.getMessage().contains("tls.cert and tls.key go together"), e.getMessage());
    }

    @Test
    void wiringKeysWithUnderscoresAreReachableFromTheEnvironment() {
        FunnelConfig c = ConfigLoader.load(null, Map.of("FUNNEL_MODEL_MAX_BATCH_ROWS", "64",
                "FUNNEL_WARMUP_USERS_FILE", "/etc/funnel/users.txt", "FUNNEL_EXPOSURE_REDIS_URL", "redis://r:6379"));
        assertEquals(64, c.getInt("model.max_batch_rows", 1024));
        assertEquals("/etc/funnel/users.txt", c.get("warmup.users_file", null));
        assertTrue(c.has("warmup.users_file"));
        assertEquals("redis://r:6379", c.get("exposure.redis.url", null));
        assertEquals(1024, c.getInt("model.max_queue_rows", 1024), "an absent key keeps its default");
    }

    @Test
    void envNamesFollowKeys() {
        assertEquals("FUNNEL_HTTP_PORT", ConfigLoader.envName("http.port"));
        assertEquals("FUNNEL_REQUEST_MAX_BODY_BYTES", ConfigLoader.envName("request.max_body_bytes"));
    }
}
