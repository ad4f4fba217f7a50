package dev.funnel.loadtest;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * The two calls every simulation makes, per DESIGN.md "HTTP API": {@code POST /v1/recommend}
 * (the session must hold {@code body} and {@code user_id}, as {@link SimTraffic#recommendFeeder}
 * provides) and {@code POST /v1/feedback} for what that recommend returned.
 */
final class Requests {
    /** Slates answered and clicks sent, over the whole run (printed by the simulations' {@code after}). */
    static final LongAdder SLATES = new LongAdder();
    static final LongAdder CLICKS = new LongAdder();

    private Requests() {
    }

    /** A recommend that must answer 200 with a request id and an item list (possibly empty). */
    static HttpRequestActionBuilder recommend(String name) {
        return http(name).post("/v1/recommend")
                .body(StringBody(session -> session.getString("body")))
                .check(status().is(200),
                        jsonPath("$.request_id").saveAs("request_id"),
                        jsonPath("$.items[*].item_id").ofLong().findAll().optional().saveAs("items"));
    }

    /**
     * A recommend under overload: 200 as above, or a fast 503 that carries {@code Retry-After}
     * (admission control shedding). Anything else fails the request.
     */
    static HttpRequestActionBuilder recommendOrShed(String name) {
        return http(name).post("/v1/recommend")
                .body(StringBody(session -> session.getString("body")))
                .check(status().in(200, 503).saveAs("status"))
                .checkIf((response, session) -> response.status().code() == 503)
                .then(header("Retry-After").exists())
                .checkIf((response, session) -> response.status().code() == 200)
                .then(jsonPath("$.request_id").exists());
    }

    /**
     * Feedback for the slate the previous recommend saved: an expose per item, clicks drawn from the
     * sim click model. Skipped when nothing was served.
     */
    static ChainBuilder feedback(SimTraffic traffic, String name) {
        return exec(session -> {
            List<Object> items = session.contains("items") ? session.getList("items") : List.of();
            int[] clicks = new int[1];
            String body = traffic.feedbackBody(session.getString("request_id"), session.getString("user_id"),
                    items, System.currentTimeMillis(), clicks);
            SLATES.increment();
            CLICKS.add(clicks[0]);
            return session.set("feedback", body).set("served", items.size());
        }).doIf(session -> session.getInt("served") > 0).then(
                exec(http(name).post("/v1/feedback")
                        .body(StringBody(session -> session.getString("feedback")))
                        .check(status().is(202))));
    }

    static void printLearningTraffic() {
        long slates = SLATES.sum();
        long clicks = CLICKS.sum();
        System.out.printf("feedback: %d slates, %d clicks (%.3f clicks per slate)%n", slates, clicks,
                slates == 0 ? 0.0 : (double) clicks / slates);
    }
}
