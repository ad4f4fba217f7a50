package dev.funnel.server.docs;

import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.spi.OperatorFactory;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/operators.md is what {@code funnel docs} generates from the operators on the class path. */
class OperatorDocsTest {

    private static final Path DOC = Path.of("..").resolve(OperatorDocs.PATH).toAbsolutePath().normalize();

    @Test
    void committedReferenceIsNotStale() throws Exception {
        String expected = OperatorDocs.markdown(OperatorRegistry.discover());
        assertTrue(Files.exists(DOC), DOC + " is missing: run `bin/funnel docs`");
        assertEquals(expected, Files.readString(DOC, StandardCharsets.UTF_8),
                DOC + " is stale: run `bin/funnel docs` (or `java -cp server/target/funnel.jar dev.funnel.server.FunnelMain docs`) and commit it");
    }

    @Test
    void everyOperatorAndParamIsDocumented() {
        OperatorRegistry registry = OperatorRegistry.discover();
        String md = OperatorDocs.markdown(registry);
        for (OperatorFactory f : registry.all()) {
            assertTrue(md.contains("\n## " + f.name() + "\n"), f.name());
            f.params().all().forEach(p -> assertTrue(md.contains("| `" + p.name() + "` |"), f.name() + "." + p.name()));
        }
    }
}
