package dev.funnel.server.http;

import dev.funnel.server.ConfigLoader;
import dev.funnel.server.FunnelApp;
import dev.funnel.server.TestServers;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin API against a real one-event-loop server: error bodies, and validation off the loop. */
public class AdminApiTest {

    static final String TOKEN = "admin-api-test-token";

    @TempDir
    static Path dags;
    static FunnelApp app;

    @BeforeAll
    static void start() throws Exception {
        Files.writeString(dags.resolve("held.yaml"), """
                dag: held
                deadline_ms: 200
                nodes:
                  a: {op: debug.delay, params: {delay_ms: 0}}
                output: a
                """);
        Files.writeString(dags.resolve("routing.yaml"), """
                scenes:
                  held:
                    routes:
                      - {name: default, dag: held, traffic: 100}
                """);
        app = FunnelApp.start(ConfigLoader.load(null, Map.of(
                "FUNNEL_HTTP_HOST", "127.0.0.1",
                "FUNNEL_HTTP_PORT", "0",
                "FUNNEL_HTTPS_PORT", "-1",
                "FUNNEL_SERVER_EVENT_LOOPS", "1",
                "FUNNEL_DAGS_DIR", dags.toString(),
                "FUNNEL_ADMIN_TOKEN", TOKEN,
                "FUNNEL_SIM_ITEMS", "2000",
                "FUNNEL_SIM_USERS", "50",
                TestServers.TABLE_MAX_ROWS_ENV, TestServers.TABLE_MAX_ROWS)), true);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
            app = null; // the class stays loaded for the rest of the suite: let its world go
        }
    }

    @Test
    void aBodyThatIsNotAJsonObjectIsA400WithTheDocumentedErrorBody() throws Exception {
        for (String body : List.of("[]", "\"str\"", "5", "null", "{\"target_percent\": 5", "")) {
            HttpResponse<String> r = send("PUT", "/admin/admission/cpu", body);
            JsonObject error = documentedError(r, 400);
            assertTrue(List.of("bad_json", "empty_body").contains(error.getString("code")), r.body());
        }
        JsonObject notAnInteger = documentedError(send("PUT", "/admin/admission/cpu", "{\"target_percent\": \"high\"}"), 400);
        assertEquals("invalid_field", notAnInteger.getString("code"));
        assertEquals("target_percent", notAnInteger.getString("field"));
        assertEquals(200, send("GET", "/admin/admission/cpu", null).statusCode(), "the server is fine");
    }

    @Test
    void validatingAHugeDagDoesNotStallTheEventLoop() throws Exception {
        // 15,001 nodes in a chain: validation takes a second or more (its topological sort is quadratic).
        StringBuilder yaml = new StringBuilder("dag: huge\ndeadline_ms: 200\nnodes:\n  n0: {op: debug.delay}\n");
        int n = 15_000;
        for (int i = 1; i <= n; i++) {
            yaml.append("  n").append(i).append(": {op: debug.delay, after: [n").append(i - 1).append("]}\n");
        }
        yaml.append("output: n").append(n).append('\n');
        HttpClient validateClient = client();
        CompletableFuture<HttpResponse<String>> validate = validateClient.sendAsync(request("POST", "/admin/dags/validate",
                yaml.toString()), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300); // the upload is in and validation has started
        HttpClient other = client();
        long t0 = System.nanoTime();
        HttpResponse<String> live = other.send(HttpRequest.newBuilder(uri("/health/live")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        boolean validateStillRunning = !validate.isDone();
        assertEquals(200, live.statusCode());
        HttpResponse<String> v = validate.get();
        assertEquals(200, v.statusCode(), v.body());
        assertTrue(validateStillRunning, "the one event loop answered only after validation finished (" + tookMs + " ms)");
    }

    /** Nodes whose params pass the schema but not their operators (the exploratory tester's c7.yaml). */
    public static final String BAD_PARAMS = String.join("\n",
            "dag: c7",                                                                              // 1
            "deadline_ms: 100",                                                                     // 2
            "nodes:",                                                                               // 3
            "  m: {op: recall.hot}",                                                                // 4
            "  n: {op: rank.onnx, after: [m], params: {model: ctr, fusion: 'click * ('}}",          // 5
            "  r: {op: rank.onnx, after: [m], params: {model: nosuchmodel}}",                       // 6 server only
            "  b: {op: rerank.rules, after: [m], params: {block: [garbage]}}",                      // 7
            "  o: {op: rerank.rules, after: [m], params: {boost: {'category=1': -2}}}",             // 8
            "  p: {op: rerank.rules, after: [m], params: {pin: {'x=y': 1.5}}}",                     // 9
            "  h: {op: recall.hot, params: {filter: {nosuchfield: abc}}}",                          // 10 server only
            "  q: {op: merge, after: [m, h], params: {quota: {h: -1}}}",                            // 11
            "  x: {op: mix.insert, after: [m, h], params: {from: nothere}}",                        // 12
            "  out: {op: merge, after: [n, r, b, o, p, q, x]}",                                     // 13
            "output: out",
            "");

    @Test
    void validateRefusesWhatUploadRefusesEveryOperatorParamProblemWithItsLine() throws Exception {
        HttpResponse<String> v = send("POST", "/admin/dags/validate?file=c7.yaml", BAD_PARAMS);
        JsonObject error = documentedError(v, 400);
        assertEquals("invalid_dag", error.getString("code"));
        List<Integer> lines = new java.util.ArrayList<>();
        for (int i = 0; i < error.getJsonArray("problems").size(); i++) {
            JsonObject p = error.getJsonArray("problems").getJsonObject(i);
            assertEquals("c7.yaml", p.getString("file"));
            assertTrue(p.getString("message").contains("rejected its params"), p.encode());
            lines.add(p.getInteger("line"));
        }
        assertEquals(List.of(5, 6, 7, 8, 9, 10, 11, 12), lines, v.body());
        assertTrue(v.body().contains("expression ends early") && v.body().contains("nosuchmodel")
                && v.body().contains("field 'nosuchfield' has no inverted index") && v.body().contains("'nothere' is not one of the node's inputs"), v.body());
        HttpResponse<String> put = send("PUT", "/admin/dags/c7", BAD_PARAMS);
        assertEquals(error.getJsonArray("problems").size(), documentedError(put, 400).getJsonArray("problems").size(),
                "upload refuses with as many problems: " + put.body());
        // Each fixed: validate says 200, and upload takes it.
        String good = BAD_PARAMS.replace("'click * ('", "'click * (1 + like)'").replace("nosuchmodel", "ctr")
                .replace("[garbage]", "[status=offline]").replace("-2}", "2}").replace("1.5}", "1}")
                .replace("nosuchfield", "category").replace("h: -1", "h: 1").replace("from: nothere", "from: h");
        assertEquals(200, send("POST", "/admin/dags/validate?file=c7.yaml", good).statusCode());
        assertEquals(200, send("PUT", "/admin/dags/c7", good).statusCode());
    }

    @Test
    void validationAnswersAreUnchangedOffTheLoop() throws Exception {
        HttpResponse<String> bad = send("POST", "/admin/dags/validate?file=held.yaml",
                Files.readString(dags.resolve("held.yaml")).replace("delay_ms: 0", "delay_ms: -1"));
        JsonObject error = documentedError(bad, 400);
        assertEquals("invalid_dag", error.getString("code"));
        assertEquals("held.yaml", error.getJsonArray("problems").getJsonObject(0).getString("file"));
        HttpResponse<String> badRoutes = send("POST", "/admin/routes/validate", "scenes: {held: {routes: [{name: a, dag: nope, traffic: 100}]}}");
        assertEquals("invalid_routing", documentedError(badRoutes, 400).getString("code"));
        assertEquals(200, send("POST", "/admin/routes/validate", Files.readString(dags.resolve("routing.yaml"))).statusCode());
    }

    /** An empty DAG body (a file not written yet, a script's empty variable) is a problem at line 1, as validate prints it. */
    @Test
    void anEmptyDagIsAProblemAtLine1() throws Exception {
        for (String[] call : List.of(new String[]{"POST", "/admin/dags/validate?file=empty.yaml"}, new String[]{"PUT", "/admin/dags/empty"})) {
            JsonObject error = documentedError(send(call[0], call[1], ""), 400);
            assertEquals("invalid_dag", error.getString("code"));
            JsonObject p = error.getJsonArray("problems").getJsonObject(0);
            assertEquals(1, p.getInteger("line"), error.encode());
            assertEquals("empty.yaml:1: empty file: expected a mapping with dag, deadline_ms, nodes, output", p.getString("text"));
        }
        assertEquals(404, send("GET", "/admin/dags/empty", null).statusCode(), "nothing went live");
    }

    @Test
    void aRoutingUploadReportsItsShapeErrorsAndItsSemanticProblemsInOneAnswer() throws Exception {
        String routing = String.join("\n",
                "scenes:",
                "  held:",
                "    routes:",
                "      - {name: a, dag: nope, traffic: 50}",          // 4: unknown dag (semantic)
                "      - {name: b, dag: held, traffic: lots}",        // 5: traffic not a number (shape)
                "      - {name: c, dag: held, traffic: 50, overrides: {a: {delay_ms: -1}}}", // 6: bad override (semantic)
                "colour: red",                                       // 7: unknown key (shape)
                "");
        for (String[] call : List.of(new String[]{"POST", "/admin/routes/validate"}, new String[]{"PUT", "/admin/routes"})) {
            JsonObject error = documentedError(send(call[0], call[1], routing), 400);
            assertEquals("invalid_routing", error.getString("code"));
            List<Integer> lines = error.getJsonArray("problems").stream()
                    .map(p -> ((JsonObject) p).getInteger("line")).toList();
            assertEquals(List.of(4, 5, 6, 7), lines, call[0] + " " + call[1] + ": " + error.encodePrettily());
        }
        assertEquals(200, send("POST", "/admin/routes/validate", Files.readString(dags.resolve("routing.yaml"))).statusCode());
    }

    @Test
    void anUploadReportsEveryProblemAtOnceAWrongNameAndAShapeErrorIncluded() throws Exception {
        String before = send("GET", "/admin/dags/held", null).body();
        String bad = String.join("\n",
                "dag: other",                                         // 1: not the URL's name
                "deadline_ms: 200",
                "nodes:",
                "  a: {op: debug.delay, params: {delay_ms: 0}, deadline_ms: soon}", // 4: not an integer (shape)
                "  b: {op: recall.nope}",                             // 5: unknown op
                "  c: {op: merge, after: [a, b], min_inputs: 3}",     // 6: min_inputs above its inputs
                "output: c",
                "");
        JsonObject error = documentedError(send("PUT", "/admin/dags/held", bad), 400);
        assertEquals("invalid_dag", error.getString("code"));
        List<Integer> lines = error.getJsonArray("problems").stream().map(p -> ((JsonObject) p).getInteger("line")).toList();
        // Only line 1 (the name) was reported before; each fix then cost one more upload to find the next.
        assertEquals(List.of(1, 4, 5, 6), lines, error.encodePrettily());
        assertEquals("held.yaml", error.getJsonArray("problems").getJsonObject(0).getString("file"));
        assertTrue(error.getJsonArray("problems").getJsonObject(0).getString("message").contains("does not match the name in the URL"));
        assertEquals(before, send("GET", "/admin/dags/held", null).body(), "nothing went live");
    }

    @Test
    void aDagSentAsAFormSaysSoBeforeItsYamlErrorAndTheOldDagKeepsServing() throws Exception {
        // What "curl -d @held.yaml" sends: the file's line breaks dropped, labelled a form.
        String flattened = Files.readString(dags.resolve("held.yaml")).replace("\n", "");
        String before = send("GET", "/admin/dags/held", null).body();
        for (String[] call : List.of(new String[]{"POST", "/admin/dags/validate?file=held.yaml"}, new String[]{"PUT", "/admin/dags/held"})) {
            HttpResponse<String> r = client().send(HttpRequest.newBuilder(uri(call[1])).timeout(Duration.ofSeconds(60))
                    .header("authorization", "Bearer " + TOKEN).header("content-type", "application/x-www-form-urlencoded")
                    .method(call[0], HttpRequest.BodyPublishers.ofString(flattened)).build(), HttpResponse.BodyHandlers.ofString());
            JsonObject error = documentedError(r, 400);
            assertEquals("invalid_dag", error.getString("code"));
            JsonObject first = error.getJsonArray("problems").getJsonObject(0);
            assertEquals("held.yaml", first.getString("file"), r.body());
            assertTrue(first.getString("message").contains("sent as a form") && first.getString("message").contains("--data-binary @held.yaml"), r.body());
            assertTrue(error.getString("message").contains("--data-binary"), r.body());
            assertTrue(error.getJsonArray("problems").size() > 1, "the YAML problem is still there: " + r.body());
        }
        assertEquals(before, send("GET", "/admin/dags/held", null).body(), "nothing went live");
        // The same text sent as it is (any other content-type) has no such note.
        JsonObject plain = documentedError(send("POST", "/admin/dags/validate?file=held.yaml", flattened), 400);
        assertFalse(plain.encode().contains("sent as a form"), plain.encode());
    }

    /**
     * GET of one DAG answers the text that is live, byte for byte (comments included), with its
     * version and origin: the file's at start, the upload's after a hot swap.
     */
    @Test
    void aDagReadsBackAsLoadedThenAsHotSwapped() throws Exception {
        String onDisk = Files.readString(dags.resolve("held.yaml"));
        HttpResponse<String> r = send("GET", "/admin/dags/held", null);
        assertEquals(200, r.statusCode(), r.body());
        JsonObject dag = new JsonObject(r.body());
        assertEquals(onDisk, dag.getString("source"));
        assertEquals("held", dag.getString("name"));
        assertEquals("directory", dag.getString("origin"));
        assertEquals(dags.resolve("held.yaml").toString(), dag.getString("file"));
        JsonObject listed = new JsonObject(send("GET", "/admin/dags", null).body()).getJsonArray("dags").stream()
                .map(JsonObject.class::cast).filter(d -> d.getString("name").equals("held")).findFirst().orElseThrow();
        assertEquals(listed.getString("version"), dag.getString("version"));
        JsonObject withoutSource = dag.copy();
        withoutSource.remove("source");
        assertEquals(listed, withoutSource, "the list's fields, and source");

        String swapped = "# a comment the server keeps\n" + onDisk.replace("deadline_ms: 200", "deadline_ms: 150");
        HttpResponse<String> put = send("PUT", "/admin/dags/held", swapped);
        assertEquals(200, put.statusCode(), put.body());
        JsonObject after = new JsonObject(send("GET", "/admin/dags/held", null).body());
        assertEquals(swapped, after.getString("source"));
        assertEquals(new JsonObject(put.body()).getString("version"), after.getString("version"));
        assertFalse(after.getString("version").equals(dag.getString("version")), after.encode());
        assertEquals("upload", after.getString("origin"));
        assertEquals(150, after.getInteger("deadline_ms"));
        assertEquals(200, send("PUT", "/admin/dags/held", onDisk).statusCode(), "the file's DAG back for the other tests");
    }

    @Test
    void anUnknownDagIs404AndEveryReadNeedsTheToken() throws Exception {
        JsonObject unknown = documentedError(send("GET", "/admin/dags/nosuchdag", null), 404);
        assertEquals("unknown_dag", unknown.getString("code"));
        assertEquals("name", unknown.getString("field"));
        assertEquals("invalid_name", documentedError(send("GET", "/admin/dags/bad%20name", null), 400).getString("code"));
        for (String path : List.of("/admin/dags/held", "/admin/routes", "/admin/dags/nosuchdag")) {
            HttpResponse<String> r = client().send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("unauthorized", documentedError(r, 401).getString("code"), path);
        }
    }

    @Test
    void headOfADagHasTheGetsLengthAndNoBody() throws Exception {
        HttpResponse<String> get = send("GET", "/admin/dags/held", null);
        HttpResponse<String> head = client().send(request("HEAD", "/admin/dags/held", null), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(get.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length),
                head.headers().firstValue("content-length").orElseThrow());
        assertEquals("", head.body());
    }

    /** The routing reads back the same way: the file's text at start, the upload's after a replace. */
    @Test
    void theRoutingReadsBackAsLoadedThenAsReplaced() throws Exception {
        String onDisk = Files.readString(dags.resolve("routing.yaml"));
        JsonObject routes = new JsonObject(send("GET", "/admin/routes", null).body());
        assertEquals(onDisk, routes.getString("source"));
        assertEquals("directory", routes.getString("origin"));
        assertEquals(dags.resolve("routing.yaml").toString(), routes.getString("file"));
        assertEquals("held", routes.getJsonObject("scenes").getJsonArray("held").getJsonObject(0).getString("dag"));

        String replaced = onDisk + "# replaced through the admin API\n";
        assertEquals(200, send("PUT", "/admin/routes", replaced).statusCode());
        JsonObject after = new JsonObject(send("GET", "/admin/routes", null).body());
        assertEquals(replaced, after.getString("source"));
        assertEquals("upload", after.getString("origin"));
        assertEquals(200, send("PUT", "/admin/routes", onDisk).statusCode());
    }

    /** The error object of a response with the README's error body: {@code {"error": {status, code, message, field}}}. */
    static JsonObject documentedError(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        JsonObject error = new JsonObject(r.body()).getJsonObject("error");
        assertEquals(status, error.getInteger("status"), r.body());
        assertFalse(error.getString("code").isEmpty(), r.body());
        assertFalse(error.getString("message").isEmpty(), r.body());
        assertTrue(error.containsKey("field"), r.body());
        return error;
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return client().send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(String method, String path, String body) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("authorization", "Bearer " + TOKEN).header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + app.httpPort() + path);
    }

    /**
     * One client for the class: each java.net.http client runs a selector thread (and a pool) until it is
     * garbage collected, so a client per request left dozens of threads behind.
     */
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpClient client() {
        return CLIENT;
    }
}
