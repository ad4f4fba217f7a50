package dev.funnel.bench.ceiling;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SelfSignedCertificate;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The raw Vert.x HTTP/2 server Funnel is compared with: one {@link CeilingVerticle} per event loop,
 * each answering every request (any method, any path) with the same fixed JSON body once the
 * request body has been read, which is the least work a real endpoint can do.
 *
 * <p>Usage: {@code CeilingServer [--port 18080] [--tls-port 18443] [--event-loops N]}; a port of 0
 * turns that listener off. The cleartext port speaks h2c (prior knowledge) and HTTP/1.1; the TLS
 * port speaks h2 through ALPN with a self-signed certificate. Prints {@code ceiling listening ...}
 * once both are bound, then runs until killed.
 */
public final class CeilingServer {

    /** Default cleartext (h2c) port. */
    public static final int DEFAULT_PORT = 18080;
    /** Default TLS (h2 over ALPN) port; 0 turns it off. */
    public static final int DEFAULT_TLS_PORT = 0;

    /**
     * A recommend-shaped answer of about the size Funnel returns for a trivial DAG with a few items,
     * so both servers move similar bytes.
     */
    static final Buffer BODY = Buffer.buffer(("{\"request_id\":\"ceiling\",\"items\":["
            + "{\"item_id\":1,\"score\":0.9,\"sources\":[\"hot\"]},"
            + "{\"item_id\":2,\"score\":0.8,\"sources\":[\"hot\"]},"
            + "{\"item_id\":3,\"score\":0.7,\"sources\":[\"hot\"]}],"
            + "\"partial\":false,\"degraded\":[],\"versions\":{\"dag\":\"ceiling\",\"models\":{}}}")
            .getBytes(StandardCharsets.UTF_8));

    private CeilingServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = DEFAULT_PORT;
        int tlsPort = DEFAULT_TLS_PORT;
        int loops = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--port" -> port = parsePort(a, v);
                case "--tls-port" -> tlsPort = parsePort(a, v);
                case "--event-loops" -> loops = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + a + " (known: --port, --tls-port, --event-loops)");
            }
        }
        if (loops < 1) {
            throw new IllegalArgumentException("--event-loops must be >= 1, got " + loops);
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true)); // as FunnelServer
        List<HttpServerOptions> listeners = listeners(port, tlsPort);
        CountDownLatch started = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        vertx.deployVerticle(() -> new CeilingVerticle(listeners), new DeploymentOptions().setInstances(loops))
                .onComplete(ar -> {
                    failure[0] = ar.cause();
                    started.countDown();
                });
        started.await();
        if (failure[0] != null) {
            vertx.close();
            throw new IllegalStateException("ceiling server failed to start", failure[0]);
        }
        System.out.println("ceiling listening h2c=" + port + " h2=" + tlsPort + " event-loops=" + loops);
    }

    static List<HttpServerOptions> listeners(int port, int tlsPort) {
        if (port == 0 && tlsPort == 0) {
            throw new IllegalArgumentException("both --port and --tls-port are 0: nothing to listen on");
        }
        HttpServerOptions clear = new HttpServerOptions().setPort(port).setHost("127.0.0.1")
                .setHttp2ClearTextEnabled(true);
        if (tlsPort == 0) {
            return List.of(clear);
        }
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        HttpServerOptions tls = new HttpServerOptions().setPort(tlsPort).setHost("127.0.0.1")
                .setSsl(true).setUseAlpn(true)
                .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
                .setKeyCertOptions(cert.keyCertOptions());
        return port == 0 ? List.of(tls) : List.of(clear, tls);
    }

    private static int parsePort(String option, String value) {
        int p = Integer.parseInt(value);
        if (p < 0 || p > 65_535) {
            throw new IllegalArgumentException(option + " must be in 0..65535, got " + p);
        }
        return p;
    }

    /** Answers every request with {@link #BODY}; one instance per event loop. */
    static final class CeilingVerticle extends io.vertx.core.VerticleBase {
        private final List<HttpServerOptions> listeners;

        CeilingVerticle(List<HttpServerOptions> listeners) {
            this.listeners = listeners;
        }

        @Override
        public Future<?> start() {
            Future<HttpServer> all = Future.succeededFuture();
            for (HttpServerOptions o : listeners) {
                all = all.compose(ignored -> vertx.createHttpServer(o)
                        .requestHandler(CeilingVerticle::answer)
                        .listen());
            }
            return all;
        }

        private static void answer(io.vertx.core.http.HttpServerRequest req) {
            // Reading the body first is what a JSON endpoint must do too; the answer never changes.
            req.body().onComplete(ar -> req.response()
                    .putHeader("content-type", "application/json")
                    .end(BODY));
        }
    }
}
