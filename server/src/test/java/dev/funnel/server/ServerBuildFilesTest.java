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
        assertTrue(docker.contains("HEALTHCHECK") && docker.contains("/health/live") && docker.contains("USER funnel"));
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
