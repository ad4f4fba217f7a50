package dev.funnel.server.reload;

import dev.funnel.engine.dag.DagLoader;
import dev.funnel.engine.route.ConfigSet;
import dev.funnel.engine.route.RoutingLoader;
import dev.funnel.server.serving.LiveConfig;
import io.micrometer.core.instrument.MeterRegistry;

import java.nio.file.Path;

/**
 * Hot reload of the configuration directory into the server's {@link LiveConfig}: a changed DAG
 * file is parsed, then validated and compiled together with every route and swapped in with one
 * atomic publish ({@link LiveConfig#replaceDag}); a changed {@value ConfigSet#ROUTING_FILE} is
 * swapped the same way ({@link LiveConfig#replaceRouting}). Requests already running keep the
 * route table they read at arrival. A file that fails leaves what was live serving and shows its
 * file:line problems in the {@link ReloadLog}. Deleting a file does not unload its DAG (routes may
 * still name it); the log shows it as removed.
 */
public final class LiveConfigReloader implements AutoCloseable {

    private final DirectoryWatcher<String> watcher;
    private final ReloadLog log;

    /**
     * @param dir   the configuration directory {@link LiveConfig} was loaded from
     * @param live  the holder to swap into
     * @param meters where reload metrics go
     */
    public LiveConfigReloader(Path dir, LiveConfig live, MeterRegistry meters) {
        this.log = new ReloadLog(meters);
        ReloadSink<String> sink = (file, text) -> {
            if (isRouting(file)) {
                live.replaceRouting(file.toString(), text);
            } else {
                live.replaceDag(file.toString(), text, null);
            }
        };
        // Parsing first gives syntax errors with file:line before anything is compiled.
        ConfigCompiler<String> parse = (name, text) -> {
            if (isRouting(Path.of(name))) {
                RoutingLoader.parse(name, text);
            } else {
                DagLoader.parse(name, text);
            }
            return text;
        };
        // ConfigSet.load reads only the directory's top level; so does the reloader.
        this.watcher = new DirectoryWatcher<>(dir, p -> DirectoryWatcher.yamlFiles().test(p) && dir.equals(p.getParent()),
                parse, sink, log, System::nanoTime, DirectoryWatcher.DEFAULT_DEBOUNCE_MILLIS * 1_000_000L);
    }

    /** Takes the files on disk as live (the server loaded them) and starts polling. */
    public LiveConfigReloader start(long pollMillis) {
        watcher.prime();
        watcher.start(pollMillis);
        return this;
    }

    /** What reload did, for the admin API and the console. */
    public ReloadLog log() {
        return log;
    }

    /** One synchronous pass over the directory (admin "reload now"); the poller keeps running. */
    public void pollNow() {
        watcher.poll();
    }

    @Override
    public void close() {
        watcher.close();
    }

    private static boolean isRouting(Path file) {
        String n = file.getFileName().toString();
        return n.equals(ConfigSet.ROUTING_FILE) || n.equals("routing.yml");
    }
}
