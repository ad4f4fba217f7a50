package dev.funnel.server.sre;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@code funnel explain} reads its command line (no server: {@link ExplainCommand#parse}). */
class ExplainCommandArgsTest {

    static final Map<String, String> ENV = Map.of("FUNNEL_ADMIN_TOKEN", "t0ken-for-tests");

    @Test
    void requestIdIsSentAsRequestIdAndCombinesWithDagOverridesAndCompare() {
        ExplainCommand.Args a = ExplainCommand.parse(List.of("--request-id", "9b2b41c0", "--dag", "home_feed",
                "--set", "rank.keep=50", "--compare-set", "diverse.size=3", "--deadline-ms", "2000", "--json",
                "--url", "http://replica-2:8080"), ENV);
        assertEquals(new JsonObject().put("request_id", "9b2b41c0").put("dag", "home_feed")
                .put("overrides", new JsonObject().put("rank", new JsonObject().put("keep", 50)))
                .put("deadline_ms", 2000)
                .put("compare", new JsonObject().put("overrides", new JsonObject().put("diverse", new JsonObject().put("size", 3)))),
                a.body());
        assertEquals("http://replica-2:8080", a.url());
        assertEquals("t0ken-for-tests", a.token());
        assertTrue(a.json());
    }

    @Test
    void aRequestIdAloneIsEnoughAndAUserStillWorksWithoutOne() {
        assertEquals(new JsonObject().put("request_id", "abc"), ExplainCommand.parse(List.of("--request-id", "abc"), ENV).body());
        assertEquals(new JsonObject().put("user_id", "u000042").put("scene", "home"),
                ExplainCommand.parse(List.of("--user", "u000042", "--scene", "home"), ENV).body());
    }

    @Test
    void aRequestIdWithTypedInInputsIsAUsageError() {
        for (List<String> typed : List.of(List.of("--user", "u1"), List.of("--scene", "home"), List.of("--count", "5"),
                List.of("--context", "device=ios"))) {
            List<String> args = new java.util.ArrayList<>(List.of("--request-id", "abc"));
            args.addAll(typed);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExplainCommand.parse(args, ENV));
            assertTrue(e.getMessage().contains("leave out " + typed.get(0)), e.getMessage());
        }
    }

    @Test
    void neitherAUserNorARequestIdIsAUsageErrorNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExplainCommand.parse(List.of("--scene", "home"), ENV));
        assertTrue(e.getMessage().contains("--user") && e.getMessage().contains("--request-id"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ExplainCommand.parse(List.of("--request-id"), ENV));
        assertEquals("--request-id needs a value", e.getMessage());
    }
}
