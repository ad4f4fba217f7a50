package dev.funnel.server.serving;

import dev.funnel.server.ConfigLoader;
import dev.funnel.server.FunnelConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecentRequestsTest {

    static RecentRequests.Served served(String id) {
        return new RecentRequests.Served(id, "user-of-" + id, "home", 10, Map.of("device", "ios"), new long[0], 7, 0,
                "home_feed@abc", "control", Map.of(), List.of(), 1_000L);
    }

    @Test
    void keepsExactlyTheLastNEvenWhenNIsNotAPowerOfTwo() {
        RecentRequests r = new RecentRequests(3);
        for (int i = 0; i < 7; i++) {
            r.record(served("r" + i));
        }
        for (int i = 0; i < 4; i++) {
            assertNull(r.find("r" + i), "r" + i + " is older than the last 3");
        }
        for (int i = 4; i < 7; i++) {
            assertEquals("user-of-r" + i, r.find("r" + i).userId());
        }
        assertEquals(7, r.recorded());
    }

    @Test
    void findsTheNewestOfTwoEntriesWithOneId() {
        RecentRequests r = new RecentRequests(4);
        r.record(served("same"));
        RecentRequests.Served newer = new RecentRequests.Served("same", "u2", "home", 5, Map.of(), new long[0], 1, 0,
                "home_feed@def", "control", Map.of(), List.of(), 2_000L);
        r.record(newer);
        assertSame(newer, r.find("same"));
        assertNull(r.find("other"));
        assertNull(r.find(null));
    }

    @Test
    void capacityZeroKeepsNothing() {
        RecentRequests off = RecentRequests.from(FunnelConfig.DEFAULT.with(RecentRequests.CAPACITY_KEY, "0"));
        assertFalse(off.enabled());
        off.record(served("r"));
        assertNull(off.find("r"));
        assertEquals(0, off.recorded());
    }

    @Test
    void theConfigKeyDefaultsTo4096AndIsReadFromFilesAndTheEnvironment() {
        assertEquals(RecentRequests.DEFAULT_CAPACITY, RecentRequests.from(FunnelConfig.DEFAULT).capacity());
        assertEquals(4096, RecentRequests.DEFAULT_CAPACITY);
        assertEquals(7, RecentRequests.from(ConfigLoader.load(null, Map.of("FUNNEL_EXPLAIN_RECENT_REQUESTS", "7"))).capacity());
        assertTrue(RecentRequests.from(FunnelConfig.DEFAULT.with(RecentRequests.CAPACITY_KEY, "12")).enabled());
    }

    @Test
    void aBadCapacityFailsNamingTheKeyAndTheValue() {
        for (String bad : List.of("-1", Integer.toString(RecentRequests.MAX_CAPACITY + 1), "lots")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RecentRequests.from(FunnelConfig.DEFAULT.with(RecentRequests.CAPACITY_KEY, bad)));
            assertTrue(e.getMessage().contains(RecentRequests.CAPACITY_KEY) && e.getMessage().contains(bad), e.getMessage());
        }
    }
}
