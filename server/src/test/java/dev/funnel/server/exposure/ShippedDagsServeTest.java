package dev.funnel.server.exposure;

import static dev.funnel.server.exposure.ExposureTestServer.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.index.ItemStore;
import dev.funnel.server.FunnelApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped dag-configs serve through the real server: home_feed's exposure filter and rerank
 * chain, and home_ops's operations items placed at slots 2, 7 and 12 by mix.insert. The files are
 * used as shipped except that every {@code deadline_ms} is multiplied by 50: these tests check what
 * the DAGs compute, and must not flake when a shared build machine is slow (the deadlines
 * themselves are the engine tests' subject).
 */
class ShippedDagsServeTest {

    static FunnelApp app;

    @BeforeAll
    static void start() throws Exception {
        Path shipped = Path.of("../dag-configs").toAbsolutePath().normalize();
        Path dir = Files.createTempDirectory("shipped-dags");
        try (var files = Files.list(shipped)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                Matcher m = Pattern.compile("deadline_ms: (\\d+)").matcher(Files.readString(f));
                StringBuilder out = new StringBuilder();
                while (m.find()) {
                    m.appendReplacement(out, "deadline_ms: " + Integer.parseInt(m.group(1)) * 50);
                }
                m.appendTail(out);
                Files.writeString(dir.resolve(f.getFileName()), out.toString());
            }
        }
        app = ExposureTestServer.start(Map.of(), dir);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    static JsonArray items(String scene, String user, int count) throws Exception {
        HttpResponse<String> r = post(app.httpPort(), "/v1/recommend",
                "{\"user_id\":\"" + user + "\",\"scene\":\"" + scene + "\",\"count\":" + count + ",\"debug\":true}");
        assertEquals(200, r.statusCode(), r.body());
        JsonObject body = new JsonObject(r.body());
        assertEquals(false, body.getBoolean("partial"), "no node degraded: " + r.body());
        assertTrue(r.body().contains("\"node\":\"seen\",\"op\":\"filter.exposure\",\"outcome\":\"ok\""), r.body());
        return body.getJsonArray("items");
    }

    @Test
    void homeFeedServesWithoutRepeatsAndSpreadsAuthors() throws Exception {
        JsonArray first = items("home", "u-shipped", 15);
        JsonArray second = items("home", "u-shipped", 15);
        assertEquals(15, first.size());
        ItemStore items = app.env().require(ItemStore.class);
        for (int i = 2; i < first.size(); i++) {
            Set<String> authors = new HashSet<>();
            for (int j = i - 2; j <= i; j++) {
                authors.add(items.author(first.getJsonObject(j).getLong("item_id")));
            }
            assertEquals(3, authors.size(), "rerank.scatter: one author twice among positions " + (i - 2) + ".." + i);
        }
        Set<Long> ids = new HashSet<>();
        for (JsonArray page : new JsonArray[] {first, second}) {
            for (int i = 0; i < page.size(); i++) {
                assertTrue(ids.add(page.getJsonObject(i).getLong("item_id")), "repeated item in " + first + " / " + second);
            }
        }
    }

    @Test
    void homeOpsPlacesOperationsItemsAtTheirSlots() throws Exception {
        JsonArray page = items("home_ops", "u-ops", 15);
        assertEquals(15, page.size());
        for (int i = 0; i < page.size(); i++) {
            boolean fromOps = page.getJsonObject(i).getJsonArray("sources").contains("ops");
            assertEquals(i == 2 || i == 7 || i == 12, fromOps, "slot " + i + ": " + page.getJsonObject(i));
        }
    }
}
