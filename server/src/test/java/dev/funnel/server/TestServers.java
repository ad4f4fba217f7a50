package dev.funnel.server;

import dev.funnel.server.wiring.ModelWiring;

/**
 * What every server a test starts in this JVM shares: embedding tables sized for a test world. At
 * the production bound each server preallocates about 170 MB of tables, so the shared HTTP server,
 * which lives for the whole suite, and two or three servers of a cluster test filled most of the
 * suite's heap with empty rows; a test world (a few thousand items, hundreds of users) fills a small
 * fraction of this bound.
 */
public final class TestServers {

    /** {@link ModelWiring#TABLE_MAX_ROWS_KEY} for test servers. */
    public static final String TABLE_MAX_ROWS = "65536";

    private TestServers() {
    }

    /** {@link FunnelConfig#DEFAULT} with test-sized tables; start from this instead of the default. */
    public static FunnelConfig config() {
        return FunnelConfig.DEFAULT.with(ModelWiring.TABLE_MAX_ROWS_KEY, TABLE_MAX_ROWS);
    }

    /** The same for a configuration read as environment variables (ConfigLoader): add this entry. */
    public static final String TABLE_MAX_ROWS_ENV = ConfigLoader.envName(ModelWiring.TABLE_MAX_ROWS_KEY);

    /**
     * Starts a server (not demo) and waits until every readiness gate is open (a stream-fed catalog replays
     * first), up to 30 s; closes it and fails, naming the gates, when they do not open in time.
     */
    public static FunnelApp startReady(FunnelConfig config) throws Exception {
        FunnelApp app = FunnelApp.start(config, false);
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (!app.readiness().ready()) {
            if (System.nanoTime() > deadline) {
                app.close();
                throw new AssertionError("not ready within 30 s: " + app.readiness().gates());
            }
            Thread.sleep(20);
        }
        return app;
    }
}
