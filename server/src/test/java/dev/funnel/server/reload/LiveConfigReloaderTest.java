package dev.funnel.server.reload;

import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.dag.Problem;
import dev.funnel.engine.route.ConfigSet;
import dev.funnel.engine.route.RouteTable;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.server.serving.DagDeletion;
import dev.funnel.server.serving.LiveConfig;
import dev.funnel.server.serving.Readiness;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hot reload into the real {@link LiveConfig} (real loader, validator, compiler and operators) of
 * a directory shaped like the shipped one, with operators that need no services.
 */
class LiveConfigReloaderTest {

    static final long MS = 1_000_000L;

    static final String FEED = String.join("\n",
            "dag: feed",
            "deadline_ms: 60",
            "nodes:",
            "  hot:   {op: debug.delay, params: {delay_ms: 0}}",
            "  fresh: {op: debug.delay, params: {delay_ms: 0}}",
            "  merge: {op: merge, after: [hot, fresh], min_inputs: 1}",
            "output: merge",
            "");
    static final String SLOW = String.join("\n",
            "dag: slow_branch",
            "deadline_ms: 60",
            "nodes:",
            "  slow: {op: debug.delay, params: {delay_ms: 500}}",
            "output: slow",
            "");
    static final String ROUTING = String.join("\n",
            "scenes:",
            "  home:",
            "    routes:",
            "      - {name: control, dag: feed, traffic: 90}",
            "      - name: wide_hot",
            "        dag: feed",
            "        traffic: 10",
            "        overrides:",
            "          hot: {delay_ms: 1}",
            "  slow:",
            "    routes:",
            "      - {name: default, dag: slow_branch, traffic: 100}",
            "");

    @TempDir
    Path dir;
    final AtomicLong clock = new AtomicLong(1_000 * MS);
    final OperatorRegistry registry = OperatorRegistry.discover();
    LiveConfig live;
    LiveConfigReloader reloader;

    @BeforeEach
    void setUp() throws Exception {
        write("feed.yaml", FEED);
        write("slow_branch.yaml", SLOW);
        write("routing.yaml", ROUTING);
        live = LiveConfig.load(dir, new DagCompiler(registry, new OperatorEnv()), new Readiness());
        reloader = new LiveConfigReloader(dir, live, new ReloadLog(new SimpleMeterRegistry(), Clock.systemUTC(), 50),
                clock::get, 300 * MS).primed();
    }

    @Test
    void aNewDagAndTheSceneThatRoutesToItGoLiveTogether() throws Exception {
        // routing.yaml sorts before zeta.yaml and is invalid without it.
        write("zeta.yaml", FEED.replace("dag: feed", "dag: zeta"));
        write("routing.yaml", ROUTING + "  zeta:\n    routes:\n      - {name: default, dag: zeta, traffic: 100}\n");
        settle();
        assertEquals(List.of(), reloader.log().failing());
        RouteTable t = live.current();
        assertTrue(t.hasScene("zeta"), t.toString());
        assertEquals("zeta", t.pick("zeta", 0).dag().name());
        assertDirectoryValid();
    }

    @Test
    void removingANodeAndTheOverrideOfItInOneChangeGoesLive() throws Exception {
        // feed.yaml sorts first and alone is invalid: routing.yaml overrides 'hot'.
        write("feed.yaml", FEED.replace("  hot:   {op: debug.delay, params: {delay_ms: 0}}\n", "")
                .replace("after: [hot, fresh]", "after: [fresh]"));
        write("routing.yaml", ROUTING.replace("        overrides:\n          hot: {delay_ms: 1}\n", ""));
        settle();
        assertEquals(List.of(), reloader.log().failing());
        assertFalse(live.current().dags().get("feed").spec().nodes().containsKey("hot"));
        assertTrue(live.current().routes("home").get(1).overrides().isEmpty());
        assertDirectoryValid();
    }

