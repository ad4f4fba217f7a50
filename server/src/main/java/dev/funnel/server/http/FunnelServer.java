package dev.funnel.server.http;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The running HTTP server: a Vert.x instance with one event loop per configured core and one
 * {@link HttpVerticle} on each, all serving the same cleartext and TLS ports.
 */
public final class FunnelServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FunnelServer.class);

    private final Vertx vertx;
    private final ServerDeps deps;
    private final List<HttpVerticle> verticles;
    private final int httpPort;
    private final int httpsPort;

    private FunnelServer(Vertx vertx, ServerDeps deps, List<HttpVerticle> verticles) {
        this.vertx = vertx;
        this.deps = deps;
        this.verticles = verticles;
        List<Integer> ports = verticles.get(0).ports();
        int i = 0;
        this.httpPort = deps.config().httpPort() >= 0 ? ports.get(i++) : -1;
        this.httpsPort = deps.config().httpsPort() >= 0 ? ports.get(i) : -1;
    }

    /** Starts Vert.x, deploys a verticle per event loop, and waits until every port listens. */
    public static FunnelServer start(ServerDeps deps) {
        int loops = deps.config().eventLoops();
        // Netty's -Dio.netty.transport.noNative=true (in FUNNEL_JAVA_OPTS) serves on JDK NIO even where epoll loads.
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
        List<HttpVerticle> verticles = new CopyOnWriteArrayList<>();
        try {
            await(vertx.deployVerticle(() -> {
                HttpVerticle v = new HttpVerticle(deps);
                verticles.add(v);
                return v;
            }, new DeploymentOptions().setInstances(loops)), 30_000, "binding ports");
        } catch (RuntimeException e) {
            vertx.close();
            throw e;
        }
        FunnelServer s = new FunnelServer(vertx, deps, verticles);
        LOG.info("listening: http (HTTP/1.1 + h2c) {}, https (ALPN h2 + http/1.1) {}, {} event loop(s), {} transport",
                where(deps.config().host(), s.httpPort), where(deps.config().host(), s.httpsPort), loops,
                s.nativeTransport() ? "native" : "nio");
        if (!s.nativeTransport()) {
            LOG.warn("native transport unavailable, serving on JDK NIO (slower hand-offs to the event loops): {}",
                    String.valueOf(vertx.unavailableNativeTransportCause()));
        }
        return s;
    }

    private static String where(String host, int port) {
        return port < 0 ? "off" : "on " + host + ":" + port;
    }

    /** Whether the server's Vert.x runs on the native transport (epoll) rather than JDK NIO. */
    public boolean nativeTransport() {
        return vertx.isNativeTransportEnabled();
    }

    /** The bound cleartext port, or -1 when off. */
    public int httpPort() {
        return httpPort;
    }

    /** The bound TLS port, or -1 when off. */
    public int httpsPort() {
        return httpsPort;
    }

    /** Requests accepted and not yet answered. */
    public int inFlight() {
        return deps.inFlight().get(); // an AtomicInteger read: never blocks
    }

    public Vertx vertx() {
        return vertx;
    }

    /**
     * Graceful stop: stop accepting (HTTP/2 GOAWAY), let in-flight requests finish within the
     * configured drain time, then close Vert.x.
     */
    @Override
    public void close() {
        long drain = deps.config().drainMillis();
        LOG.info("shutting down: draining {} in-flight request(s), up to {} ms", deps.inFlight().get(), drain);
        try {
            await(Future.join(verticles.stream().map(v -> v.shutdownServers(drain)).toList()), drain + 5_000, "draining");
        } catch (RuntimeException e) {
            LOG.warn("drain did not finish cleanly: {}", e.toString());
        }
        await(vertx.close(), 10_000, "closing Vert.x");
        LOG.info("HTTP server stopped ({} request(s) still in flight)", deps.inFlight().get());
    }

    private static <T> T await(Future<T> f, long millis, String what) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(what + " timed out after " + millis + " ms", e);
        }
    }
}
