package dev.funnel.server.http;

import dev.funnel.server.FunnelApp;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.TestServers;
import dev.funnel.server.wiring.FeatureWiring;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One real server (sim world, src/test/resources/it-dags, ephemeral ports) shared by the HTTP test
 * classes of this JVM, started on first use and shut down gracefully when the JVM exits.
 */
final class FunnelServerTestSupport {

    static final String TOKEN = "test-admin-token";
    static final Path DAGS = Path.of("src/test/resources/it-dags").toAbsolutePath();
    /** Ids served to user {@code u-hook}, as the response hook saw them. */
    static final BlockingQueue<long[]> SERVED = new LinkedBlockingQueue<>();

    private static FunnelApp app;
    private static TestHttp http;

    private FunnelServerTestSupport() {
    }

    static synchronized FunnelApp app() throws Exception {
        if (app == null) {
            FunnelConfig config = TestServers.config().withEphemeralPorts(TOKEN).withDagsDir(DAGS.toString())
                    .withSim(7, 5_000, 500);
            FeatureWiring recorder = ctx -> ctx.responseHooks().add((request, served, result) -> {
                if (request.userId().equals("u-hook")) {
                    SERVED.add(served.idsCopy());
                }
            });
            app = FunnelApp.start(config, true, List.of(recorder));
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (!app.readiness().ready()) { // the catalog loads in the background
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("not ready after 60 s: " + app.readiness());
                }
                Thread.sleep(20);
            }
            http = new TestHttp();
            // Warm up (class loading, JIT) so the first test's request is not the cold one.
            for (int i = 0; i < 20; i++) {
                for (String scene : List.of("home", "slow")) {
                    http.post(http.h2c, app.httpPort(), "/v1/recommend",
                            "{\"user_id\":\"warm" + i + "\",\"scene\":\"" + scene + "\",\"debug\":true}");
                }
            }
            FunnelApp a = app;
            TestHttp h = http;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    h.close();
                } catch (Exception e) {
                    e.printStackTrace();
                }
                a.close();
            }));
        }
        return app;
    }

    static synchronized TestHttp http() throws Exception {
        app();
        return http;
    }
}