    @Test
    void aFileThatFailedGoesLiveOnceTheFileItNeedsIsFixed() throws Exception {
        write("routing.yaml", ROUTING + "  zeta:\n    routes:\n      - {name: default, dag: zeta, traffic: 100}\n");
        write("zeta.yaml", FEED.replace("dag: feed", "dag: zeta").replace("op: merge", "op: mrege"));
        settle();
        assertEquals(2, reloader.log().failing().size(), "both refused: zeta.yaml is bad, so routing.yaml names an unknown dag");
        assertFalse(live.current().hasScene("zeta"));

        write("zeta.yaml", FEED.replace("dag: feed", "dag: zeta"));
        settle();
        assertEquals(List.of(), reloader.log().failing());
        assertTrue(live.current().hasScene("zeta"));
    }

    @Test
    void aSecondFileDeclaringALiveDagNameIsRefusedAsValidateRefusesIt() throws Exception {
        write("longwait.yaml", SLOW.replace("dag: slow_branch", "dag: longwait"));
        settle();
        assertNotNull(live.current().dags().get("longwait"));

        write("longwait.yaml", SLOW.replace("delay_ms: 500", "delay_ms: 900"));
        settle();
        RouteTable t = live.current();
        assertEquals(dir.resolve("slow_branch.yaml").toString(), t.dags().get("slow_branch").spec().file(), "the original serves");
        assertEquals(500, t.pick("slow", 0).dag().node("slow").params().getInt("delay_ms"));
        assertNotNull(t.dags().get("longwait"), "the file's last good version serves");
        ReloadLog.FileStatus s = reloader.log().file(dir.resolve("longwait.yaml").toString());
        assertEquals(ReloadLog.State.FAILED, s.state());
        assertEquals(List.of(dir.resolve("longwait.yaml") + ":1: dag 'slow_branch' is already defined in "
                + dir.resolve("slow_branch.yaml")), s.problems().stream().map(Problem::toString).toList());
        // funnel validate words it the same; it blames the later file by name, reload the newcomer.
        assertEquals(List.of(dir.resolve("slow_branch.yaml") + ":1: dag 'slow_branch' is already defined in "
                + dir.resolve("longwait.yaml")), ConfigSet.check(List.of(dir), registry).stream().map(Problem::toString).toList());

        write("longwait.yaml", SLOW.replace("dag: slow_branch", "dag: longwait"));
        settle();
        assertEquals(ReloadLog.State.LIVE, reloader.log().file(dir.resolve("longwait.yaml").toString()).state());
        assertEquals(dir.resolve("slow_branch.yaml").toString(), live.current().dags().get("slow_branch").spec().file());
    }

    @Test
    void renamingADagInItsFileDropsTheOldNameAndADeletedFileFreesItsName() throws Exception {
        write("longwait.yaml", SLOW.replace("dag: slow_branch", "dag: longwait"));
        settle();
        write("longwait.yaml", SLOW.replace("dag: slow_branch", "dag: longerwait"));
        settle();
        assertTrue(live.current().dags().containsKey("longerwait"));
        assertFalse(live.current().dags().containsKey("longwait"), "as after a restart");

        Files.delete(dir.resolve("slow_branch.yaml"));
        settle();
        write("longwait.yaml", SLOW.replace("delay_ms: 500", "delay_ms: 900"));
        settle();
        assertEquals(List.of(), reloader.log().failing());
        assertEquals(900, live.current().pick("slow", 0).dag().node("slow").params().getInt("delay_ms"));
    }

    @Test
    void anAdminPutStillReplacesTheDagOfItsName() throws Exception {
        String uploaded = SLOW.replace("delay_ms: 500", "delay_ms: 700");
        live.replaceDag("slow_branch.yaml", uploaded, "slow_branch");
        assertEquals(700, live.current().pick("slow", 0).dag().node("slow").params().getInt("delay_ms"));
        assertEquals("upload", live.snapshot().dagOrigin("slow_branch"), "a restart would not keep it");
        assertEquals(uploaded, live.current().dags().get("slow_branch").spec().source());
        assertEquals("directory", live.snapshot().dagOrigin("feed"));
        // ... and the directory's file stays the owner: editing it replaces the PUT, no conflict.
        String edited = SLOW.replace("delay_ms: 500", "delay_ms: 800");
        write("slow_branch.yaml", edited);
        settle();
        assertEquals(List.of(), reloader.log().failing());
        assertEquals(800, live.current().pick("slow", 0).dag().node("slow").params().getInt("delay_ms"));
        assertEquals("directory", live.snapshot().dagOrigin("slow_branch"));
        assertEquals(edited, live.current().dags().get("slow_branch").spec().source());
    }

