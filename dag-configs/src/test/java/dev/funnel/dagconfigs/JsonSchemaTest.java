package dev.funnel.dagconfigs;

import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.route.ConfigSet;
import dev.funnel.engine.schema.DagSchemas;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JSON Schema an editor uses ({@code schema/*.json}, written by the build step) matches the
 * operators, accepts every shipped file, and rejects a misspelt parameter in any of them —
 * checked here with a standalone draft 2020-12 validator, independent of any editor.
 */
class JsonSchemaTest {

    private static final Path DIR = Path.of(".").toAbsolutePath().normalize();
    private static final OperatorRegistry OPERATORS = OperatorRegistry.discover();

    @Test
    void committedSchemaMatchesTheOperators() throws Exception {
        assertEquals(DagSchemas.toJson(DagSchemas.dag(OPERATORS)),
                Files.readString(DIR.resolve("schema").resolve(DagSchemas.DAG_SCHEMA_FILE)),
                "dag-configs/schema is stale: run ./mvnw -pl dag-configs -am process-test-classes and commit it");
        assertEquals(DagSchemas.toJson(DagSchemas.routing(OPERATORS)),
                Files.readString(DIR.resolve("schema").resolve(DagSchemas.ROUTING_SCHEMA_FILE)));
    }

    @Test
    void everyShippedFileValidatesAgainstTheCommittedSchema() throws Exception {
        Validator dag = validator(DagSchemas.DAG_SCHEMA_FILE);
        Validator routing = validator(DagSchemas.ROUTING_SCHEMA_FILE);
        List<Path> files = shipped();
        assertTrue(files.size() >= 3, "expected the shipped DAGs and routing, got " + files);
        for (Path f : files) {
            Validator v = isRouting(f) ? routing : dag;
            OutputUnit out = v.validate(yaml(Files.readString(f)));
            assertTrue(out.getValid(), () -> f + ": " + out.getErrors());
        }
    }

    @Test
    void aMisspeltParamInAnyShippedNodeIsRejected() throws Exception {
        Validator dag = validator(DagSchemas.DAG_SCHEMA_FILE);
        int checked = 0;
        for (Path f : shipped()) {
            if (isRouting(f)) {
                continue;
            }
            JsonObject doc = yaml(Files.readString(f));
            JsonObject nodes = doc.getJsonObject("nodes");
            for (String id : nodes.fieldNames()) {
                JsonObject params = nodes.getJsonObject(id).getJsonObject("params");
                if (params == null || params.isEmpty()) {
                    continue;
                }
                JsonObject bad = doc.copy();
                JsonObject badParams = bad.getJsonObject("nodes").getJsonObject(id).getJsonObject("params");
                String param = badParams.fieldNames().iterator().next();
                String typo = param.substring(0, param.length() - 1); // "limit" -> "limi"
                badParams.put(typo, badParams.remove(param));
                OutputUnit out = dag.validate(bad);
                assertFalse(out.getValid(), f + ": node '" + id + "' with param '" + typo + "' passed the schema");
                String errors = String.valueOf(out.getErrors());
                assertTrue(errors.contains("#/nodes/" + id + "/params") && errors.contains(typo),
                        () -> "error should point at the param: " + errors);
                checked++;
            }
        }
        assertTrue(checked >= 3, "too few nodes with params were checked: " + checked);
    }

    @Test
    void aMisspeltNodeKeyAndAnUnknownOpAreRejected() throws Exception {
        Validator dag = validator(DagSchemas.DAG_SCHEMA_FILE);
        String text = Files.readString(DIR.resolve("home_feed.yaml"));
        assertFalse(dag.validate(yaml(text.replace("min_inputs:", "min_input:"))).getValid());
        assertFalse(dag.validate(yaml(text.replace("op: recall.hot", "op: recall.hott"))).getValid());
        assertFalse(dag.validate(yaml(text.replace("on_timeout: skip", "on_timeout: retry"))).getValid());
    }

    private static List<Path> shipped() throws Exception {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    private static boolean isRouting(Path f) {
        return f.getFileName().toString().startsWith(ConfigSet.ROUTING_FILE.replace(".yaml", "."));
    }

    private static Validator validator(String file) throws Exception {
        JsonObject schema = new JsonObject(Files.readString(DIR.resolve("schema").resolve(file)));
        return Validator.create(JsonSchema.of(schema), new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
                .setBaseUri("https://funnel.dev/").setOutputFormat(OutputFormat.Basic));
    }

    @SuppressWarnings("unchecked")
    private static JsonObject yaml(String text) {
        return new JsonObject((Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text));
    }
}
