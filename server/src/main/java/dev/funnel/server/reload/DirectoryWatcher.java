package dev.funnel.server.reload;

import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Watches a configuration directory by polling content hashes (portable, immune to editors that
 * save by rename, and testable with an injected clock). A file whose content changed is applied
 * once the new content has been stable for the debounce interval: it is compiled on its own, and
 * either swapped in through the {@link ReloadSink} or, when it fails, recorded in the
 * {@link ReloadLog} with its file:line problems while the last good version stays live. One file's
 * failure never affects another's.
 *
 * <p>Threading: {@link #poll()}, {@link #prime()} and {@link #loadAll()} are serialized on this
 * object's monitor (the watcher's own daemon thread after {@link #start}, an admin "reload now",
 * or a test); tracking state is only touched under it. Never called from an event loop.
 *
 * @param <T> what a file compiles to
 */
public final class DirectoryWatcher<T> implements AutoCloseable {

    /** Poll interval when none is given. */
    public static final long DEFAULT_POLL_MILLIS = 200;
    /** How long new content must be unchanged before it is applied. */
    public static final long DEFAULT_DEBOUNCE_MILLIS = 300;

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatcher.class);

    private final Path dir;
    private final Predicate<Path> accepts;
    private final ConfigCompiler<T> compiler;
    private final ReloadSink<T> sink;
    private final ReloadLog log;
    private final LongSupplier nanoClock;
    private final long debounceNanos;
    private final Map<Path, Tracked> tracked = new HashMap<>();
    private volatile ScheduledExecutorService thread;

    /** Per-file bookkeeping; watcher thread only. */
    private static final class Tracked {
        String appliedHash;
        String pendingHash;
        long pendingSinceNanos;
        long goneSinceNanos = -1;
    }

    /** Content hash standing for a file that exists but cannot be read. */
    private static final String UNREADABLE = "unreadable";

    /**
     * @param dir           the directory (file names in problems are {@code dir.resolve(relative)} as given)
     * @param accepts       which regular files under {@code dir} are this watcher's
     * @param compiler      turns a file into T
     * @param sink          swaps T in
     * @param log           records outcomes
     * @param nanoClock     monotonic clock (virtual in tests)
     * @param debounceNanos stability required before applying, &ge; 0
     */
    public DirectoryWatcher(Path dir, Predicate<Path> accepts, ConfigCompiler<T> compiler, ReloadSink<T> sink,
                            ReloadLog log, LongSupplier nanoClock, long debounceNanos) {
        if (debounceNanos < 0) {
            throw new IllegalArgumentException("debounceNanos must be >= 0, got " + debounceNanos);
        }
        this.dir = dir;
        this.accepts = accepts;
        this.compiler = compiler;
        this.sink = sink;
        this.log = log;
        this.nanoClock = nanoClock;
        this.debounceNanos = debounceNanos;
    }

    /** YAML files directly under {@code dir} or one level down, skipping hidden files and {@code schema/}. */
    public static Predicate<Path> yamlFiles() {
        return p -> {
            String name = p.getFileName().toString();
            return (name.endsWith(".yaml") || name.endsWith(".yml")) && !name.startsWith(".")
                    && (p.getParent() == null || !p.getParent().getFileName().toString().equals("schema"));
        };
    }

    /**
     * Compiles every accepted file now, without debounce (startup, or an admin "reload all").
     *
     * @return the status of every file after the pass
     */
    public synchronized List<ReloadLog.FileStatus> loadAll() {
        Map<Path, byte[]> contents = snapshot();
        for (Map.Entry<Path, byte[]> e : contents.entrySet()) {
            Tracked t = tracked.computeIfAbsent(e.getKey(), k -> new Tracked());
            String hash = hash(e.getValue());
            if (!hash.equals(t.appliedHash)) {
                apply(e.getKey(), e.getValue(), hash);
                t.appliedHash = hash;
            }
            t.pendingHash = null;
        }
        forgetDeleted(contents, 0, true);
        return log.files();
    }

    /**
     * Takes what is on disk now as already live, without compiling (the server loaded the
     * directory at startup); later edits are applied as usual.
     */
    public synchronized void prime() {
        for (Map.Entry<Path, byte[]> e : snapshot().entrySet()) {
            Tracked t = tracked.computeIfAbsent(e.getKey(), k -> new Tracked());
            t.appliedHash = hash(e.getValue());
            log.live(e.getKey().toString(), t.appliedHash);
        }
    }

    /** One polling pass: notes changes, applies those stable for the debounce interval, notes deletions. */
    public synchronized void poll() {
        Map<Path, byte[]> contents = snapshot();
        long now = nanoClock.getAsLong();
        for (Map.Entry<Path, byte[]> e : contents.entrySet()) {
            Tracked t = tracked.computeIfAbsent(e.getKey(), k -> new Tracked());
            t.goneSinceNanos = -1;
            String hash = hash(e.getValue());
            if (hash.equals(t.appliedHash)) {
                t.pendingHash = null; // an edit reverted before it settled
                continue;
            }
            if (!hash.equals(t.pendingHash)) {
                t.pendingHash = hash;
                t.pendingSinceNanos = now;
                if (debounceNanos > 0) {
                    continue;
                }
            }
            if (now - t.pendingSinceNanos >= debounceNanos) {
                apply(e.getKey(), e.getValue(), hash);
                t.appliedHash = hash;
                t.pendingHash = null;
            }
        }
        forgetDeleted(contents, now, false);
    }

    /** Polls every {@code pollMillis} on a daemon thread named {@code funnel-reload}. */
    public synchronized void start(long pollMillis) {
        if (pollMillis <= 0) {
            throw new IllegalArgumentException("pollMillis must be > 0, got " + pollMillis);
        }
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "funnel-reload");
            th.setDaemon(true);
            return th;
        });
        t.scheduleWithFixedDelay(this::pollLogged, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
        thread = t;
    }

    /** Stops polling; what is live stays live. */
    @Override
    public synchronized void close() {
        ScheduledExecutorService t = thread;
        if (t != null) {
            t.shutdownNow();
            thread = null;
        }
    }

    private void pollLogged() {
        try {
            poll();
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: log and keep watching.
            LOG.error("reload: polling {} failed; will retry", dir, e);
        }
    }

    private void apply(Path file, byte[] bytes, String hash) {
        String name = file.toString();
        if (bytes == null) {
            log.failed(name, hash, List.of(new Problem(name, 0, "cannot read the file")));
            return;
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            T compiled = compiler.compile(name, text);
            sink.swap(file, compiled);
            log.live(name, hash);
            LOG.info("reload: {} is live (content {})", name, hash);
        } catch (DagException e) {
            log.failed(name, hash, e.problems());
            LOG.warn("reload: {} rejected, last good version stays live:\n{}", name, e.getMessage());
        } catch (CharacterCodingException e) {
            log.failed(name, hash, List.of(new Problem(name, 0, "not UTF-8 text")));
            LOG.warn("reload: {} rejected: not UTF-8", name);
        } catch (RuntimeException e) {
            log.failed(name, hash, List.of(new Problem(name, 0, "could not load: " + e)));
            LOG.error("reload: {} rejected by an unexpected error; last good version stays live", name, e);
        }
    }

    /**
     * Unloads files that are gone; when polling, only once they have been gone for the debounce
     * interval, because editors that save by "rename old away, write new" leave a short gap.
     */
    private void forgetDeleted(Map<Path, byte[]> present, long now, boolean immediately) {
        List<Path> gone = new ArrayList<>();
        for (Map.Entry<Path, Tracked> e : tracked.entrySet()) {
            if (present.containsKey(e.getKey())) {
                continue;
            }
            Tracked t = e.getValue();
            if (t.goneSinceNanos < 0) {
                t.goneSinceNanos = now;
            }
            if (immediately || now - t.goneSinceNanos >= debounceNanos) {
                gone.add(e.getKey());
            }
        }
        for (Path p : gone) {
            Tracked t = tracked.remove(p);
            if (t.appliedHash != null) {
                try {
                    sink.removed(p);
                } catch (RuntimeException e) {
                    LOG.error("reload: unloading deleted {} failed", p, e);
                }
                log.removed(p.toString());
                LOG.info("reload: {} was deleted", p);
            }
        }
    }

    /** Accepted files and their bytes, sorted by path so passes are deterministic. */
    private Map<Path, byte[]> snapshot() {
        Map<Path, byte[]> out = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir, 2)) {
            files = s.filter(Files::isRegularFile).filter(accepts).toList();
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("listing " + dir, e);
        }
        for (Path f : files) {
            try {
                out.put(f, Files.readAllBytes(f));
            } catch (NoSuchFileException e) {
                // Deleted (or renamed away mid-save) between listing and reading: the next pass sees it.
            } catch (IOException e) {
                // Present but unreadable (permissions): this file fails on its own, the others go on.
                LOG.warn("reload: cannot read {}: {}", f, e.toString());
                out.put(f, null);
            }
        }
        return out;
    }

    static String hash(byte[] bytes) {
        if (bytes == null) {
            return UNREADABLE;
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