    @Test
    void anUploadedRoutingIsTheDirectorysAgainOnceItsFileReloads() throws Exception {
        String uploaded = ROUTING.replace("traffic: 90}", "traffic: 80}").replace("traffic: 10\n", "traffic: 20\n");
        live.replaceRouting("routing.yaml", uploaded);
        assertEquals("upload", live.snapshot().routingOrigin());
        assertEquals(uploaded, live.current().config().routing().source());
        String edited = ROUTING + "# edited on disk\n";
        write("routing.yaml", edited);
        settle();
        assertEquals(List.of(), reloader.log().failing());
        assertEquals("directory", live.snapshot().routingOrigin());
        assertEquals(edited, live.current().config().routing().source());
    }

    /**
     * DELETE of an upload puts back the version its file last made live: the file's edit that
     * reloaded before the upload, not the start's, and reload then has nothing to do.
     */
    @Test
    void deletingAnUploadPutsBackTheVersionItsFileLastMadeLive() throws Exception {
        String edited = SLOW.replace("delay_ms: 500", "delay_ms: 800");
        write("slow_branch.yaml", edited);
        settle();
        String fileVersion = live.current().dags().get("slow_branch").version();
        live.replaceDag("slow_branch.yaml", SLOW.replace("delay_ms: 500", "delay_ms: 700"), "slow_branch");
        assertEquals("upload", live.snapshot().dagOrigin("slow_branch"));

        DagDeletion d = live.deleteDag("slow_branch");
        DagDeletion.Restored restored = assertInstanceOf(DagDeletion.Restored.class, d);
        assertEquals(fileVersion, restored.dag().version());
        assertEquals(800, live.current().pick("slow", 0).dag().node("slow").params().getInt("delay_ms"), "routes serve it at once");
        assertEquals("directory", live.snapshot().dagOrigin("slow_branch"));
        assertEquals(edited, live.current().dags().get("slow_branch").spec().source());
        assertEquals(dir.resolve("slow_branch.yaml").toString(), live.current().dags().get("slow_branch").spec().file());
        RouteTable before = live.current();
        settle();
        assertSame(before, live.current(), "nothing for reload to do: the file's content is what serves");
        assertEquals(List.of(), reloader.log().failing());

        assertEquals(new DagDeletion.FromDirectory(dir.resolve("slow_branch.yaml").toString()), live.deleteDag("slow_branch"),
                "the directory's own DAG is not undone: nothing was uploaded");
    }

    /** A bad edit of the file does not go live through DELETE either: the last good version does, and the edit stays failed. */
    @Test
    void deletingAnUploadWhoseFileHasAFailedEditPutsBackItsLastGoodVersion() throws Exception {
        live.replaceDag("slow_branch.yaml", SLOW.replace("delay_ms: 500", "delay_ms: 700"), "slow_branch");
        write("slow_branch.yaml", SLOW.replace("delay_ms: 500", "delay_ms: -1"));
        settle();
        assertEquals(1, reloader.log().failing().size());
        assertEquals(700, live.current().pick("slow", 0).dag().node("slow").params().getInt("delay_ms"));

        assertInstanceOf(DagDeletion.Restored.class, live.deleteDag("slow_branch"));
        assertEquals(500, live.current().pick("slow", 0).dag().node("slow").params().getInt("delay_ms"));
        settle();
        assertEquals(1, reloader.log().failing().size(), "retried against the new table, still refused");
        assertEquals(500, live.current().pick("slow", 0).dag().node("slow").params().getInt("delay_ms"));

        write("slow_branch.yaml", SLOW.replace("delay_ms: 500", "delay_ms: 900"));
        settle();
        assertEquals(List.of(), reloader.log().failing());
        assertEquals(900, live.current().pick("slow", 0).dag().node("slow").params().getInt("delay_ms"), "reload applies edits as before");
    }

