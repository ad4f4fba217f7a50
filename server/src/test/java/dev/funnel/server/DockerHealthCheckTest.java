package dev.funnel.server;

import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Dockerfile's HEALTHCHECK run as Docker runs it (its command, with the files the image copies
 * taken from the checkout, and this machine's curl) against a real server with both ports: healthy
 * on whichever port the environment leaves on. It curled the cleartext port only, so an image run
 * TLS-only ({@code -e FUNNEL_HTTP_PORT=-1}) was reported unhealthy.
 */
class DockerHealthCheckTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theHealthCheckFindsTheServerOnTheCleartextPortOrElseTheTlsPort() throws Exception {
        assumeTrue(onPath("curl"), "the health check runs curl, as the image does");
        List<String> command = healthCheckCommand();
        FunnelConfig config = TestServers.config().withEphemeralPorts("health-check-token")
                .withDagsDir(Path.of("src/test/resources/it-dags").toAbsolutePath().toString()).withSim(7, 2_000, 50);
        try (FunnelApp app = FunnelApp.start(config, true)) {
            String http = Integer.toString(app.httpPort());
            String https = Integer.toString(app.httpsPort());
            String closed = Integer.toString(freePort());
            assertEquals(0, run(command, Map.of("FUNNEL_HTTP_PORT", http, "FUNNEL_HTTPS_PORT", https)), "both ports");
            assertEquals(0, run(command, Map.of("FUNNEL_HTTP_PORT", http, "FUNNEL_HTTPS_PORT", "-1")), "cleartext only");
            assertEquals(0, run(command, Map.of("FUNNEL_HTTP_PORT", "-1", "FUNNEL_HTTPS_PORT", https)), "TLS only");
            assertEquals(0, run(command, Map.of("FUNNEL_HTTP_PORT", closed, "FUNNEL_HTTPS_PORT", https)),
                    "cleartext off in a config file the environment does not show: the TLS port answers");
            assertEquals(0, run(command, Map.of("FUNNEL_HTTP_HOST", "0.0.0.0", "FUNNEL_HTTP_PORT", "-1", "FUNNEL_HTTPS_PORT", https)),
                    "a wildcard host is checked on the loopback");
            assertNotEquals(0, run(command, Map.of("FUNNEL_HTTP_PORT", closed, "FUNNEL_HTTPS_PORT", closed)), "nothing answers");
            assertNotEquals(0, run(command, Map.of("FUNNEL_HTTP_PORT", "-1", "FUNNEL_HTTPS_PORT", "-1")), "both off");
        }
    }

    /**
     * The HEALTHCHECK's CMD as an argument list (exec form as written, shell form through
     * {@code /bin/sh -c} as Docker runs it), each path the image COPYs from the build context
     * replaced by that file of the checkout.
     */
    private static List<String> healthCheckCommand() throws Exception {
        String docker = Files.readString(ROOT.resolve("Dockerfile")).replace("\\\n", " ");
        Matcher hc = Pattern.compile("(?m)^HEALTHCHECK .*?\\bCMD\\s+(.+)$").matcher(docker);
        assertTrue(hc.find(), "no HEALTHCHECK … CMD in the Dockerfile");
        String cmd = hc.group(1).trim();
        List<String> argv = new ArrayList<>();
        if (cmd.startsWith("[")) {
            new JsonArray(cmd).forEach(a -> argv.add((String) a));
        } else {
            argv.addAll(List.of("/bin/sh", "-c", cmd));
        }
        Matcher copy = Pattern.compile("(?m)^COPY\\s+(?!--from)(?:--\\S+\\s+)*(\\S+)\\s+(/\\S+)$").matcher(docker);
        while (copy.find()) {
            String from = copy.group(1);
            String to = copy.group(2);
            Path source = ROOT.resolve(from);
            argv.replaceAll(a -> a.equals(to) ? checkedScript(source) : a.replace(to, source.toString()));
        }
        return argv;
    }

    private static String checkedScript(Path source) {
        assertTrue(Files.isRegularFile(source), "the Dockerfile copies " + source + ", which is not in the checkout");
        assertTrue(Files.isExecutable(source), source + " must be executable (exec-form CMD; the Dockerfile chmods it too)");
        return source.toString();
    }

    /** Runs the command with only these FUNNEL_* variables set, as the container's environment would have them. */
    private static int run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("FUNNEL_"));
        e.putAll(new HashMap<>(env));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the health check took over 30 s: " + out);
        System.out.println("health check " + env + " -> " + p.exitValue() + (out.isBlank() ? "" : ": " + out.strip()));
        return p.exitValue();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort(); // closed again: nothing listens there (another process could, unlikely)
        }
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
