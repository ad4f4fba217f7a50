package dev.funnel.server.exposure;

import static dev.funnel.server.exposure.ExposureTestServer.post;
import static dev.funnel.server.exposure.ExposureTestServer.recommend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.exposure.ExposureStore;
import dev.funnel.features.feedback.FeedbackEvent;
import dev.funnel.server.FunnelApp;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Through the real server with the default in-process store: repeated requests never repeat items,
 * {@code expose} feedback keeps items out, and bad feedback is rejected whole.
 */
class ExposureServingTest {

    static FunnelApp app;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        app = ExposureTestServer.start(Map.of());
        port = app.httpPort();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
            app = null; // the class stays loaded for the rest of the suite: let its world go
        }
    }

    static boolean overlap(long[] a, long[] b) {
        return Arrays.stream(a).anyMatch(x -> Arrays.stream(b).anyMatch(y -> y == x));
    }

    @Test
    void aUserWhoRequestsTwiceInARowGetsNoRepeatedItems() throws Exception {
        long[] first = recommend(port, "u-twice", 20);
        long[] second = recommend(port, "u-twice", 20);
        long[] third = recommend(port, "u-twice", 20);
        assertEquals(20, first.length);
        assertEquals(20, second.length);
        assertTrue(!overlap(first, second) && !overlap(first, third) && !overlap(second, third),
                Arrays.toString(first) + " / " + Arrays.toString(second) + " / " + Arrays.toString(third));
        // Another user is not affected: gets the same popular head as the first user's first page.
        assertEquals(Arrays.toString(first), Arrays.toString(recommend(port, "u-other", 20)));
    }

    @Test
    void itemsReportedAsExposedNeverComeBack() throws Exception {
        long[] head = recommend(port, "u-probe", 10); // what any fresh user would get first
        String events = LongStream.of(head).mapToObj(id ->
                "{\"user_id\":\"u-exposed\",\"item_id\":" + id + ",\"event\":\"expose\",\"request_id\":\"r1\"}")
                .collect(Collectors.joining(",", "{\"events\":[", "]}"));
        HttpResponse<String> r = post(port, "/v1/feedback", events);
        assertEquals(202, r.statusCode(), r.body());
        assertEquals(10, new JsonObject(r.body()).getInteger("accepted"));
        for (int i = 0; i < 3; i++) {
            long[] page = recommend(port, "u-exposed", 30);
            assertTrue(!overlap(head, page), "exposed " + Arrays.toString(head) + " came back in " + Arrays.toString(page));
        }
        List<FeedbackEvent> offered = List.copyOf(RecordingFeedbackWiring.OFFERED);
        assertEquals(10, offered.stream().filter(e -> e.userId().equals("u-exposed") && e.type() == FeedbackEvent.Type.EXPOSE
                && e.requestId().equals("r1")).count(), "events handed to the learning loop's sink: " + offered);
    }

    @Test
    void badFeedbackIsRejectedWholeWithEveryProblem() throws Exception {
        long before = app.env().require(ExposureStore.class).metrics().writes();
        HttpResponse<String> r = post(port, "/v1/feedback",
                "[{\"user_id\":\"u-bad\",\"item_id\":5,\"event\":\"expose\"},{\"user_id\":\"u-bad\",\"item_id\":\"x\",\"event\":\"clik\"}]");
        assertEquals(400, r.statusCode(), r.body());
        JsonObject err = new JsonObject(r.body()).getJsonObject("error");
        assertEquals("invalid_feedback", err.getString("code"));
        assertEquals(List.of("[1].item_id: must be a positive integer, got \"x\"",
                "[1].event: must be one of expose, click, like, dislike, convert, got \"clik\""), err.getJsonArray("problems").getList());
        assertEquals(before, app.env().require(ExposureStore.class).metrics().writes(), "nothing half-applied");
        assertEquals(400, post(port, "/v1/feedback", "{\"events\": [").statusCode());
        assertEquals(400, post(port, "/v1/feedback", "").statusCode());
    }

    @Test
    void exposureCountersAreExported() throws Exception {
        recommend(port, "u-metrics", 5);
        assertTrue(ExposureTestServer.metric(port, "funnel_exposure_checks_total") >= 1);
        assertTrue(ExposureTestServer.metric(port, "funnel_exposure_writes_total") >= 1);
        assertEquals(0.0, ExposureTestServer.metric(port, "funnel_exposure_fail_open_total"));
    }
}