    /**
     * Without a file, DELETE removes the DAG only once no route names it; a deleted file's DAG (it
     * kept serving) is removed the same way, and a file that comes back declares it again.
     */
    @Test
    void aDagWithoutAFileIsRemovedOnlyOnceNoRouteNamesIt() throws Exception {
        Files.delete(dir.resolve("slow_branch.yaml"));
        settle();
        assertNotNull(live.current().dags().get("slow_branch"), "a deleted file's DAG keeps serving");
        RouteTable before = live.current();
        assertEquals(new DagDeletion.InUse(List.of(new DagDeletion.RouteRef("slow", "default", 100.0))), live.deleteDag("slow_branch"));
        assertSame(before, live.current(), "nothing changed");

        write("routing.yaml", ROUTING.substring(0, ROUTING.indexOf("  slow:")));
        settle();
        assertEquals(List.of(), reloader.log().failing());
        assertEquals(new DagDeletion.Removed("slow_branch"), live.deleteDag("slow_branch"));
        assertFalse(live.current().dags().containsKey("slow_branch"));
        assertInstanceOf(DagDeletion.Unknown.class, live.deleteDag("slow_branch"));

        live.replaceDag("extra.yaml", SLOW.replace("dag: slow_branch", "dag: extra"), "extra");
        assertEquals(new DagDeletion.Removed("extra"), live.deleteDag("extra"), "an upload that never had a file");
        assertFalse(live.current().dags().containsKey("extra"));
        assertEquals(Set.of(), live.snapshot().uploadedDags());

        write("slow_branch.yaml", SLOW);
        settle();
        assertEquals("directory", live.snapshot().dagOrigin("slow_branch"));
        assertNotNull(live.current().dags().get("slow_branch"), "a file that comes back declares it again");
        assertDirectoryValid();
    }

    /** An upload that a reload of its file replaced is the directory's again: DELETE refuses it as it refuses any directory DAG. */
    @Test
    void anUploadItsFileReplacedIsNotUndoneAgain() throws Exception {
        live.replaceDag("slow_branch.yaml", SLOW.replace("delay_ms: 500", "delay_ms: 700"), "slow_branch");
        write("slow_branch.yaml", SLOW.replace("delay_ms: 500", "delay_ms: 800"));
        settle();
        assertInstanceOf(DagDeletion.FromDirectory.class, live.deleteDag("slow_branch"));
        assertEquals(800, live.current().pick("slow", 0).dag().node("slow").params().getInt("delay_ms"));
    }

    /** The file's version must compile with the live routing, which an upload may have changed: else nothing changes. */
    @Test
    void aFileVersionThatNoLongerFitsTheRoutingIsRefusedAndTheUploadKeepsServing() throws Exception {
        String withNode = SLOW.replace("output: slow", "  extra: {op: debug.delay, after: [slow], params: {delay_ms: 0}}\noutput: extra");
        live.replaceDag("slow_branch.yaml", withNode, "slow_branch");
        live.replaceRouting("routing.yaml", ROUTING.replace("      - {name: default, dag: slow_branch, traffic: 100}",
                "      - {name: default, dag: slow_branch, traffic: 100, overrides: {extra: {delay_ms: 1}}}"));
        RouteTable before = live.current();
        DagException e = assertThrows(DagException.class, () -> live.deleteDag("slow_branch"));
        assertTrue(e.getMessage().contains("extra"), e.getMessage());
        assertSame(before, live.current());
        assertEquals("upload", live.snapshot().dagOrigin("slow_branch"));
    }

    private void assertDirectoryValid() {
        assertEquals(List.of(), ConfigSet.check(List.of(dir), registry), "what validate says of the directory");
    }

    private void write(String name, String text) throws Exception {
        Files.writeString(dir.resolve(name), text);
    }

    private void settle() {
        reloader.poll();
        clock.addAndGet(400 * MS);
        reloader.poll();
    }
}
