package dev.funnel.model.registry;

import dev.funnel.model.InferenceBackend;
import dev.funnel.model.InferenceException;
import dev.funnel.model.ModelLease;
import dev.funnel.model.ModelSession;
import dev.funnel.model.ModelSignature;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named models with versions. Loading (from a file or bytes) runs on the given executor, never on
 * the caller's thread; a version goes live only after it loaded, passed the signature check and
 * ran a warm-up batch (an all-zero row and a fixed non-zero row) whose outputs are all finite, and
 * then by one atomic swap. Readers {@link #acquire} a lease on the live
 * version (lock-free); a replaced session closes when its last lease closes, so in-flight batches
 * finish on the version they started with. {@link #rollback} reloads the previous version.
 *
 * <p><b>Pinning.</b> A rollback is an operator's decision that outranks the trainer's: it pins the
 * model to the version it made live. While pinned, a {@link #load} still loads and checks its version
 * (signature and warm-up, as always) and keeps its bytes, newest first, but does not make it live, so
 * the trainer's next dense snapshot cannot undo the rollback. {@link #unpin} makes the newest version
 * received meanwhile live (the ones between it and the pinned version become its rollback history).
 * Without this, a rollback lasted until the next dense delta, some 20 seconds. A pin can be
 * {@linkplain #restorePin restored} after a restart (the registry itself keeps nothing on disk; see
 * {@link PinFile}): when the pinned version is not loaded yet, newer versions serve until it is (a
 * replica replays its delta stream from the start), and then it goes live and pinned. {@link #pinTo}
 * and {@link #release} are the same decisions as data: a named version and an idempotent unpin, which
 * every replica of a cluster applies alike (the server's {@code model-control} topic).
 *
 * <p>Threads: {@link #acquire} on any thread (the batcher's runner); {@link #load},
 * {@link #rollback}, {@link #unpin}, {@link #pinTo}, {@link #release} and {@link #define} on any thread, swaps per model are serialized.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
    /** Versions received that a pin's skip-through is looked up in: far more than arrive while a decision travels. */
    private static final int RECEIVED_REMEMBERED = 1024;

    private final InferenceBackend backend;
    private final Executor loader;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicInteger openSessions = new AtomicInteger();
    private final Counter loaded;
    private final Counter rejected;
    private final Counter loadsWhilePinned;
    private final Counter rollbacks;

    /**
     * @param backend where models run
     * @param loader  runs loads (ONNX parsing, TensorRT builds): a bounded pool off the event loops
     * @param meters  for {@code funnel.model.loads{outcome=live|rejected|pinned}}, {@code funnel.model.rollbacks},
     *                {@code funnel.model.sessions.open}
     */
    public ModelRegistry(InferenceBackend backend, Executor loader, MeterRegistry meters) {
        this.backend = backend;
        this.loader = loader;
        this.loaded = loads("live", meters);
        this.rejected = loads("rejected", meters);
        this.loadsWhilePinned = loads("pinned", meters);
        this.rollbacks = Counter.builder("funnel.model.rollbacks")
                .description("rollbacks applied: an older version made live and pinned (an admin rollback, or a pin record from model-control)")
                .register(meters);
        Gauge.builder("funnel.model.sessions.open", openSessions, AtomicInteger::get)
                .description("model sessions open in the inference backend: live versions, their rollback history and versions"
                        + " kept while pinned")
                .register(meters);
    }

    private static Counter loads(String outcome, MeterRegistry meters) {
        return Counter.builder("funnel.model.loads")
                .description("model versions loaded, by outcome: live (went live), rejected (load, signature check or warm-up"
                        + " failed), pinned (checked and kept but not live: a rollback pinned the model)")
                .tag("outcome", outcome).register(meters);
    }

    /** The backend models run on. */
    public InferenceBackend backend() {
        return backend;
    }

    /**
     * Declares a model. Required before its first load.
     *
     * @throws IllegalArgumentException when a model of that name is already defined
     */
    public void define(ModelDefinition def) {
        if (entries.putIfAbsent(def.name(), new Entry(def)) != null) {
            throw new IllegalArgumentException("model '" + def.name() + "' is already defined");
        }
    }

    /** Whether a model of this name is defined. */
    public boolean isDefined(String name) {
        return entries.containsKey(name);
    }

    /**
     * Loads a version from bytes on the loader and makes it live, or, while the model is pinned (see
     * the class comment), keeps it for {@link #unpin} without making it live.
     *
     * @return completes with the version once live (or kept, while pinned); fails with
     *         {@link ModelRejectedException} when the model failed to load or its signature check,
     *         leaving the live version as it was
     */
    public CompletableFuture<String> load(String name, String version, byte[] onnx) {
        Entry e = entry(name);
        return CompletableFuture.supplyAsync(() -> e.install(version, onnx.clone(), Swap.LOAD), loader);
    }

    /** Loads a version from an ONNX file (read on the loader), then as {@link #load}. */
    public CompletableFuture<String> loadFile(String name, String version, Path file) {
        Entry e = entry(name);
        return CompletableFuture.supplyAsync(() -> {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException ex) {
                rejected.increment();
                throw new ModelRejectedException(name, version, "cannot read " + file + ": " + ex.getMessage());
            }
            return e.install(version, bytes, Swap.LOAD);
        }, loader);
    }

    /**
     * Makes the previous version live again (reloading it from its kept bytes) and pins the model to
     * it; the current version is dropped from the history. Rolling back while pinned goes one further
     * back and stays pinned.
     *
     * @return completes with the version now live; fails with {@link IllegalStateException} when
     *         there is no previous version
     */
    public CompletableFuture<String> rollback(String name) {
        Entry e = entry(name);
        return CompletableFuture.supplyAsync(e::rollback, loader);
    }

    /**
     * Ends a pin: the newest version loaded while pinned goes live (after the usual checks), or, when
     * none arrived, the live version stays and the next load goes live as usual.
     *
     * @return completes with the version now live; fails with {@link IllegalStateException} when the
     *         model is not pinned
     */
    public CompletableFuture<String> unpin(String name) {
        Entry e = entry(name);
        return CompletableFuture.supplyAsync(e::unpin, loader);
    }

    /**
     * Pins the model to {@code version}, wherever this replica has it: at once when it is live; when
     * it is in the rollback history, by reloading it as a rollback does (the versions after it and
     * the live one are dropped); when it is among the versions kept while pinned, after an
     * {@link #unpin} puts it in the history. A version this replica does not have is awaited as a
     * {@linkplain #restorePin restored pin} is (after an unpin, when pinned): newer versions serve
     * until it is loaded. Idempotent: what a replica does with a pin another replica made (the cluster's
     * {@code model-control} topic), including the replica that made it.
     *
     * @return completes with the version live afterwards ({@code version}, unless it is awaited)
     */
    public CompletableFuture<String> pinTo(String name, String version) {
        return pinTo(name, version, null);
    }

    /**
     * As {@link #pinTo(String, String)}; versions this replica receives later up to and including
     * {@code skipThrough} (the newest the deciding replica had received: the one rolled back from, or newer)
     * are dropped while pinned instead of kept for the next unpin, as the deciding replica dropped them.
     * Without it, a replica that lags behind the decision would keep the version rolled back from and make
     * it live on unpin, while the others stay on the pinned one. Null, or a version this replica has
     * received already: nothing to skip. A replica ahead of the decision, which received versions after
     * {@code skipThrough} before the pin, holds those for the next unpin instead of dropping them with the
     * rest of what the pin leaves behind, as the deciding replica holds them when they arrive after its pin:
     * either way every replica's unpin makes the same version live. With {@code skipThrough} null, or not
     * received here, everything after {@code version} is dropped, as {@link #pinTo(String, String)} does.
     */
    public CompletableFuture<String> pinTo(String name, String version, String skipThrough) {
        Entry e = entry(name);
        return CompletableFuture.supplyAsync(() -> e.pinTo(version, skipThrough), loader);
    }

    /**
     * The version of {@code name} this registry received last ({@link #load}ed, whether it went live, was
     * kept while pinned or replaced a pin), or null: what a rollback decided here tells other replicas to
     * skip through ({@link #pinTo(String, String, String)}). Any thread.
     */
    public String lastReceived(String name) {
        return entry(name).lastReceived();
    }

    /**
     * As {@link #unpin}, but a model that is not pinned is left as it is: an unpin applied a second
     * time (the replica that made it reading it back from the cluster's topic) changes nothing.
     *
     * @return completes with the version live afterwards
     */
    public CompletableFuture<String> release(String name) {
        Entry e = entry(name);
        return CompletableFuture.supplyAsync(e::release, loader);
    }

    /**
     * Restores a pin made before a restart: when {@code version} is live, the model is pinned to it
     * now; otherwise the pin waits for it (reported as {@link ModelInfo#awaitedPin()}): loads go live
     * as usual until {@code version} is loaded, which then goes live and pinned, so a replayed delta
     * stream ends where the operator's rollback left it. A rollback or unpin meanwhile replaces the
     * awaited pin. Call at start, before versions arrive.
     *
     * @return true when the pin holds now, false when it waits for {@code version}
     * @throws IllegalArgumentException when the model is not defined
     */
    public boolean restorePin(String name, String version) {
        return entry(name).restorePin(version);
    }

    /**
     * Every pin, by model (sorted): the live version of a pinned model, or the version an awaited
     * pin waits for. What {@link PinFile} keeps across restarts.
     */
    public Map<String, String> pins() {
        Map<String, String> out = new TreeMap<>();
        for (ModelInfo m : models()) {
            if (m.pinnedVersion() != null) {
                out.put(m.name(), m.pinnedVersion());
            }
        }
        return out;
    }

    /**
     * A lease on the live version of {@code name}, or null when none is live (or the model is not
     * defined). Lock-free; close the lease when the batch is done.
     */
    public ModelLease acquire(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            return null;
        }
        for (;;) {
            Live l = e.live;
            if (l == null) {
                return null;
            }
            if (l.tryRetain()) {
                return l;
            }
            // l was retired and closed between the read and the retain: the swap already published its successor.
        }
    }

    /** The live version of {@code name}, or null. */
    public String liveVersion(String name) {
        Entry e = entries.get(name);
        Live l = e == null ? null : e.live;
        return l == null ? null : l.version;
    }

    /** Every model's live version, by name (sorted), for {@code versions.models} in responses. */
    public Map<String, String> liveVersions() {
        Map<String, String> out = new TreeMap<>();
        entries.forEach((n, e) -> {
            Live l = e.live;
            if (l != null) {
                out.put(n, l.version);
            }
        });
        return out;
    }

    /** Name, live version, rollback history and pin of every model, for the admin API. */
    public List<ModelInfo> models() {
        List<ModelInfo> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            out.add(e.info());
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    /** The signature every version of {@code name} must have, or null before the first load. */
    public ModelSignature signature(String name) {
        return entry(name).expected;
    }

    /** Sessions open now (live plus retired ones still leased). */
    public int openSessions() {
        return openSessions.get(); // an atomic read: never blocks
    }

    /** Retires every live version; sessions close as their leases close. */
    @Override
    public void close() {
        for (Entry e : entries.values()) {
            e.retireAll();
        }
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("model '" + name + "' is not defined; defined: " + entries.keySet());
        }
        return e;
    }

    /** What an install does once its version loaded and passed its checks. */
    private enum Swap {
        /** A new version: live, the current one into the history; kept for unpin instead while pinned. */
        LOAD,
        /** The history's newest: live and pinned, the current one dropped. */
        ROLLBACK,
        /** The newest kept while pinned: live, the pinned one and the other kept ones into the history. */
        UNPIN,
        /**
         * A version of the history: live and pinned; the ones after it and the current one dropped, or held
         * for unpin when received here after the deciding replica's newest.
         */
        PIN
    }

    /** One model: its live version, expected signature and history. Swaps synchronize on it. */
    private final class Entry {
        final ModelDefinition def;
        volatile ModelSignature expected;
        volatile Live live;
        /** Previous versions, most recent first; guarded by this. */
        final Deque<Kept> history = new ArrayDeque<>();
        /** Set by a rollback, cleared by unpin; guarded by this. */
        boolean pinned;
        /** A restored pin's version while it is not loaded (see {@link #restorePin}); guarded by this. */
        String awaitedPin;
        /**
         * Versions loaded while pinned, newest first; guarded by this. Bounded like the history (at least
         * one): a dense snapshot supersedes the ones before it, and a pin may last days.
         */
        final Deque<Kept> heldWhilePinned = new ArrayDeque<>();
        /** The versions received by {@link Swap#LOAD}, newest first, bounded; guarded by this. */
        final Deque<String> received = new ArrayDeque<>();
        /**
         * A pin's skip-through version not received yet ({@link #pinTo(String, String, String)}): loads up to
         * and including it are dropped while pinned; guarded by this.
         */
        String skipThrough;

        Entry(ModelDefinition def) {
            this.def = def;
            this.expected = def.expected();
        }

        String install(String version, byte[] bytes, Swap swap) {
            return install(new Kept(version, bytes), swap, null, null);
        }

        /**
         * Opens, checks and warms up {@code kept} off the lock, then swaps under it as {@code swap} says.
         *
         * @param expectedHead for ROLLBACK and UNPIN, the entry of the history (or of the held versions)
         *                     that was chosen before opening; when another swap moved it meanwhile,
         *                     returns null without swapping, and the caller chooses again
         * @param deciderNewest for PIN, the deciding replica's newest version received, its skip-through (or
         *                     null): the versions the pin leaves that this replica received after it are held
         *                     for the unpin
         */
        private String install(Kept kept, Swap swap, Kept expectedHead, String deciderNewest) {
            String version = kept.version;
            byte[] bytes = kept.bytes;
            ModelSession session = open(version, bytes);
            synchronized (this) {
                ModelSignature want = expected;
                if (want == null) {
                    expected = session.signature();
                } else {
                    List<String> problems = session.signature().problemsAgainst(want);
                    if (!problems.isEmpty()) {
                        session.close();
                        openSessions.decrementAndGet();
                        rejected.increment();
                        throw new ModelRejectedException(def.name(), version, "signature check failed: " + String.join("; ", problems));
                    }
                }
                if (swap == Swap.LOAD) {
                    received.push(version);
                    while (received.size() > RECEIVED_REMEMBERED) {
                        received.removeLast();
                    }
                    boolean skipped = skipThrough != null && pinned;
                    if (version.equals(skipThrough)) {
                        skipThrough = null;
                    }
                    if (skipped) {
                        // Received after the pin, but the deciding replica had it before: dropped there too.
                        session.close();
                        openSessions.decrementAndGet();
                        loadsWhilePinned.increment();
                        LOG.info("model '{}' version '{}' loaded but dropped: the rollback to '{}' was decided after it",
                                def.name(), version, live == null ? "none" : live.version);
                        return version;
                    }
                }
                if (swap == Swap.LOAD && pinned) {
                    // Checked like any version, kept for unpin; the operator's rollback stays live.
                    session.close();
                    openSessions.decrementAndGet();
                    heldWhilePinned.push(kept);
                    while (heldWhilePinned.size() > Math.max(1, def.history())) {
                        heldWhilePinned.removeLast();
                    }
                    loadsWhilePinned.increment();
                    LOG.info("model '{}' version '{}' loaded but not live: pinned to '{}' by a rollback (unpin to make it live)",
                            def.name(), version, live == null ? "none" : live.version);
                    return version;
                }
                Deque<Kept> source = swap == Swap.ROLLBACK || swap == Swap.PIN ? history : heldWhilePinned;
                boolean moved = swap == Swap.PIN ? !containsSame(history, expectedHead) : source.peek() != expectedHead;
                if (swap != Swap.LOAD && (moved || (swap == Swap.UNPIN && !pinned))) {
                    session.close(); // another rollback or unpin swapped first
                    openSessions.decrementAndGet();
                    return null;
                }
                Live old = live;
                live = new Live(def.name(), version, session, bytes);
                boolean pinRestored = false;
                switch (swap) {
                    case LOAD -> {
                        if (old != null) {
                            history.push(new Kept(old.version, old.bytes));
                        }
                        if (version.equals(awaitedPin)) {
                            // The version pinned before the restart is back (replayed): it holds from here on.
                            pinned = true;
                            awaitedPin = null;
                            pinRestored = true;
                        }
                    }
                    case ROLLBACK, PIN -> {
                        // Down to the version now live; the ones after it and the one it replaced are left.
                        List<Kept> left = new ArrayList<>();
                        if (old != null) {
                            left.add(new Kept(old.version, old.bytes));
                        }
                        for (Kept popped = history.pop(); popped != kept; popped = history.pop()) {
                            left.add(popped);
                        }
                        if (swap == Swap.PIN) {
                            holdReceivedAfter(left, deciderNewest);
                        }
                        pinned = true;
                        awaitedPin = null; // the operator's newer decision
                    }
                    case UNPIN -> {
                        if (old != null) {
                            history.push(new Kept(old.version, old.bytes));
                        }
                        heldWhilePinned.pop(); // the version now live
                        for (var it = heldWhilePinned.descendingIterator(); it.hasNext(); ) {
                            history.push(it.next()); // oldest first, so the newest ends up most recent
                        }
                        heldWhilePinned.clear();
                        pinned = false;
                    }
                }
                while (history.size() > def.history()) {
                    history.removeLast();
                }
                loaded.increment();
                LOG.info("model '{}' version '{}' is live (was '{}'){}", def.name(), version, old == null ? "none" : old.version,
                        swap == Swap.ROLLBACK || swap == Swap.PIN ? ", pinned by a rollback" : swap == Swap.UNPIN ? ", unpinned"
                                : pinRestored ? ", pinned again: the pin made before the restart is restored" : "");
                if (old != null) {
                    old.release(); // drops the live reference; closes once in-flight batches release theirs
                }
            }
            return version;
        }

        String rollback() {
            for (;;) {
                Kept previous;
                synchronized (this) {
                    previous = history.peek();
                    if (previous == null) {
                        throw new IllegalStateException("model '" + def.name() + "' has no previous version to roll back to");
                    }
                }
                String v = install(previous, Swap.ROLLBACK, previous, null);
                if (v != null) {
                    rollbacks.increment();
                    return v;
                }
            }
        }

        String unpin() {
            for (;;) {
                Kept newest;
                synchronized (this) {
                    skipThrough = null; // the operator's newer decision: every version from here on counts
                    if (!pinned && awaitedPin != null) {
                        Live l = live;
                        LOG.info("model '{}': the restored pin to '{}' is dropped before it was loaded; '{}' stays live",
                                def.name(), awaitedPin, l == null ? "none" : l.version);
                        awaitedPin = null;
                        return l == null ? null : l.version;
                    }
                    if (!pinned) {
                        throw new IllegalStateException("model '" + def.name() + "' is not pinned");
                    }
                    newest = heldWhilePinned.peek();
                    if (newest == null) {
                        pinned = false;
                        Live l = live;
                        LOG.info("model '{}' unpinned; no version arrived while pinned, '{}' stays live", def.name(),
                                l == null ? "none" : l.version);
                        return l == null ? null : l.version;
                    }
                }
                String v = install(newest, Swap.UNPIN, newest, null);
                if (v != null) {
                    return v;
                }
            }
        }

        synchronized String lastReceived() {
            return received.peek();
        }

        String pinTo(String version, String skip) {
            for (;;) {
                Kept target = null;
                boolean unpinFirst;
                synchronized (this) {
                    // Set before the swap: a load racing with it is judged by the decision it follows.
                    skipThrough = skip == null || received.contains(skip) ? null : skip;
                    Live l = live;
                    if (l != null && l.version.equals(version)) {
                        if (!pinned) {
                            LOG.info("model '{}': pinned to '{}', the live version", def.name(), version);
                        }
                        pinned = true;
                        awaitedPin = null;
                        return version;
                    }
                    for (Kept k : history) {
                        if (k.version.equals(version)) {
                            target = k;
                            break;
                        }
                    }
                    // Kept while pinned, or not here at all: end the current pin first (the newest kept
                    // goes live), so the version lands in the history or the pin is awaited on a clean entry.
                    unpinFirst = target == null && pinned;
                    if (target == null && !unpinFirst) {
                        awaitPin(version);
                        return l == null ? null : l.version;
                    }
                }
                if (unpinFirst) {
                    unpin();
                    continue;
                }
                String v = install(target, Swap.PIN, target, skip);
                if (v != null) {
                    rollbacks.increment();
                    return v;
                }
            }
        }

        String release() {
            synchronized (this) {
                if (!pinned && awaitedPin == null) {
                    Live l = live;
                    return l == null ? null : l.version;
                }
            }
            return unpin();
        }

        /**
         * Guarded by this. Of the versions a pin left (the live one and the history after the pinned one),
         * holds for the unpin those received here after {@code deciderNewest}, the deciding replica's skip-through:
         * that replica receives them only after its pin and holds them, so an unpin must make the same
         * version live here. The ones up to and including it are dropped, as there. Null (nothing known of
         * the decider), or a skip-through not received here yet (this replica is behind: everything it has
         * the decider had too): all are dropped, as a rollback here drops them.
         */
        private void holdReceivedAfter(List<Kept> left, String deciderNewest) {
            int skipAt = deciderNewest == null ? -1 : receivedAt(deciderNewest);
            if (skipAt < 0) {
                return;
            }
            List<Kept> held = new ArrayList<>(heldWhilePinned);
            for (Kept k : left) {
                int at = receivedAt(k.version);
                if (at >= 0 && at < skipAt) {
                    held.add(k);
                    LOG.info("model '{}' version '{}' held for the unpin: received here after '{}', the newest the pin's"
                            + " replica had received", def.name(), k.version, deciderNewest);
                }
            }
            // Newest received first, as loads while pinned push them; ones no longer remembered go last.
            held.sort(Comparator.comparingInt(k -> {
                int at = receivedAt(k.version);
                return at < 0 ? Integer.MAX_VALUE : at;
            }));
            heldWhilePinned.clear();
            heldWhilePinned.addAll(held);
            while (heldWhilePinned.size() > Math.max(1, def.history())) {
                heldWhilePinned.removeLast();
            }
        }

        /** Guarded by this. How many versions were received after {@code version}'s last receipt, or -1 when not remembered. */
        private int receivedAt(String version) {
            int at = 0;
            for (String v : received) {
                if (v.equals(version)) {
                    return at;
                }
                at++;
            }
            return -1;
        }

        private ModelSession open(String version, byte[] bytes) {
            ModelSession s;
            try {
                s = backend.load(bytes);
            } catch (InferenceException | RuntimeException ex) {
                rejected.increment();
                throw new ModelRejectedException(def.name(), version, "load failed: " + ex.getMessage());
            }
            openSessions.incrementAndGet();
            try {
                ModelSignature want = expected;
                if (want != null && (!def.inputNames().isEmpty() || !def.outputNames().isEmpty())) {
                    s = MappedSession.map(s, want, def.inputNames(), def.outputNames());
                }
                warmUp(s);
                return s;
            } catch (InferenceException | RuntimeException ex) {
                s.close();
                openSessions.decrementAndGet();
                rejected.increment();
                throw new ModelRejectedException(def.name(), version, ex.getMessage());
            }
        }

        private void warmUp(ModelSession s) throws InferenceException {
            ModelSignature sig = s.signature();
            FloatBuffer[] in = new FloatBuffer[sig.inputs().size()];
            for (int i = 0; i < in.length; i++) {
                in[i] = FloatBuffer.wrap(warmUpInput(sig.inputs().get(i).width()));
            }
            float[][] out = new float[sig.outputs().size()][];
            for (int o = 0; o < out.length; o++) {
                out[o] = new float[WARM_UP_ROWS * sig.outputs().get(o).width()];
            }
            s.run(WARM_UP_ROWS, in, out);
            // A version that scores NaN or infinity (a diverged trainer's snapshot, say) would null every
            // score while looking healthy: it never goes live.
            for (int o = 0; o < out.length; o++) {
                int width = sig.outputs().get(o).width();
                for (int at = 0; at < out[o].length; at++) {
                    if (!Float.isFinite(out[o][at])) {
                        throw new IllegalStateException("warm-up output '" + sig.outputs().get(o).name() + "' column " + (at % width)
                                + " is " + out[o][at] + ", not finite, on the " + (at / width == 0 ? "all-zero" : "non-zero")
                                + " input row");
                    }
                }
            }
        }

        synchronized boolean restorePin(String version) {
            Live l = live;
            if (l != null && l.version.equals(version)) {
                pinned = true;
                awaitedPin = null;
                LOG.info("model '{}': pinned to '{}' again (the pin made before the restart)", def.name(), version);
                return true;
            }
            pinned = false;
            awaitPin(version);
            return false;
        }

        /** Guarded by this; not pinned. The pin holds once {@code version} is loaded (see {@link #restorePin}). */
        private void awaitPin(String version) {
            Live l = live;
            awaitedPin = version;
            LOG.warn("model '{}': the pin to '{}' cannot hold yet: '{}' is not loaded here, '{}' serves."
                    + " It goes live and pinned when it is loaded (the delta stream replays it); if the stream no"
                    + " longer holds it, newer versions keep serving: POST /admin/models/{}/unpin drops the pin",
                    def.name(), version, version, l == null ? "none" : l.version, def.name());
        }

        synchronized ModelInfo info() {
            Live l = live;
            return new ModelInfo(def.name(), l == null ? null : l.version, history.stream().map(k -> k.version).toList(),
                    l == null ? 0 : l.liveSinceMillis, pinned, heldWhilePinned.stream().map(k -> k.version).toList(), awaitedPin);
        }

        synchronized void retireAll() {
            Live l = live;
            live = null;
            if (l != null) {
                l.release();
            }
        }
    }

    /**
     * Rows of a warm-up run: all zeros, then {@link #warmUpInput}'s fixed values. Zeros alone let through
     * weights that blow up only on real features (an infinite weight times a non-zero input, huge
     * weights overflowing from layer to layer): every product with zero is zero.
     */
    static final int WARM_UP_ROWS = 2;

    /**
     * One input's warm-up values for {@link #WARM_UP_ROWS} rows of {@code width}: row 0 zeros, row 1
     * pseudo-random in [-1, 1) from a fixed seed, so every load of the same bytes is checked alike.
     */
    static float[] warmUpInput(int width) {
        float[] v = new float[WARM_UP_ROWS * width];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(0x5EED_F00DL + width);
        for (int c = 0; c < width; c++) {
            v[width + c] = (float) rnd.nextDouble(-1.0, 1.0);
        }
        return v;
    }

    /** Whether {@code d} holds this very entry (not an equal one: a version's bytes may be loaded twice). */
    private static boolean containsSame(Deque<Kept> d, Kept k) {
        for (Kept x : d) {
            if (x == k) {
                return true;
            }
        }
        return false;
    }

    /** A version kept for rollback or, while pinned, for unpin. */
    private record Kept(String version, byte[] bytes) {
    }

    /**
     * A live (or retired, still leased) version. The reference count starts at 1 for being live;
     * each lease adds one; the session closes when it reaches 0, after which it cannot be retained.
     */
    private final class Live implements ModelLease {
        final String name;
        final String version;
        final ModelSession session;
        final byte[] bytes;
        final AtomicInteger refs = new AtomicInteger(1);
        final long liveSinceMillis = System.currentTimeMillis();

        Live(String name, String version, ModelSession session, byte[] bytes) {
            this.name = name;
            this.version = version;
            this.session = session;
            this.bytes = bytes;
        }

        boolean tryRetain() {
            for (;;) {
                int r = refs.get(); // an atomic read in a CAS loop (the runner's acquire): never blocks
                if (r == 0) {
                    return false;
                }
                if (refs.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
        }

        void release() {
            int r = refs.decrementAndGet();
            if (r == 0) {
                session.close();
                openSessions.decrementAndGet();
                LOG.debug("model '{}' version '{}' session closed", name, version);
            } else if (r < 0) {
                throw new IllegalStateException("lease on model '" + name + "' version '" + version + "' released twice");
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String version() {
            return version;
        }

        @Override
        public ModelSession session() {
            return session;
        }

        @Override
        public void close() {
            release();
        }
    }

    /** Thrown into a load's future when a version never goes live. */
    public static final class ModelRejectedException extends CompletionException {
        private static final long serialVersionUID = 1L;

        ModelRejectedException(String name, String version, String why) {
            super("model '" + name + "' version '" + version + "' rejected: " + why, null);
        }
    }
}
