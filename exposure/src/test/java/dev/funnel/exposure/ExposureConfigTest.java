package dev.funnel.exposure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ExposureConfigTest {

    @Test
    void aRedisAddressWithoutAStoreMeansRedis() {
        assertEquals("memory", ExposureConfig.fromMap(Map.of()).backend());
        ExposureConfig c = ExposureConfig.fromMap(Map.of("exposure.redis.url", "redis://10.0.0.7:6380"));
        assertEquals("redis", c.backend());
        assertEquals("redis://10.0.0.7:6380", c.redisUrl());
        // An explicit store still wins.
        assertEquals("memory", ExposureConfig.fromMap(Map.of("exposure.redis.url", "redis://h:1",
                "exposure.store", "memory")).backend());
    }

    @Test
    void badValuesNameTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExposureConfig.fromMap(Map.of("exposure.window_seconds", "soon")));
        assertEquals(true, e.getMessage().contains("exposure.window_seconds"), e.getMessage());
    }
}
