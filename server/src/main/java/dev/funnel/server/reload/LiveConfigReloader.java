package dev.funnel.server.reload;

import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.DagLoader;
import dev.funnel.engine.route.ConfigSet;
import dev.funnel.engine.route.RoutingLoader;
import dev.funnel.server.serving.LiveConfig;
import io.micrometer.core.instrument.MeterRegistry;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Hot reload of the configuration directory into the server's {@link LiveConfig}: files that changed
 * together are parsed, then validated and compiled together with everything live and swapped in
 * with one atomic publish ({@link LiveConfig#reloadFiles}), or, when they are refused together, one
 * by one in whatever order works (see {@link DirectoryWatcher}). A DAG file owns the DAG it
 * declares: a second file declaring the same {@code dag:} name is refused, as {@code funnel
 * validate} refuses it. Requests already running keep the route table they read at arrival. A file
 * that fails leaves what was live serving and shows its file:line problems in the
 * {@link ReloadLog}, and is retried whenever what is live changes. Deleting a file does not unload
 * its DAG (routes may still name it); the log shows it as removed.
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
        this(dir, live, new ReloadLog(meters), System::nanoTime, DirectoryWatcher.DEFAULT_DEBOUNCE_MILLIS * 1_000_000L);
    }

    /** With an injected clock and debounce (tests drive it with {@link #poll()}). */
    LiveConfigReloader(Path dir, LiveConfig live, ReloadLog log, LongSupplier nanoClock, long debounceNanos) {
        this.log = log;
        ReloadSink<String> sink = new ReloadSink<>() {
            @Override
            public void swap(Map<Path, String> texts) throws DagException {
                live.reloadFiles(texts);
            }

            @Override
            public void removed(Path file) {
                live.fileDeleted(file);
            }

            @Override
            public Object liveState() {
                return live.current(); // a new table after any swap, an admin PUT included
            }
        };
        // Parsing first gives syntax errors with file:line before anything is compiled.
        ConfigCompiler<String> parse = (name, text) -> {
            if (ConfigSet.isRoutingFile(Path.of(name))) {
                // Only an unreadable file stops here: shape errors are reported by the swap with the
                // routing's semantic problems, so one reload shows them all.
                RoutingLoader.Parsed parsed = RoutingLoader.read(name, text);
                if (parsed.spec() == null) {
                    throw new DagException(parsed.problems());
                }
            } else {
                DagLoader.parse(name, text);
            }
            return text;
        };
        // ConfigSet.load reads only the directory's top level; so does the reloader.
        this.watcher = new DirectoryWatcher<>(dir, p -> DirectoryWatcher.yamlFiles().test(p) && dir.equals(p.getParent()),
                parse, sink, log, nanoClock, debounceNanos);
    }

    /** Takes the files on disk as live (the server loaded them) and starts polling. */
    public LiveConfigReloader start(long pollMillis) {
        watcher.prime();
        watcher.start(pollMillis);
        return this;
    }

    /** Takes the files on disk as live without starting the poller (tests drive {@link #poll()}). */
    LiveConfigReloader primed() {
        watcher.prime();
        return this;
    }

    /** One pass as the poller makes it. */
    void poll() {
        watcher.poll();
    }

    /** What reload did, for the admin API and the console. */
    public ReloadLog log() {
        return log;
    }

    /**
     * One synchronous pass over the directory (admin "reload now"), which also retries every failed
     * file against what is live now; the poller keeps running.
     */
    public void pollNow() {
        watcher.retryFailedNow();
    }

    @Override
    public void close() {
        watcher.close();
    }
}
