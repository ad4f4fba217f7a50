package dev.funnel.server.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Self-traffic before readiness: once every other readiness gate is open, the server sends itself
 * {@code /v1/recommend} requests for a fixed time, over the same HTTP/2 port and stack a client
 * uses (TLS when the TLS port is on), so the JIT compiles the request path before
 * {@code /health/ready} lets real traffic in. A cold JVM serves the first seconds of load several
 * times slower, and admission control sheds what it cannot serve (BENCHMARKS.md, "warm-up").
 *
 * <p>Warm-up requests carry {@link #HEADER} with a per-process random token: the server serves them
 * in full (every node of the scene's DAG runs) but fires no response hooks (no exposure is recorded,
 * no impression logged for training) and keeps them out of the HTTP meters; they count in
 * {@code funnel_warmup_requests_total{status}} instead. Node timings ({@code funnel_dag_node_*})
 * include them. Best effort: the gate opens when the time is up whatever the requests answered.
 *
 * <p>Runs on the server's Vert.x; no thread of its own, nothing blocks.
 */
public final class WarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);

    /** The readiness gate held closed until the warm-up ends. */
    public static final String GATE = "warmup";
    /** Request header that marks self-traffic; its value must equal the process's token. */
    public static final String HEADER = "x-funnel-warmup";
    /** Config key: how long to warm up, in milliseconds (0: off). */
    public static final String MILLIS_KEY = "warmup.ms";
    /** Config key: a file of user ids to warm up as (one per line; {@code #} comments), else defaults. */
    public static final String USERS_FILE_KEY = "warmup.users_file";
    /** At most this many ids are read from {@link #USERS_FILE_KEY}. */
    public static final int MAX_USERS = 100_000;
    /** Config key: requests in flight during the warm-up. */
    public static final String CONCURRENCY_KEY = "warmup.concurrency";
    /** What {@code bin/funnel} uses when {@link #MILLIS_KEY} is not set. */
    public static final int DEFAULT_MILLIS = 15_000;
    /**
     * Default requests in flight: enough to keep the cores busy while some requests wait out a
     * deadline (a scene with a slow branch holds its requests for the DAG's whole budget).
     */
    public static final int DEFAULT_CONCURRENCY = 32;

    private static final long POLL_MILLIS = 50;
    private static final long RETRY_MILLIS = 100;
    private static final String[] DEVICES = {"ios", "android", "web"};

    private final Vertx vertx;
    private final Context context;
    private final Readiness readiness;
    private final Supplier<List<String>> scenes;
    private final List<String> users;
    private final String token;
    private final long millis;
    private final int concurrency;
    private final MeterRegistry meters;
    private final Counter failed;
    /** Read by {@link #finished()} from any thread; written on the context. */
    private final AtomicBoolean finished = new AtomicBoolean();
    // Confined to the context (one event loop).
    private final Map<Integer, Counter> byStatus = new HashMap<>();
    private final SplittableRandom random = new SplittableRandom();
    private HttpClientAgent client;
    private RequestOptions target;
    private long startNanos;
    private long endNanos;
    private int sent;
    private int outstanding;
    private int errorsLogged;

    /**
     * @param scenes      the live scenes, read when the warm-up starts (after the DAGs are compiled)
     * @param users       user ids to send (the demo world's; synthetic ids when the server has none)
     * @param token       the value of {@link #HEADER} the server accepts as self-traffic
     * @param millis      how long to send, > 0
     * @param concurrency requests in flight, >= 1
     */
    public WarmUp(Vertx vertx, Readiness readiness, Supplier<List<String>> scenes, List<String> users, String token,
                  long millis, int concurrency, MeterRegistry meters) {
        if (millis <= 0 || concurrency < 1 || users.isEmpty()) {
            throw new IllegalArgumentException("warm-up needs millis > 0, concurrency >= 1 and users; got " + millis
                    + " ms, " + concurrency + ", " + users.size() + " users");
        }
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext(); // every callback below runs here
        this.readiness = readiness;
        this.scenes = scenes;
        this.users = List.copyOf(users);
        this.token = token;
        this.millis = millis;
        this.concurrency = concurrency;
        this.meters = meters;
        this.failed = Counter.builder("funnel.warmup.requests.failed")
                .description("warm-up requests that got no HTTP answer").register(meters);
        readiness.register(GATE); // the application registers it before its ports open; idempotent
    }

    /**
     * Whether a request is this process's warm-up traffic: {@code token} is the process's (null
     * when it does not warm up) and {@code headerValue} the request's {@link #HEADER}.
     */
    public static boolean isWarmUp(String token, String headerValue) {
        return token != null && token.equals(headerValue);
    }

    /**
     * The user ids in {@code file}: one per line, trimmed; blank lines and lines starting with
     * {@code #} skipped; at most {@link #MAX_USERS}.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no id
     */
    public static List<String> usersFrom(Path file) {
        List<String> ids = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null && ids.size() < MAX_USERS) {
                String id = line.trim();
                if (!id.isEmpty() && !id.startsWith("#")) {
                    ids.add(id);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(USERS_FILE_KEY + ": cannot read " + file + ": " + e, e);
        }
        if (ids.isEmpty()) {
            throw new IllegalArgumentException(USERS_FILE_KEY + ": " + file + " holds no user id (one per line)");
        }
        return ids;
    }

    /** Synthetic user ids for a server without a demo world: unknown users (the cold-start path). */
    public static List<String> syntheticUsers(int n) {
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = "warmup-" + i;
        }
        return Arrays.asList(ids);
    }

    /**
     * Starts once every other gate is open, sending to {@code host:port} (TLS with any certificate
     * when {@code tls}: the server's own, possibly self-signed).
     */
    public void start(String host, int port, boolean tls) {
        HttpClientOptions options = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setKeepAlive(true).setHttp2MultiplexingLimit(concurrency * 2);
        if (tls) {
            options.setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false);
        }
        client = vertx.httpClientBuilder().with(options).with(new PoolOptions().setHttp2MaxSize(1)).build();
        target = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setURI("/v1/recommend")
                .putHeader("content-type", "application/json").putHeader(HEADER, token);
        context.runOnContext(v -> waitForOtherGates());
    }

    private void waitForOtherGates() {
        if (finished.get()) { // lock-free read, as in send
            return;
        }
        boolean othersOpen = readiness.gates().entrySet().stream()
                .allMatch(e -> e.getKey().equals(GATE) || e.getValue());
        if (!othersOpen) {
            vertx.setTimer(POLL_MILLIS, id -> waitForOtherGates());
            return;
        }
        // On the event loop: the live route table's scenes (a volatile read and a small copy), no lock, no I/O.
        List<String> live = scenes.get();
        if (live.isEmpty()) {
            LOG.warn("warm-up skipped: no scene is routed");
            finish();
            return;
        }
        LOG.info("warm-up: {} ms of self-traffic, {} in flight, scenes {}, {} users", millis, concurrency, live,
                users.size());
        startNanos = System.nanoTime();
        endNanos = startNanos + millis * 1_000_000L;
        for (int i = 0; i < concurrency; i++) {
            send(live);
        }
    }

    private void send(List<String> live) {
        if (System.nanoTime() >= endNanos || finished.get()) { // lock-free read
            if (outstanding == 0) {
                finish();
            }
            return;
        }
        outstanding++;
        sent++;
        String user = users.get(random.nextInt(users.size()));
        String scene = live.get(random.nextInt(live.size()));
        Buffer body = Buffer.buffer("{\"user_id\":\"" + user + "\",\"scene\":\"" + scene + "\",\"count\":20,"
                + "\"context\":{\"device\":\"" + DEVICES[random.nextInt(DEVICES.length)] + "\"}}");
        // At most three log lines in all (errorsLogged), so the loop writes to the log a bounded handful of times.
        client.request(target).compose(req -> req.send(body)).compose(resp -> resp.body().map(b -> {
                    if (resp.statusCode() != 200 && errorsLogged++ < 3) {
                        LOG.warn("warm-up request for scene {} answered {}: {}", scene, resp.statusCode(), b);
                    }
                    return resp.statusCode();
                }))
                .onComplete(ar -> {
                    outstanding--;
                    if (ar.succeeded()) {
                        byStatus.computeIfAbsent(ar.result(), s -> Counter.builder("funnel.warmup.requests")
                                .description("warm-up requests by HTTP status").tag("status", String.valueOf(s))
                                .register(meters)).increment();
                        send(live);
                    } else {
                        failed.increment();
                        if (errorsLogged++ < 3) {
                            LOG.warn("warm-up request failed: {}", String.valueOf(ar.cause()));
                        }
                        // No answer at all (a port nobody listens on): do not spin on the loop.
                        vertx.setTimer(RETRY_MILLIS, id -> send(live));
                    }
                });
    }

    private void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        Map<Integer, Long> statuses = new TreeMap<>();
        byStatus.forEach((s, c) -> statuses.put(s, (long) c.count()));
        long tookMillis = startNanos == 0 ? 0 : (System.nanoTime() - startNanos) / 1_000_000;
        LOG.info("warm-up done: {} requests in {} ms, by status {}, {} without an answer", sent, tookMillis, statuses,
                (long) failed.count());
        if (client != null) {
            client.close();
        }
        readiness.open(GATE);
    }

    /** Ends the warm-up now (shutdown); opens the gate. Any thread. */
    public void stop() {
        context.runOnContext(v -> {
            if (outstanding == 0) {
                finish();
            } else {
                endNanos = 0; // the last answer finishes it
            }
        });
    }

    /** Whether the warm-up has ended. Any thread. */
    public boolean finished() {
        return finished.get(); // an AtomicBoolean read: lock-free, never blocks
    }
}
