package dev.funnel.dagconfigs;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Kubernetes ConfigMap in ops/k8s carries exactly the shipped DAG and routing files. */
class KubernetesConfigMapTest {

    private static final Path DIR = Path.of(".").toAbsolutePath().normalize();
    private static final Path CONFIG_MAP = DIR.resolveSibling("ops").resolve("k8s").resolve("configmap-dag-configs.yaml");

    @Test
    @SuppressWarnings("unchecked")
    void configMapMatchesTheShippedFiles() throws Exception {
        Map<String, Object> cm = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(CONFIG_MAP));
        assertEquals("funnel-dag-configs", ((Map<String, Object>) cm.get("metadata")).get("name"));
        Map<String, String> expected = new TreeMap<>();
        try (Stream<Path> s = Files.list(DIR)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                // A literal block scalar keeps exactly one trailing newline.
                expected.put(f.getFileName().toString(), Files.readString(f).stripTrailing() + "\n");
            }
        }
        assertEquals(expected, new TreeMap<>((Map<String, String>) cm.get("data")),
                "ops/k8s/configmap-dag-configs.yaml is stale: run ./mvnw -pl dag-configs -am process-test-classes");
    }
}
