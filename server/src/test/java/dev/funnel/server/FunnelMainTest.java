package dev.funnel.server;

import dev.funnel.server.wiring.ModelWiring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FunnelMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return FunnelMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void validateAcceptsTheTestConfigs() {
        assertEquals(0, run("validate", "src/test/resources/it-dags"), err.toString());
        assertTrue(out.toString().startsWith("OK"));
    }

    @Test
    void validatePrintsEveryProblemWithFileAndLineAndExitsOne(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), """
                dag: a
                deadline_ms: 50
                nodes:
                  x: {op: recall.nope}
                  y: {op: merge, after: [x, ghost]}
                output: y
                """);
        Files.writeString(dir.resolve("routing.yaml"), """
                scenes:
                  home:
                    routes:
                      - {name: r, dag: b, traffic: 100}
                """);
        assertEquals(1, run("validate", dir.toString()));
        String e = err.toString();
        assertTrue(e.contains("a.yaml:4:"), e);
        assertTrue(e.contains("a.yaml:5:"), e);
        assertTrue(e.contains("routing.yaml:4: scene 'home', route 'r': unknown dag 'b'"), e);
        assertTrue(e.contains("problem(s)"), e);
    }

    /** An empty DAG file (a truncated ConfigMap key, a new file not written yet) is a problem at line 1, not 0. */
    @Test
    void validateReportsAnEmptyDagFileAtLine1(@TempDir Path dir) throws Exception {
        Path empty = dir.resolve("empty.yaml");
        Files.writeString(empty, "");
        assertEquals(1, run("validate", empty.toString()));
        assertTrue(err.toString().contains(empty + ":1: empty file: expected a mapping with dag, deadline_ms, nodes, output"),
                err.toString());
    }

    @Test
    void validateOfAMissingPathIsAProblem() {
        assertEquals(1, run("validate", "no/such/dir"));
        assertTrue(err.toString().contains("no such file or directory"));
    }

    /** A small demo world on an ephemeral cleartext port, every path under {@code dir}, plus {@code lines}. */
    private static Path demoConfig(Path dir, String... lines) throws Exception {
        Path file = dir.resolve("funnel.properties");
        Files.writeString(file, String.join("\n", "http.port=0", "https.port=-1", "sim.items=2000", "sim.users=100",
                "warmup.ms=0", "dags.dir=" + Path.of("src/test/resources/it-dags").toAbsolutePath(),
                "catalog.snapshot=" + dir + "/", "streams.dir=" + dir.resolve("streams"),
                ModelWiring.TABLE_MAX_ROWS_KEY + "=" + TestServers.TABLE_MAX_ROWS, String.join("\n", lines)) + "\n");
        return file;
    }

    @Test
    void aSettingThatAWiringRejectsStopsTheStartWithItsMessageAndNoStackTrace(@TempDir Path dir) throws Exception {
        assertEquals(2, run("demo", "--config", demoConfig(dir, "streams.transport=bogus").toString()));
        String e = err.toString();
        assertTrue(e.contains("funnel: cannot start: ") && e.contains("streams.transport must be chronicle, kafka or off, got 'bogus'"), e);
        assertFalse(e.contains("\tat "), e);
    }

    @Test
    void aPortInUseIsNamedWithTheKeyThatPicksAnother(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
            int port = taken.getLocalPort();
            assertEquals(2, run("demo", "--config", demoConfig(dir, "streams.transport=off", "http.port=" + port).toString()));
            String e = err.toString();
            assertTrue(e.contains("cannot listen on 0.0.0.0:" + port + " (http.port / FUNNEL_HTTP_PORT"), e);
            assertFalse(e.contains("\tat "), e);
        }
    }

    @Test
    void theDemoBannerShowsOnlyThePortsThatAreOn() {
        String both = FunnelMain.demoBanner(8080, 8443, 15, "tok");
        assertTrue(both.contains("http://localhost:8080/v1/recommend") && both.contains("https://localhost:8443/health/ready"), both);
        String clearOnly = FunnelMain.demoBanner(8080, -1, 0, "tok");
        assertFalse(clearOnly.contains("-1") || clearOnly.contains("https"), clearOnly);
        assertTrue(clearOnly.contains("http://localhost:8080/health/ready"), clearOnly);
        String tlsOnly = FunnelMain.demoBanner(-1, 8443, 0, "tok");
        assertFalse(tlsOnly.contains("-1") || tlsOnly.contains("http://"), tlsOnly);
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run());
        assertEquals(2, run("frobnicate"));
        assertEquals(2, run("validate"));
    }
    @Test
    void everyCommandExplainsItselfWithHelpAndRunsNothing() {
        // "demo --help" must not start a server (it did, on port 8080) and must say what demo takes.
        for (String cmd : java.util.List.of("validate", "docs", "schema", "explain", "demo", "serve")) {
            out.reset();
            assertEquals(0, run(cmd, "--help"), cmd + ": " + err);
            assertTrue(out.toString().startsWith("usage: funnel " + cmd), cmd + ": " + out);
        }
        out.reset();
        assertEquals(0, run("demo", "-h"));
        assertTrue(out.toString().contains("--config FILE"), out.toString());
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("explain --user ID"), out.toString());
    }

    @Test
    void aMisspeltOptionIsAUsageErrorNotIgnored(@TempDir Path dir) {
        // Ignored, "demo --confg prod.yaml" served the defaults and "validate --strict" read as a missing file.
        assertEquals(2, run("validate", "--strict", "src/test/resources/it-dags"));
        assertTrue(err.toString().contains("unknown option '--strict'"), err.toString());
        err.reset();
        assertEquals(2, run("demo", "--confg", dir.resolve("funnel.yaml").toString()));
        assertTrue(err.toString().contains("unexpected argument '--confg'") && err.toString().contains("usage: funnel demo"), err.toString());
        err.reset();
        assertEquals(2, run("docs", "--out", dir.resolve("ops.md").toString(), "extra"));
        assertTrue(err.toString().contains("unexpected argument 'extra'"), err.toString());
        assertFalse(Files.exists(dir.resolve("ops.md")));
    }

    @Test
    void validateReportsTheParamProblemsItCanCheckWithoutAServerAndSaysWhichItCannot(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c7.yaml");
        Files.writeString(file, dev.funnel.server.http.AdminApiTest.BAD_PARAMS);
        assertEquals(1, run("validate", file.toString()));
        String text = err.toString();
        for (int line : java.util.List.of(5, 7, 8, 9, 11, 12)) {
            assertTrue(text.contains(file + ":" + line + ": node '"), line + " in:\n" + text);
        }
        assertTrue(text.contains("expression ends early") && text.contains("'nothere' is not one of the node's inputs"), text);
        assertTrue(text.contains("6 problem(s)"), text);
        assertTrue(text.contains("model names") && text.contains("checked by the server"), text);
    }

    @Test
    void validateReportsAMergeQuotaKeyThatNamesNoInputAtTheKeysLine(@TempDir Path dir) throws Exception {
        // The SRE's typo: accepted before, 'anm' capped nothing and 'ann' ran uncapped.
        Path file = dir.resolve("typo.yaml");
        Files.writeString(file, """
                dag: typo
                deadline_ms: 50
                nodes:
                  hot: {op: recall.hot}
                  ann: {op: recall.fresh}
                  merge:
                    op: merge
                    after: [hot, ann]
                    params:
                      quota:
                        hot: 100
                        anm: 200
                output: merge
                """);
        assertEquals(1, run("validate", file.toString()));
        String text = err.toString();
        assertTrue(text.contains(file + ":12: node 'merge': op 'merge' rejected its params: quota 'anm' names no input of this merge"
                + " and no node upstream of one, so it would cap nothing; inputs: [hot, ann]"), text);
        assertTrue(text.contains("1 problem(s)"), text);
        err.reset();
        Files.writeString(file, Files.readString(file).replace("anm:", "ann:"));
        assertEquals(0, run("validate", file.toString()), err.toString());
    }

}
