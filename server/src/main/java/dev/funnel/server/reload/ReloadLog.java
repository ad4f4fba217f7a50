package dev.funnel.server.reload;

import dev.funnel.engine.dag.Problem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What hot reload did, per file and recently: the version live for each file, whether its latest
 * edit failed and with which file:line problems, and the last {@link #DEFAULT_HISTORY} events.
 * The admin API and the console read it; metrics:
 * {@code funnel_reload_total{result="ok|error"}} and {@code funnel_reload_failing_files}.
 *
 * <p>Written by the watcher thread, read by any thread: per-file state is an immutable record
 * in a {@link ConcurrentHashMap}; the event history is guarded by its own monitor (never touched
 * by an event loop's request path, only by admin handlers).
 */
public final class ReloadLog {

    /** Events kept for {@link #recent()}. */
    public static final int DEFAULT_HISTORY = 50;

    /** The state of one file. */
    public enum State {
        /** The file's latest content is live. */
        LIVE,
        /** The latest edit failed; the last good version (if any) is still live. */
        FAILED,
        /** The file was deleted. */
        REMOVED
    }

    /**
     * One file's status.
     *
     * @param file            the file
     * @param state           see {@link State}
     * @param liveHash        content hash of the version live now, or null when none ever compiled
     * @param liveSinceMillis when that version went live (epoch ms), or 0
     * @param failedHash      content hash of the failing edit when {@link State#FAILED}, else null
     * @param problems        the failing edit's problems (file:line), empty unless {@link State#FAILED}
     * @param attemptMillis   the latest attempt (epoch ms)
     */
    public record FileStatus(String file, State state, String liveHash, long liveSinceMillis,
                             String failedHash, List<Problem> problems, long attemptMillis) {
        public FileStatus {
            problems = List.copyOf(problems);
        }
    }

    /**
     * One reload attempt.
     *
     * @param atMillis epoch ms
     * @param file     the file
     * @param ok       whether it went live
     * @param hash     its content hash
     * @param problems why not, when not ok
     */
    public record Event(long atMillis, String file, boolean ok, String hash, List<Problem> problems) {
        public Event {
            problems = List.copyOf(problems);
        }
    }

    private final Map<String, FileStatus> files = new ConcurrentHashMap<>();
    private final Deque<Event> history = new ArrayDeque<>();
    private final int historySize;
    private final Clock clock;
    private final Counter okCounter;
    private final Counter errorCounter;

    /**
     * @param meters      where to register reload metrics
     * @param clock       wall clock for timestamps shown to people
     * @param historySize events kept, &gt; 0
     */
    public ReloadLog(MeterRegistry meters, Clock clock, int historySize) {
        if (historySize <= 0) {
            throw new IllegalArgumentException("historySize must be > 0, got " + historySize);
        }
        this.clock = clock;
        this.historySize = historySize;
        this.okCounter = Counter.builder("funnel.reload").tag("result", "ok")
                .description("Config files reloaded").register(meters);
        this.errorCounter = Counter.builder("funnel.reload").tag("result", "error")
                .description("Config file edits rejected (last good version kept)").register(meters);
        Gauge.builder("funnel.reload.failing.files", files,
                        m -> m.values().stream().filter(s -> s.state() == State.FAILED).count())
                .description("Files whose latest edit failed to load").register(meters);
    }

    public ReloadLog(MeterRegistry meters) {
        this(meters, Clock.systemUTC(), DEFAULT_HISTORY);
    }

    void live(String file, String hash) {
        long now = clock.millis();
        files.put(file, new FileStatus(file, State.LIVE, hash, now, null, List.of(), now));
        okCounter.increment();
        append(new Event(now, file, true, hash, List.of()));
    }

    void failed(String file, String hash, List<Problem> problems) {
        long now = clock.millis();
        FileStatus prev = files.get(file);
        String liveHash = prev == null ? null : prev.liveHash();
        long liveSince = prev == null ? 0 : prev.liveSinceMillis();
        files.put(file, new FileStatus(file, State.FAILED, liveHash, liveSince, hash, problems, now));
        errorCounter.increment();
        append(new Event(now, file, false, hash, problems));
    }

    void removed(String file) {
        long now = clock.millis();
        files.put(file, new FileStatus(file, State.REMOVED, null, 0, null, List.of(), now));
        append(new Event(now, file, true, null, List.of()));
    }

    private void append(Event e) {
        synchronized (history) {
            if (history.size() == historySize) {
                history.removeFirst();
            }
            history.addLast(e);
        }
    }

    /** Every file seen, sorted by name. */
    public List<FileStatus> files() {
        List<FileStatus> out = new ArrayList<>(files.values());
        out.sort(java.util.Comparator.comparing(FileStatus::file));
        return out;
    }

    /** One file's status, or null. */
    public FileStatus file(String file) {
        return files.get(file);
    }

    /** Files whose latest edit failed. */
    public List<FileStatus> failing() {
        return files().stream().filter(s -> s.state() == State.FAILED).toList();
    }

    /** Recent events, newest first. */
    public List<Event> recent() {
        synchronized (history) {
            List<Event> out = new ArrayList<>(history);
            java.util.Collections.reverse(out);
            return out;
        }
    }

    /** A JSON-ready view for the admin API and the console. */
    public Map<String, Object> toJson() {
        List<Object> fs = new ArrayList<>();
        for (FileStatus s : files()) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("file", s.file());
            m.put("state", s.state().name().toLowerCase());
            m.put("live_hash", s.liveHash());
            m.put("live_since_ms", s.liveSinceMillis());
            m.put("failed_hash", s.failedHash());
            m.put("problems", problems(s.problems()));
            m.put("attempt_ms", s.attemptMillis());
            fs.add(m);
        }
        List<Object> ev = new ArrayList<>();
        for (Event e : recent()) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("at_ms", e.atMillis());
            m.put("file", e.file());
            m.put("ok", e.ok());
            m.put("hash", e.hash());
            m.put("problems", problems(e.problems()));
            ev.add(m);
        }
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("files", fs);
        out.put("recent", ev);
        return out;
    }

    private static List<Object> problems(List<Problem> ps) {
        List<Object> out = new ArrayList<>(ps.size());
        for (Problem p : ps) {
            out.add(Map.of("file", p.file(), "line", p.line(), "message", p.message(), "text", p.toString()));
        }
        return out;
    }
}
