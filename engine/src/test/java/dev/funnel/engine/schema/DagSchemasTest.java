package dev.funnel.engine.schema;

import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DagSchemasTest {

    static final OperatorRegistry REGISTRY = OperatorRegistry.of(
            new Fake("recall.hot", ParamSchema.of(ParamSpec.optionalInt("limit", 300, 1, 10_000, "how many"))),
            new Fake("recall.ann", ParamSchema.of(
                    ParamSpec.requiredInt("k", 1, 5000, "neighbours"),
                    ParamSpec.optionalInt("ef", 100, 1, 4096, "search width"))),
            new Fake("merge", ParamSchema.of(ParamSpec.optionalNumberMap("quota", "per-source caps"))),
            new Fake("rerank.mmr", ParamSchema.of(
                    ParamSpec.optionalDouble("lambda", 0.7, 0, 1, "relevance vs diversity"),
                    ParamSpec.optionalEnum("by", "embedding", List.of("embedding", "category"), "similarity"),
                    ParamSpec.optionalStringList("fields", "tie-breakers"))));

    static final String GOOD = """
            dag: home_feed
            deadline_ms: 60
            defaults: {deadline_ms: 20, on_timeout: skip}
            nodes:
              hot:    {op: recall.hot, params: {limit: 300}}
              ann:    {op: recall.ann, params: {k: 1000, ef: 200}, deadline_ms: 15, target_p95_ms: 8}
              merge:  {op: merge, after: [hot, ann], min_inputs: 1, params: {quota: {ann: 600}}}
              rerank: {op: rerank.mmr, after: [merge], params: {lambda: 0.5, by: category}, on_timeout: {fallback: merge}}
            output: rerank
            """;

    @Test
    void acceptsAValidDag() {
        OutputUnit out = validate(GOOD);
        assertTrue(out.getValid(), () -> String.valueOf(out.getErrors()));
    }

    @Test
    void rejectsAMisspeltParam() {
        OutputUnit out = validate(GOOD.replace("{k: 1000, ef: 200}", "{k: 1000, eff: 200}"));
        assertFalse(out.getValid());
        assertTrue(String.valueOf(out.getErrors()).contains("eff"), () -> String.valueOf(out.getErrors()));
    }

    @Test
    void rejectsOutOfRangeWrongTypeBadEnumAndMissingRequired() {
        assertFalse(validate(GOOD.replace("limit: 300", "limit: 0")).getValid(), "below min");
        assertFalse(validate(GOOD.replace("limit: 300", "limit: 20000")).getValid(), "above max");
        assertFalse(validate(GOOD.replace("limit: 300", "limit: lots")).getValid(), "not an int");
        assertFalse(validate(GOOD.replace("lambda: 0.5", "lambda: 1.5")).getValid(), "double above max");
        assertFalse(validate(GOOD.replace("by: category", "by: author")).getValid(), "not in enum");
        assertFalse(validate(GOOD.replace("{k: 1000, ef: 200}", "{ef: 200}")).getValid(), "missing required k");
        assertFalse(validate(GOOD.replace("quota: {ann: 600}", "quota: {ann: many}")).getValid(), "number map");
    }

    @Test
    void rejectsUnknownOpsKeysAndPolicies() {
        assertFalse(validate(GOOD.replace("op: merge", "op: merge.all")).getValid(), "unknown op");
        assertFalse(validate(GOOD.replace("min_inputs: 1", "min_input: 1")).getValid(), "misspelt node key");
        assertFalse(validate(GOOD.replace("on_timeout: skip", "on_timeout: retry")).getValid(), "bad policy");
        assertFalse(validate(GOOD.replace("output: rerank", "")).getValid(), "missing output");
        assertFalse(validate(GOOD + "extra: 1\n").getValid(), "unknown top-level key");
    }

    @Test
    void paramsOfOneOpAreNotAcceptedOnAnother() {
        // 'k' belongs to recall.ann; the per-op branch must reject it on recall.hot.
        assertFalse(validate(GOOD.replace("params: {limit: 300}", "params: {limit: 300, k: 5}")).getValid());
    }

    @Test
    void carriesDescriptionsAndDefaultsForEditors() {
        Map<String, Object> schema = DagSchemas.dag(REGISTRY);
        String json = DagSchemas.toJson(schema);
        JsonObject parsed = new JsonObject(json);
        JsonObject ann = parsed.getJsonObject("$defs").getJsonObject("params.recall.ann");
        assertEquals(List.of("k"), ann.getJsonArray("required").getList());
        assertEquals(100, ann.getJsonObject("properties").getJsonObject("ef").getInteger("default"));
        assertEquals("search width", ann.getJsonObject("properties").getJsonObject("ef").getString("description"));
        assertEquals(0.7, parsed.getJsonObject("$defs").getJsonObject("params.rerank.mmr")
                .getJsonObject("properties").getJsonObject("lambda").getDouble("default"));
    }

    @Test
    void routingSchemaAcceptsRoutesAndRejectsTypos() {
        Validator v = validator(DagSchemas.routing(REGISTRY));
        String good = """
                scenes:
                  home:
                    routes:
                      - {name: control, dag: home_feed, traffic: 90}
                      - name: wide
                        dag: home_feed
                        traffic: 10
                        overrides:
                          ann: {k: 2000}
                """;
        assertTrue(v.validate(yaml(good)).getValid(), () -> String.valueOf(v.validate(yaml(good)).getErrors()));
        assertFalse(v.validate(yaml(good.replace("dag: home_feed, traffic: 90", "dags: home_feed, traffic: 90"))).getValid());
        assertFalse(v.validate(yaml(good.replace("traffic: 90", "traffic: 190"))).getValid());
        assertFalse(v.validate(yaml(good.replace("traffic: 10", "trafic: 10"))).getValid());
    }

    @Test
    void writerIsIdempotent(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assertEquals(2, SchemaWriter.write(dir, REGISTRY).size());
        assertEquals(0, SchemaWriter.write(dir, REGISTRY).size(), "unchanged content is not rewritten");
        String onDisk = Files.readString(dir.resolve(DagSchemas.DAG_SCHEMA_FILE));
        assertEquals(DagSchemas.toJson(DagSchemas.dag(REGISTRY)), onDisk);
    }

    private static OutputUnit validate(String yaml) {
        return validator(DagSchemas.dag(REGISTRY)).validate(yaml(yaml));
    }

    static Validator validator(Map<String, Object> schema) {
        JsonObject json = new JsonObject(DagSchemas.toJson(schema));
        return Validator.create(JsonSchema.of(json),
                new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("https://funnel.dev/")
                        .setOutputFormat(io.vertx.json.schema.OutputFormat.Basic));
    }

    @SuppressWarnings("unchecked")
    static JsonObject yaml(String text) {
        Object doc = new Load(LoadSettings.builder().build()).loadFromString(text);
        return new JsonObject((Map<String, Object>) doc);
    }

    /** A factory that only declares a schema; the schema generator never creates operators. */
    record Fake(String name, ParamSchema params) implements OperatorFactory {
        @Override
        public String description() {
            return "fake " + name;
        }

        @Override
        public Class<?> outputType() {
            return Candidates.class;
        }

        @Override
        public Operator<?> create(Params p, OperatorEnv env) {
            throw new UnsupportedOperationException("schema tests never create operators");
        }
    }
}
