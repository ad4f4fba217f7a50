package dev.funnel.server.sre;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code funnel explain}: asks a running server's {@code /admin/explain} to replay one request and
 * prints the per-node trace (or two DAGs side by side). The server does the work, so the trace is
 * of the real indexes, models and stores that serve traffic.
 *
 * <pre>
 * funnel explain --user u000042 [--scene home] [--context key=value]... [--count 10]
 *                | --request-id ID     (a request the server served: its user, scene, count and context)
 *                [--dag home_feed | --file candidate.yaml]
 *                [--set node.param=value]... [--compare-dag NAME | --compare-file FILE]
 *                [--compare-set node.param=value]...
 *                [--max-dropped 20] [--deadline-ms N] [--json]
 *                [--url http://localhost:8080] [--token T]   (token default: $FUNNEL_ADMIN_TOKEN)
 *                [--insecure | -k]
 * </pre>
 *
 * <p>{@code --request-id} replays a request the server answered, by the {@code request_id} of its
 * response, with the inputs the server recorded; only the server (replica) that served it keeps
 * them, and only its last {@code explain.recent_requests}.
 *
 * <p>An {@code https://} URL is checked against the JVM's trusted certificates, as any client
 * should; the server's own self-signed certificate (no {@code tls.cert}) is not among them, and the
 * command then fails saying so. {@code --insecure} ({@code -k}, as in curl) skips the certificate
 * and host name checks, for that certificate on a machine you trust the path to; the bearer token
 * is sent either way.
 */
public final class ExplainCommand {

    private ExplainCommand() {
    }

    /**
     * What a command line asks for.
     *
     * @param url      the server
     * @param token    the admin token
     * @param json     print the JSON answer rather than the text rendering
     * @param insecure skip the TLS certificate check
     * @param body     the {@code /admin/explain} request body
     */
    record Args(String url, String token, boolean json, boolean insecure, JsonObject body) {
    }

    /** Runs the command; returns the exit code (0 ok, 1 the server refused, 2 usage). */
    public static int run(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err) {
        Args parsed = parse(args, environment);
        String url = parsed.url();
        boolean json = parsed.json();
        boolean insecure = parsed.insecure();
        HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/admin/explain" + (json ? "" : "?format=text")))
                .timeout(Duration.ofSeconds(30))
                .header("authorization", "Bearer " + parsed.token())
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(parsed.body().encode()))
                .build();
        HttpClient.Builder client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5));
        if (insecure) {
            client.sslContext(TrustAnyCertificate.sslContext());
        }
        HttpResponse<String> resp;
        try {
            resp = client.build().send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            String untrusted = insecure ? null : untrustedCertificate(e);
            if (untrusted != null) {
                err.println("funnel explain: " + url + " presented a certificate this JVM does not trust (" + untrusted
                        + "); a server without tls.cert serves a self-signed one. Pass --insecure (-k) to skip the"
                        + " certificate check, as curl -k does, or use the server's cleartext port (http://…:8080)");
                return 1;
            }
            err.println("funnel explain: cannot reach " + url + ": " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        if (resp.statusCode() != 200) {
            String why = problemsText(resp.body());
            err.print("funnel explain: " + resp.statusCode() + " " + why + (why.endsWith("\n") ? "" : "\n"));
            return 1;
        }
        out.print(json ? new JsonObject(resp.body()).encodePrettily() + "\n" : resp.body());
        return 0;
    }

    /**
     * Reads a command line into what to send.
     *
     * @throws IllegalArgumentException for a usage error, saying what is wrong
     */
    static Args parse(List<String> args, Map<String, String> environment) {
        String url = "http://localhost:8080";
        String token = environment.get("FUNNEL_ADMIN_TOKEN");
        boolean json = false;
        boolean insecure = false;
        JsonObject body = new JsonObject();
        JsonObject compare = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--json" -> json = true;
                case "--insecure", "-k" -> insecure = true;
                case "--url" -> url = value(args, ++i, a);
                case "--token" -> token = value(args, ++i, a);
                case "--user" -> body.put("user_id", value(args, ++i, a));
                case "--request-id" -> body.put("request_id", value(args, ++i, a));
                case "--scene" -> body.put("scene", value(args, ++i, a));
                case "--count" -> body.put("count", integer(value(args, ++i, a), a));
                case "--max-dropped" -> body.put("max_dropped", integer(value(args, ++i, a), a));
                case "--deadline-ms" -> body.put("deadline_ms", integer(value(args, ++i, a), a));
                case "--dag" -> body.put("dag", value(args, ++i, a));
                case "--file" -> putFile(body, value(args, ++i, a));
                case "--set" -> override(body, value(args, ++i, a));
                case "--context" -> context(body, value(args, ++i, a));
                case "--compare-dag" -> (compare = compare == null ? new JsonObject() : compare).put("dag", value(args, ++i, a));
                case "--compare-file" -> putFile(compare = compare == null ? new JsonObject() : compare, value(args, ++i, a));
                case "--compare-set" -> override(compare = compare == null ? new JsonObject() : compare, value(args, ++i, a));
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (body.containsKey("request_id")) {
            // The served request's recorded inputs are what is replayed: typing some in too would be ambiguous.
            for (String[] typed : new String[][] {{"user_id", "--user"}, {"scene", "--scene"}, {"count", "--count"},
                    {"context", "--context"}}) {
                if (body.containsKey(typed[0])) {
                    throw new IllegalArgumentException("--request-id replays the served request's own user, scene, count"
                            + " and context: leave out " + typed[1]);
                }
            }
        } else if (!body.containsKey("user_id")) {
            throw new IllegalArgumentException("--user or --request-id is required (e.g. --user u000042, or --request-id"
                    + " with the request_id of a recommend response)");
        }
        if (token == null) {
            throw new IllegalArgumentException("no admin token: pass --token or set FUNNEL_ADMIN_TOKEN");
        }
        if (compare != null) {
            body.put("compare", compare);
        }
        return new Args(url, token, json, insecure, body);
    }

    /**
     * Why the TLS handshake refused the server's certificate (an untrusted or self-signed chain, a
     * host name it was not issued for), or null when {@code e} is another failure.
     */
    static String untrustedCertificate(IOException e) {
        boolean handshake = false;
        String why = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            handshake |= t instanceof javax.net.ssl.SSLHandshakeException;
            if (t instanceof java.security.GeneralSecurityException) { // CertificateException, CertPathBuilderException, …
                why = t.getMessage();
            }
        }
        return handshake && why != null ? why : null;
    }

    /**
     * The server's error body ({@code {"error": {status, code, message, field, problems?}}}) as
     * lines for a person: the code and message, then each file:line problem on its own line.
     */
    static String problemsText(String body) {
        JsonObject error;
        try {
            error = new JsonObject(body).getJsonObject("error");
        } catch (RuntimeException e) {
            return body; // not our JSON (a proxy's page): as it came
        }
        if (error == null) {
            return body;
        }
        StringBuilder sb = new StringBuilder(error.getString("code", "error"));
        if (error.getJsonArray("problems") != null) {
            sb.append(": ").append(error.getJsonArray("problems").size()).append(" problem(s)\n");
            error.getJsonArray("problems").forEach(p -> sb.append("  ").append(((JsonObject) p).getString("text")).append('\n'));
            return sb.toString();
        }
        sb.append(": ").append(error.getString("message", ""));
        if (error.getString("field") != null) {
            sb.append(" (field '").append(error.getString("field")).append("')");
        }
        return sb.append('\n').toString();
    }

    private static void putFile(JsonObject side, String file) {
        try {
            side.put("yaml", Files.readString(Path.of(file))).put("file", file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * {@code key=value} into the request's {@code context}, the value read as {@link #override}
     * reads one: the client context (device, page) is a ranking feature, so a request that had one
     * is only replayed faithfully with it.
     */
    static void context(JsonObject body, String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--context takes key=value, got '" + spec + "'");
        }
        JsonObject c = body.getJsonObject("context");
        if (c == null) {
            body.put("context", c = new JsonObject());
        }
        c.put(spec.substring(0, eq), jsonOrString(spec.substring(eq + 1)));
    }

    private static Object jsonOrString(String raw) {
        try {
            return io.vertx.core.json.Json.decodeValue(raw);
        } catch (RuntimeException e) {
            return raw;
        }
    }

    /** {@code node.param=value}: value as JSON when it parses (numbers, booleans, lists), else a string. */
    static void override(JsonObject side, String spec) {
        int dot = spec.indexOf('.');
        int eq = spec.indexOf('=');
        if (dot <= 0 || eq < dot + 2) {
            throw new IllegalArgumentException("--set takes node.param=value, got '" + spec + "'");
        }
        String node = spec.substring(0, dot);
        String param = spec.substring(dot + 1, eq);
        Object v = jsonOrString(spec.substring(eq + 1));
        JsonObject o = side.getJsonObject("overrides");
        if (o == null) {
            side.put("overrides", o = new JsonObject());
        }
        JsonObject n = o.getJsonObject(node);
        if (n == null) {
            o.put(node, n = new JsonObject());
        }
        n.put(param, v);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static int integer(String v, String option) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number, got '" + v + "'");
        }
    }
}
