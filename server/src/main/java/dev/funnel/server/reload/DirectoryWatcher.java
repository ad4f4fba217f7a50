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
 * save by rename, and testable with an injected clock). A file whose content changed is due once
 * the new content has been stable for the debounce interval. The files due in one pass are one
 * change set (a Kubernetes ConfigMap update rewrites every file at once), applied so that the
 * order between them does not matter:
 * <ol>
 *   <li>each is compiled on its own; one that fails is that file's failure;</li>
 *   <li>the rest are swapped in together, atomically, through the {@link ReloadSink};</li>
 *   <li>if the sink refuses them together, each is tried on its own against what is live, in
 *       passes, until a pass makes no progress (a file refused because it needs another file's new
 *       content succeeds in a later pass); between passes, what is left is tried together again.</li>
 * </ol>
 * What still fails is recorded in the {@link ReloadLog} with its file:line problems while the last
 * good version stays live. A failed file is not done with: it is tried again whenever what is live
 * changes (another file went live or was deleted, or {@link ReloadSink#liveState()} changed), so it
 * stays failed only while it really is invalid against what is live; it is logged again only when
 * its content or its problems change, not on every pass.
 *
 * <p>Threading: {@link #poll()}, {@link #retryFailedNow()}, {@link #prime()} and {@link #loadAll()}
 * are serialized on this object's monitor (the watcher's own daemon thread after {@link #start},
 * an admin "reload now", or a test); tracking state is only touched under it. Never called from an
 * event loop.
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
    /** Bumped whenever this watcher changes what is live (a file went live or was unloaded). */
    private long generation;
    private volatile ScheduledExecutorService thread;

    /** Per-file bookkeeping; watcher thread only. */
    private static final class Tracked {
        /** The content live for this file, or null when none ever went live. */
        String appliedHash;
        String pendingHash;
        long pendingSinceNanos;
        /** The content that failed, while the file still has it; else null. */
        String failedHash;
        List<Problem> failedProblems = List.of();
        /** What was live when it failed: {@link #generation} and the sink's {@link ReloadSink#liveState()}. */
        long failedGeneration;
        Object failedAgainst;
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
     * Applies every accepted file whose content is not live now, without debounce, failed ones
     * included (startup, or an admin "reload all").
     *
     * @return the status of every file after the pass
     */
    public synchronized List<ReloadLog.FileStatus> loadAll() {
        Map<Path, byte[]> contents = snapshot();
        forgetDeleted(contents, 0, true);
        Map<Path, byte[]> due = new TreeMap<>();
        for (Map.Entry<Path, byte[]> e : contents.entrySet()) {
            Tracked t = tracked.computeIfAbsent(e.getKey(), k -> new Tracked());
            t.pendingHash = null;
            if (!hash(e.getValue()).equals(t.appliedHash)) {
                due.put(e.getKey(), e.getValue());
            }
        }
        apply(due);
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

    /**
     * One polling pass: notes deletions and changes, and applies the changes stable for the
     * debounce interval together with every failed file (which may be valid against what goes live).
     */
    public synchronized void poll() {
        poll(false);
    }

    /** {@link #poll()}, retrying failed files even when nothing live changed (an admin "reload now"). */
    public synchronized void retryFailedNow() {
        poll(true);
    }

    private void poll(boolean retryFailed) {
        Map<Path, byte[]> contents = snapshot();
        long now = nanoClock.getAsLong();
        long generationBefore = generation;
        forgetDeleted(contents, now, false);
        Map<Path, byte[]> due = new TreeMap<>();
        Map<Path, byte[]> failed = new TreeMap<>();
        Object liveState = sink.liveState();
        for (Map.Entry<Path, byte[]> e : contents.entrySet()) {
            Path file = e.getKey();
            Tracked t = tracked.computeIfAbsent(file, k -> new Tracked());
            t.goneSinceNanos = -1;
            String hash = hash(e.getValue());
            if (hash.equals(t.appliedHash)) {
                t.pendingHash = null; // an edit reverted before it settled
                if (t.failedHash != null) { // reverted to the live version after a failed edit
                    t.failedHash = null;
                    t.failedProblems = List.of();
                    log.live(file.toString(), hash);
                }
                continue;
            }
            if (hash.equals(t.failedHash)) {
                t.pendingHash = null;
                if (retryFailed || t.failedGeneration != generation || t.failedAgainst != liveState) {
                    due.put(file, e.getValue());
                } else {
                    failed.put(file, e.getValue());
                }
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
                t.pendingHash = null;
                due.put(file, e.getValue());
            }
        }
        if (!due.isEmpty() || generation != generationBefore) {
            // Something live is about to change (or just did): a failed file may need exactly that.
            due.putAll(failed);
        }
        apply(due);
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

    /** Applies one change set; see the class comment for the order. */
    private void apply(Map<Path, byte[]> due) {
        Map<Path, T> compiled = new TreeMap<>();
        for (Map.Entry<Path, byte[]> e : due.entrySet()) {
            Path file = e.getKey();
            String name = file.toString();
            if (e.getValue() == null) {
                failed(file, UNREADABLE, List.of(new Problem(name, 0, "cannot read the file")));
                continue;
            }
            try {
                String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(e.getValue())).toString();
                compiled.put(file, compiler.compile(name, text));
            } catch (DagException ex) {
                failed(file, hash(e.getValue()), ex.problems());
            } catch (CharacterCodingException ex) {
                failed(file, hash(e.getValue()), List.of(new Problem(name, 0, "not UTF-8 text")));
            } catch (RuntimeException ex) {
                LOG.error("reload: compiling {} failed unexpectedly", name, ex);
                failed(file, hash(e.getValue()), List.of(new Problem(name, 0, "could not load: " + ex)));
            }
        }
        Map<Path, List<Problem>> refused = new TreeMap<>();
        List<Path> left = new ArrayList<>(compiled.keySet());
        while (!left.isEmpty()) {
            if (left.size() > 1) {
                Map<Path, T> together = new TreeMap<>();
                left.forEach(f -> together.put(f, compiled.get(f)));
                if (swap(together) == null) {
                    left.forEach(f -> live(f, hash(due.get(f))));
                    left.clear();
                    break;
                }
            }
            boolean progress = false;
            for (Path f : new ArrayList<>(left)) {
                List<Problem> problems = swap(Map.of(f, compiled.get(f)));
                if (problems == null) {
                    live(f, hash(due.get(f)));
                    left.remove(f);
                    refused.remove(f);
                    progress = true;
                } else {
                    refused.put(f, problems);
                }
            }
            if (!progress) {
                break;
            }
        }
        for (Path f : left) {
            failed(f, hash(due.get(f)), refused.get(f));
        }
    }

    /** Null when the sink took them, else its problems. */
    private List<Problem> swap(Map<Path, T> files) {
        try {
            sink.swap(files);
            return null;
        } catch (DagException e) {
            return e.problems();
        } catch (RuntimeException e) {
            // Reported as each file's problem; logged here once with the stack, as it is a bug somewhere.
            LOG.error("reload: swapping in {} failed unexpectedly", files.keySet(), e);
            String name = files.size() == 1 ? files.keySet().iterator().next().toString() : dir.toString();
            return List.of(new Problem(name, 0, "could not load: " + e));
        }
    }

    private void live(Path file, String hash) {
        Tracked t = tracked.get(file);
        t.appliedHash = hash;
        t.failedHash = null;
        t.failedProblems = List.of();
        generation++;
        log.live(file.toString(), hash);
        LOG.info("reload: {} is live (content {})", file, hash);
    }

    /** Records a failure; logs it only when it differs from the failure already recorded. */
    private void failed(Path file, String hash, List<Problem> problems) {
        Tracked t = tracked.get(file);
        boolean same = hash.equals(t.failedHash) && problems.equals(t.failedProblems);
        t.failedHash = hash;
        t.failedProblems = List.copyOf(problems);
        t.failedGeneration = generation;
        t.failedAgainst = sink.liveState();
        if (!same) {
            log.failed(file.toString(), hash, problems);
            LOG.warn("reload: {} rejected, last good version stays live:\n{}", file,
                    problems.stream().map(Problem::toString).collect(java.util.stream.Collectors.joining("\n")));
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
                generation++;
                try {
                    sink.removed(p);
                } catch (RuntimeException e) {
                    LOG.error("reload: unloading deleted {} failed", p, e);
                }
            }
            if (t.appliedHash != null || t.failedHash != null) { // a deleted file is no longer failing
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
