package dev.funnel.dagconfigs;

import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.dag.Problem;
import dev.funnel.engine.route.ConfigSet;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every shipped DAG and the routing file validate against the real operators, exactly as
 * {@code funnel validate dag-configs} checks them; any problem fails the build with file:line.
 */
class ShippedConfigsTest {

    private static final Path DIR = Path.of(".").toAbsolutePath().normalize();
    private static final OperatorRegistry OPERATORS = OperatorRegistry.discover();

    @Test
    void everyShippedFileValidates() {
        List<Problem> problems = ConfigSet.check(List.of(DIR), OPERATORS);
        assertEquals("", problems.stream().map(Problem::toString).collect(Collectors.joining("\n")),
                "shipped configuration has problems");
    }

    @Test
    void eachFileValidatesOnItsOwnToo() throws Exception {
        try (Stream<Path> files = Files.list(DIR)) {
            List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertTrue(yaml.size() >= 3, "expected home_feed, slow_branch and routing, got " + yaml);
            for (Path f : yaml) {
                assertEquals(List.of(), ConfigSet.check(List.of(f), OPERATORS), f.toString());
            }
        }
    }

    @Test
    void routingServesHomeAndEveryDagIsRoutedOrADemo() throws DagException {
        ConfigSet set = ConfigSet.load(DIR, OPERATORS);
        assertTrue(set.routing().scenes().containsKey("home"), "scene 'home' must be routed");
        assertTrue(set.dags().containsKey("home_feed"));
        assertTrue(set.dags().containsKey("slow_branch"));
        long parallelRecalls = set.dags().get("home_feed").nodes().values().stream()
                .filter(n -> n.after().isEmpty()).count();
        assertTrue(parallelRecalls >= 3, "home_feed should start with at least three parallel branches, has " + parallelRecalls);
    }

    @Test
    void aBrokenCopyIsReportedWithFileAndLine(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        String text = Files.readString(DIR.resolve("home_feed.yaml")).replace("op: merge", "op: merge_typo");
        Path broken = tmp.resolve("home_feed.yaml");
        Files.writeString(broken, text);
        List<Problem> problems = ConfigSet.check(List.of(broken), OPERATORS);
        assertFalse(problems.isEmpty());
        assertTrue(problems.get(0).line() > 0 && problems.get(0).toString().contains("merge_typo"), problems.toString());
    }
}
