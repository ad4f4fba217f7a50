package dev.funnel.server;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bin/funnel and the Dockerfile duplicate the root pom's JVM flags; .ci/run runs the README's test command. */
class ServerBuildFilesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static List<String> pomFlags() throws Exception {
        Matcher m = Pattern.compile("<funnel.jvm.flags>(.*)</funnel.jvm.flags>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find());
        return Arrays.asList(m.group(1).trim().split("\\s+"));
    }

    @Test
    void binFunnelHasThePomsJvmFlags() throws Exception {
        String script = Files.readString(ROOT.resolve("bin/funnel"));
        Matcher m = Pattern.compile("JVM_FLAGS=\\(\\n(.*?)\\n\\)", Pattern.DOTALL).matcher(script);
        assertTrue(m.find(), "JVM_FLAGS=( … ) not found in bin/funnel");
        assertEquals(pomFlags(), Arrays.asList(m.group(1).trim().split("\\s+")));
    }

    @Test
    void dockerfileHasThePomsJvmFlags() throws Exception {
        String docker = Files.readString(ROOT.resolve("Dockerfile"));
        Matcher m = Pattern.compile("ENTRYPOINT \\[\"java\", (.*), \"-jar\"").matcher(docker);
        assertTrue(m.find(), "ENTRYPOINT not found");
        List<String> flags = Arrays.stream(m.group(1).split(",\\s*")).map(s -> s.replace("\"", "")).toList();
        assertEquals(pomFlags(), flags);
        assertTrue(docker.contains("HEALTHCHECK") && docker.contains("USER funnel"));
        // The HEALTHCHECK runs this script (DockerHealthCheckTest runs it against a server).
        assertTrue(Files.readString(ROOT.resolve("ops/docker/healthcheck.sh")).contains("/health/live"));
    }

    /**
     * bin/funnel with a stand-in {@code java} that prints its directory and arguments: paths the user
     * typed are read where they typed them. It ran every command in the checkout, so "bin/funnel
     * validate home.yaml" elsewhere said "no such file" and "demo --config f.yaml" read the checkout's.
     */
    @Test
    void binFunnelReadsTheUsersPathsFromTheirDirectory(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("checkout"));
        Files.createDirectories(root.resolve("bin"));
        Files.copy(ROOT.resolve("bin/funnel"), root.resolve("bin/funnel"));
        Files.createDirectories(root.resolve("server/target"));
        Files.writeString(root.resolve("server/target/funnel.jar"), ""); // nothing newer: no build
        Path fakeBin = Files.createDirectories(tmp.resolve("fake-bin"));
        Path java = fakeBin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"cwd=$(pwd -P)\"\nfor a in \"$@\"; do echo \"arg=$a\"; done\n");
        assertTrue(java.toFile().setExecutable(true));
        Path work = Files.createDirectories(tmp.resolve("work")).toRealPath();

        List<String> validate = runFunnel(root, fakeBin, work, "validate", "home.yaml", "/abs/routing.yaml");
        assertTrue(validate.contains("cwd=" + work), validate.toString());
        assertEquals(List.of("arg=validate", "arg=home.yaml", "arg=/abs/routing.yaml"), tail(validate, 3));

        List<String> demo = runFunnel(root, fakeBin, work, "demo", "--config", "funnel.yaml");
        assertTrue(demo.contains("cwd=" + root.toRealPath()), "demo runs in the checkout (dag-configs/, data/): " + demo);
        assertEquals(List.of("arg=demo", "arg=--config", "arg=" + work + "/funnel.yaml"), tail(demo, 3));

        List<String> docs = runFunnel(root, fakeBin, work, "docs", "--out=ops.md");
        assertEquals(List.of("arg=docs", "arg=--out=" + work + "/ops.md"), tail(docs, 2));
    }

    private static List<String> runFunnel(Path root, Path fakeBin, Path cwd, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", root.resolve("bin/funnel").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", fakeBin + ":" + System.getenv("PATH"));
        pb.environment().remove("PWD");
        pb.environment().remove("FUNNEL_REBUILD");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines().toList();
    }

    private static List<String> tail(List<String> lines, int n) {
        return lines.subList(lines.size() - n, lines.size());
    }

    @Test
    void ciRunsTheReadmesTestCommand() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String ci = Files.readString(ROOT.resolve(".ci/run"));
        Matcher m = Pattern.compile("(?m)^\\s*(\\./mvnw [^\\n]*verify[^\\n]*)$").matcher(readme);
        assertTrue(m.find(), "README has no ./mvnw … verify line");
        String command = m.group(1).trim();
        assertTrue(ci.lines().map(String::trim).anyMatch(command::equals), ".ci/run must run exactly: " + command);
        assertTrue(ci.contains("set -euo pipefail"));
    }
}
