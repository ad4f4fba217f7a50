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

/**
 * bin/funnel, the Dockerfile and the bench scripts duplicate the root pom's JVM flags (and its
 * serving-only flags); .ci/run runs the README's test command.
 */
class ServerBuildFilesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static List<String> pomFlags() throws Exception {
        return pomProperty("funnel.jvm.flags");
    }

    private static List<String> pomServingFlags() throws Exception {
        return pomProperty("funnel.serving.jvm.flags");
    }

    private static List<String> pomProperty(String name) throws Exception {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">(.*)</" + Pattern.quote(name) + ">")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find(), "<" + name + "> not found in the root pom");
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
    void binFunnelAddsThePomsServingFlagsOnLinux() throws Exception {
        String script = Files.readString(ROOT.resolve("bin/funnel"));
        Matcher m = Pattern.compile("if \\[\\[ \"\\$\\(uname -s\\)\" == Linux \\]\\]; then\\n((?:\\s*SERVING_FLAGS\\+=\\(.*\\)\\n)+)fi")
                .matcher(script);
        assertTrue(m.find(), "the Linux-only SERVING_FLAGS block not found in bin/funnel");
        List<String> flags = m.group(1).lines().map(String::trim)
                .map(l -> l.substring("SERVING_FLAGS+=(".length(), l.length() - 1)).toList();
        assertEquals(pomServingFlags(), flags);
        assertTrue(script.contains("exec java \"${JVM_FLAGS[@]}\" ${SERVING_FLAGS[@]+\"${SERVING_FLAGS[@]}\"} ${FUNNEL_JAVA_OPTS:-}"),
                "bin/funnel must pass the serving flags before FUNNEL_JAVA_OPTS (so a user's option wins)");
    }

    @Test
    void benchScriptsStartServersWithTheServingFlags() throws Exception {
        String lib = Files.readString(ROOT.resolve("bench/scripts/lib.sh"));
        assertTrue(lib.contains("<funnel.serving.jvm.flags>"), "lib.sh must read the pom's serving flags");
        assertTrue(lib.contains("$JVM_FLAGS $SERVING_FLAGS ${SERVER_JAVA_OPTS:-}"), "start_funnel must pass them");
        assertTrue(Files.readString(ROOT.resolve("bench/scripts/ceiling.sh")).contains("$SERVING_FLAGS -cp"));
        assertTrue(Files.readString(ROOT.resolve("bench/scripts/e2e.sh")).contains("$SERVING_FLAGS -cp"));
    }

    @Test
    void dockerfileHasThePomsJvmFlags() throws Exception {
        String docker = Files.readString(ROOT.resolve("Dockerfile"));
        Matcher m = Pattern.compile("ENTRYPOINT \\[\"java\", (.*), \"-jar\"").matcher(docker);
        assertTrue(m.find(), "ENTRYPOINT not found");
        List<String> flags = Arrays.stream(m.group(1).split(",\\s*")).map(s -> s.replace("\"", "")).toList();
        List<String> expected = new java.util.ArrayList<>(pomFlags());
        expected.addAll(pomServingFlags()); // a Linux image: the serving flags always apply
        assertEquals(expected, flags);
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
