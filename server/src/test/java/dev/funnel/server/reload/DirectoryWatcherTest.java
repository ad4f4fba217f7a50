package dev.funnel.server.reload;

import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.Problem;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DirectoryWatcherTest {

    static final long MS = 1_000_000L;

    @TempDir
    Path dir;
    final AtomicLong clock = new AtomicLong(1_000 * MS);
    final Map<Path, String> live = new ConcurrentHashMap<>();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ReloadLog log;
    DirectoryWatcher<String> watcher;

    /** Compiles "value: X" files to X; a line containing BROKEN is a problem at that line. */
    static String compile(String file, String text) throws DagException {
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains("BROKEN")) {
                throw new DagException(List.of(new Problem(file, i + 1, "broken line: " + lines[i].trim())));
            }
        }
        return text.trim();
    }

    /** What the sink's holder makes of what is live; changing it stands for an admin API swap. */
    volatile Object liveState;

    @BeforeEach
    void setUp() {
        log = new ReloadLog(meters, Clock.systemUTC(), 10);
        watcher = new DirectoryWatcher<>(dir, DirectoryWatcher.yamlFiles(), DirectoryWatcherTest::compile,
                new ReloadSink<>() {
                    /**
                     * All or nothing, like the server's holder. "REFUSE" is refused; "needs x.yaml" is
                     * refused unless x.yaml would be live too (it is, or it comes in the same swap).
                     */
                    @Override
                    public void swap(Map<Path, String> compiled) throws DagException {
                        Map<Path, String> next = new java.util.HashMap<>(live);
                        next.putAll(compiled);
                        for (Map.Entry<Path, String> e : compiled.entrySet()) {
                            if (e.getValue().contains("REFUSE")) {
                                throw new IllegalStateException("holder refuses " + e.getValue());
                            }
                            if (e.getValue().startsWith("needs ")) {
                                String needed = e.getValue().substring(6);
                                if (!next.containsKey(dir.resolve(needed)) && !needed.equals(externallyLive)) {
                                    throw new DagException(List.of(new Problem(e.getKey().toString(), 1, "unknown " + needed)));
                                }
                            }
                        }
                        live.putAll(compiled);
                    }

                    @Override
                    public void removed(Path file) {
                        live.remove(file);
                    }

                    @Override
                    public Object liveState() {
                        return liveState;
                    }
                }, log, clock::get, 300 * MS);
    }

    /** A name an "admin API" made live behind the watcher's back. */
    volatile String externallyLive;

    void write(String name, String text) throws Exception {
        Files.writeString(dir.resolve(name), text);
    }

    void advance(long millis) {
        clock.addAndGet(millis * MS);
    }

    @Test
    void appliesAChangeOnlyOnceItHasBeenStableForTheDebounce() throws Exception {
        write("a.yaml", "v1");
        watcher.loadAll();
        assertEquals("v1", live.get(dir.resolve("a.yaml")));

        write("a.yaml", "v2");
        watcher.poll();
        assertEquals("v1", live.get(dir.resolve("a.yaml")), "not before the debounce");
        advance(200);
        write("a.yaml", "v3"); // still being edited: the debounce restarts
        watcher.poll();
        advance(200);
        watcher.poll();
        assertEquals("v1", live.get(dir.resolve("a.yaml")));
        advance(150);
        watcher.poll();
        assertEquals("v3", live.get(dir.resolve("a.yaml")));
        assertEquals(ReloadLog.State.LIVE, log.file(dir.resolve("a.yaml").toString()).state());
    }

    @Test
    void aBrokenEditKeepsTheLastGoodVersionAndReportsFileAndLine() throws Exception {
        write("a.yaml", "v1");
        watcher.loadAll();
        write("a.yaml", "v2\nBROKEN here\n");
        settle();
        assertEquals("v1", live.get(dir.resolve("a.yaml")));
        ReloadLog.FileStatus s = log.file(dir.resolve("a.yaml").toString());
        assertEquals(ReloadLog.State.FAILED, s.state());
        assertEquals(dir.resolve("a.yaml") + ":2: broken line: BROKEN here", s.problems().get(0).toString());
        assertTrue(s.liveHash() != null && !s.liveHash().equals(s.failedHash()));
        assertEquals(1.0, meters.get("funnel.reload.failing.files").gauge().value());
        assertEquals(1.0, meters.get("funnel.reload").tag("result", "error").counter().count());

        write("a.yaml", "v3");
        settle();
        assertEquals("v3", live.get(dir.resolve("a.yaml")));
        assertEquals(ReloadLog.State.LIVE, log.file(dir.resolve("a.yaml").toString()).state());
        assertEquals(0.0, meters.get("funnel.reload.failing.files").gauge().value());
        List<ReloadLog.Event> recent = log.recent();
        assertTrue(recent.get(0).ok());
        assertFalse(recent.get(1).ok(), "history keeps the failure after the fix");
    }

    @Test
    void oneBadFileNeverBlocksTheOthers() throws Exception {
        write("a.yaml", "a1");
        write("b.yaml", "b1");
        watcher.loadAll();
        write("a.yaml", "BROKEN");
        write("b.yaml", "b2");
        write("c.yml", "c1");
        settle();
        assertEquals("a1", live.get(dir.resolve("a.yaml")));
        assertEquals("b2", live.get(dir.resolve("b.yaml")));
        assertEquals("c1", live.get(dir.resolve("c.yml")));
        assertEquals(1, log.failing().size());
    }

    @Test
    void aBrokenFileAtStartupIsReportedAndNothingIsLiveForIt() throws Exception {
        write("a.yaml", "BROKEN");
        write("b.yaml", "b1");
        List<ReloadLog.FileStatus> all = watcher.loadAll();
        assertEquals(2, all.size());
        assertNull(live.get(dir.resolve("a.yaml")));
        assertNull(log.file(dir.resolve("a.yaml").toString()).liveHash());
        assertEquals("b1", live.get(dir.resolve("b.yaml")));
    }

    @Test
    void aSinkThatRefusesIsAFailureOfThatFile() throws Exception {
        write("a.yaml", "a1");
        watcher.loadAll();
        write("a.yaml", "REFUSE");
        settle();
        assertEquals("a1", live.get(dir.resolve("a.yaml")));
        assertTrue(log.file(dir.resolve("a.yaml").toString()).problems().get(0).message().contains("holder refuses"));
    }

    @Test
    void anEditRevertedBeforeItSettlesIsNotApplied() throws Exception {
        write("a.yaml", "a1");
        watcher.loadAll();
        write("a.yaml", "BROKEN");
        watcher.poll();
        write("a.yaml", "a1");
        settle();
        assertEquals(ReloadLog.State.LIVE, log.file(dir.resolve("a.yaml").toString()).state());
        assertEquals(1, log.recent().size(), "only the initial load");
    }

    @Test
    void deletionUnloadsOnlyAfterTheFileStaysGone() throws Exception {
        write("a.yaml", "a1");
        watcher.loadAll();
        Files.delete(dir.resolve("a.yaml"));
        watcher.poll();
        advance(100);
        write("a.yaml", "a1"); // an editor's "move away, write new" gap
        watcher.poll();
        assertEquals("a1", live.get(dir.resolve("a.yaml")));

        Files.delete(dir.resolve("a.yaml"));
        settle();
        assertNull(live.get(dir.resolve("a.yaml")));
        assertEquals(ReloadLog.State.REMOVED, log.file(dir.resolve("a.yaml").toString()).state());
    }

    @Test
    void ignoresNonYamlHiddenAndSchemaFiles() throws Exception {
        write("notes.txt", "x");
        write(".a.yaml.swp", "x");
        Files.createDirectories(dir.resolve("schema"));
        write("schema/dag.schema.yaml", "x");
        Files.createDirectories(dir.resolve("experiments"));
        write("experiments/exp.yaml", "e1");
        watcher.loadAll();
        assertEquals(Map.of(dir.resolve("experiments/exp.yaml"), "e1"), live);
    }

    @Test
    void theWatcherThreadAppliesAnEditWithinTwoSeconds() throws Exception {
        // Real time, real thread: the done-criterion of hot reload.
        write("a.yaml", "a1");
        DirectoryWatcher<String> real = new DirectoryWatcher<>(dir, DirectoryWatcher.yamlFiles(),
                DirectoryWatcherTest::compile, live::putAll, log, System::nanoTime,
                DirectoryWatcher.DEFAULT_DEBOUNCE_MILLIS * MS);
        real.loadAll();
        real.start(DirectoryWatcher.DEFAULT_POLL_MILLIS);
        try {
            long t0 = System.nanoTime();
            write("a.yaml", "a2");
            while (!"a2".equals(live.get(dir.resolve("a.yaml"))) && System.nanoTime() - t0 < 5_000 * MS) {
                Thread.sleep(10);
            }
            long tookMs = (System.nanoTime() - t0) / MS;
            assertEquals("a2", live.get(dir.resolve("a.yaml")));
            assertTrue(tookMs < 2_000, "took " + tookMs + " ms");
        } finally {
            real.close();
        }
    }

    @Test
    void filesThatChangeTogetherGoLiveWhateverTheirOrder() throws Exception {
        write("a.yaml", "a1");
        watcher.loadAll();
        // a.yaml sorts first and needs z.yaml, which is new in the same change.
        write("a.yaml", "needs z.yaml");
        write("z.yaml", "z1");
        settle();
        assertEquals("needs z.yaml", live.get(dir.resolve("a.yaml")));
        assertEquals("z1", live.get(dir.resolve("z.yaml")));
        assertEquals(List.of(), log.failing());
        assertEquals(0.0, meters.get("funnel.reload").tag("result", "error").counter().count(), "never shown as failed");
    }

    @Test
    void aBadFileInTheSameChangeDoesNotStopTheOthersFromGoingLiveInAnyOrder() throws Exception {
        write("a.yaml", "a1");
        write("b.yaml", "b1");
        watcher.loadAll();
        write("a.yaml", "needs z.yaml"); // valid only once z.yaml is live
        write("b.yaml", "REFUSE");       // refused whatever else is live
        write("z.yaml", "z1");
        settle();
        assertEquals("needs z.yaml", live.get(dir.resolve("a.yaml")));
        assertEquals("z1", live.get(dir.resolve("z.yaml")));
        assertEquals("b1", live.get(dir.resolve("b.yaml")), "the bad edit never goes live");
        assertEquals(List.of(dir.resolve("b.yaml").toString()), log.failing().stream().map(ReloadLog.FileStatus::file).toList());
    }

    @Test
    void aFailedFileIsRetriedWhenWhatItNeedsGoesLiveLater() throws Exception {
        write("a.yaml", "a1");
        watcher.loadAll();
        write("a.yaml", "needs z.yaml");
        settle();
        assertEquals("a1", live.get(dir.resolve("a.yaml")));
        assertEquals(ReloadLog.State.FAILED, log.file(dir.resolve("a.yaml").toString()).state());

        write("z.yaml", "z1");
        settle();
        assertEquals("needs z.yaml", live.get(dir.resolve("a.yaml")), "valid against what is live now");
        assertEquals(ReloadLog.State.LIVE, log.file(dir.resolve("a.yaml").toString()).state());
        assertEquals(0.0, meters.get("funnel.reload.failing.files").gauge().value());
    }

    @Test
    void aFailedFileIsRetriedWhenSomethingElseChangesWhatIsLive() throws Exception {
        write("a.yaml", "a1");
        watcher.loadAll();
        write("a.yaml", "needs ext");
        settle();
        assertEquals(ReloadLog.State.FAILED, log.file(dir.resolve("a.yaml").toString()).state());
        externallyLive = "ext"; // e.g. an admin PUT made what a.yaml needs live
        watcher.poll();
        assertEquals(ReloadLog.State.FAILED, log.file(dir.resolve("a.yaml").toString()).state(),
                "not retried while what is live looks the same");
        liveState = new Object();
        watcher.poll();
        assertEquals("needs ext", live.get(dir.resolve("a.yaml")));
    }

    @Test
    void aPersistentlyBadFileIsLoggedOnceNotOnEveryPass() throws Exception {
        write("a.yaml", "a1");
        write("b.yaml", "b1");
        watcher.loadAll();
        write("a.yaml", "needs nothing-there");
        settle();
        for (int i = 2; i < 6; i++) { // other files keep changing: a.yaml is retried each time
            write("b.yaml", "b" + i);
            settle();
            assertEquals("b" + i, live.get(dir.resolve("b.yaml")));
        }
        watcher.retryFailedNow();
        assertEquals(1.0, meters.get("funnel.reload").tag("result", "error").counter().count());
        assertEquals(1, log.recent().stream().filter(e -> !e.ok()).count());
        assertEquals(ReloadLog.State.FAILED, log.file(dir.resolve("a.yaml").toString()).state());
        assertEquals("a1", live.get(dir.resolve("a.yaml")));
    }

    @Test
    void revertingAFailedEditShowsTheFileLiveAgain() throws Exception {
        write("a.yaml", "a1");
        watcher.loadAll();
        write("a.yaml", "BROKEN");
        settle();
        assertEquals(ReloadLog.State.FAILED, log.file(dir.resolve("a.yaml").toString()).state());
        write("a.yaml", "a1");
        settle();
        assertEquals(ReloadLog.State.LIVE, log.file(dir.resolve("a.yaml").toString()).state());
        assertEquals(0.0, meters.get("funnel.reload.failing.files").gauge().value());
    }

    @Test
    void aDeletedFailingFileIsNoLongerFailing() throws Exception {
        write("a.yaml", "BROKEN");
        watcher.loadAll();
        assertEquals(1, log.failing().size());
        Files.delete(dir.resolve("a.yaml"));
        settle();
        assertEquals(List.of(), log.failing());
    }

    private void settle() {
        watcher.poll();
        advance(400);
        watcher.poll();
    }
}
