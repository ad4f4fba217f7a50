package dev.funnel.engine.schema;

import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates JSON Schema (draft 2020-12) documents for DAG YAML and scene-routing YAML from an
 * {@link OperatorRegistry}. Every operator contributes one {@code if op == name then params: …}
 * branch whose {@code params} object has {@code additionalProperties: false}, so a misspelt or
 * unknown parameter is rejected by any schema-aware editor, and types, bounds, enums, defaults and
 * descriptions come straight from each {@link ParamSpec}.
 *
 * <p>Stateless; thread-safe. The returned documents are plain nested maps and lists (write them
 * with {@link #toJson}).
 */
public final class DagSchemas {

    /** The JSON Schema dialect of every generated document. */
    public static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";
    /** {@code $id} of the DAG schema. */
    public static final String DAG_SCHEMA_ID = "https://funnel.dev/schema/dag.schema.json";
    /** {@code $id} of the routing schema. */
    public static final String ROUTING_SCHEMA_ID = "https://funnel.dev/schema/routing.schema.json";
    /** File name of the DAG schema under {@code dag-configs/schema/}. */
    public static final String DAG_SCHEMA_FILE = "dag.schema.json";
    /** File name of the routing schema under {@code dag-configs/schema/}. */
    public static final String ROUTING_SCHEMA_FILE = "routing.schema.json";

    private DagSchemas() {
    }

    /** The schema for one DAG file. */
    public static Map<String, Object> dag(OperatorRegistry registry) {
        Map<String, Object> defs = new LinkedHashMap<>();
        defs.put("policy", policy());
        defs.put("deadline_ms", obj("type", "integer", "minimum", 1, "description", "Milliseconds."));
        defs.put("node", node(registry, defs));

        Map<String, Object> props = new LinkedHashMap<>();
        props.put("dag", obj("type", "string", "pattern", "^[A-Za-z0-9_.-]+$",
                "description", "The DAG's name; routes refer to it."));
        props.put("deadline_ms", obj("$ref", "#/$defs/deadline_ms",
                "description", "The whole request's budget in milliseconds; no node may have a longer one."));
        props.put("defaults", obj("type", "object", "additionalProperties", false,
                "description", "Defaults for every node.",
                "properties", obj(
                        "deadline_ms", obj("$ref", "#/$defs/deadline_ms", "description", "Node deadline when a node gives none."),
                        "on_timeout", obj("$ref", "#/$defs/policy", "description", "What a node does on timeout (default skip)."),
                        "on_error", obj("$ref", "#/$defs/policy", "description", "What a node does on error (default fail)."))));
        props.put("nodes", obj("type", "object", "minProperties", 1,
                "description", "Nodes by id; each runs when its 'after' nodes have settled.",
                "propertyNames", obj("pattern", "^[A-Za-z_][A-Za-z0-9_]*$"),
                "additionalProperties", obj("$ref", "#/$defs/node")));
        props.put("output", obj("type", "string", "description", "The node whose output is the response."));

        Map<String, Object> root = new LinkedHashMap<>();
        root.put("$schema", DIALECT);
        root.put("$id", DAG_SCHEMA_ID);
        root.put("title", "Funnel DAG");
        root.put("description", "Generated from the operators' parameter schemas ("
                + registry.all().size() + " operators); do not edit by hand.");
        root.put("type", "object");
        root.put("required", List.of("dag", "deadline_ms", "nodes", "output"));
        root.put("additionalProperties", false);
        root.put("properties", props);
        root.put("$defs", defs);
        return root;
    }

    /**
     * The schema for the scene-routing file: scenes, each a list of routes that send a range of
     * experiment buckets (0..9999) to a DAG, with optional per-node parameter overrides.
     */
    public static Map<String, Object> routing(OperatorRegistry registry) {
        Map<String, Object> override = obj("type", "object",
                "description", "Per-node parameter overrides for this route only: node id → param → value;"
                        + " checked against the DAG's operators when the routing loads.",
                "propertyNames", obj("pattern", "^[A-Za-z_][A-Za-z0-9_]*$"),
                "additionalProperties", obj("type", "object", "minProperties", 1));
        Map<String, Object> route = obj("type", "object", "additionalProperties", false,
                "required", List.of("name", "dag", "traffic"),
                "properties", obj(
                        "name", obj("type", "string", "minLength", 1,
                                "description", "The route's name, reported in metrics and debug responses."),
                        "dag", obj("type", "string", "minLength", 1, "description", "The DAG name ('dag:' in its file)."),
                        "traffic", obj("type", "number", "minimum", 0, "maximum", 100, "multipleOf", 0.01,
                                "description", "Percent of the scene's users (buckets are murmur3_32(user_id) mod 10000,"
                                        + " taken in the order routes are listed); a scene's routes sum to 100."),
                        "overrides", override));
        Map<String, Object> scene = obj("type", "object", "additionalProperties", false,
                "required", List.of("routes"),
                "properties", obj(
                        "routes", obj("type", "array", "minItems", 1, "items", obj("$ref", "#/$defs/route"))));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("$schema", DIALECT);
        root.put("$id", ROUTING_SCHEMA_ID);
        root.put("title", "Funnel scene routing");
        root.put("description", "Scenes route to DAGs by experiment bucket. Generated; do not edit by hand.");
        root.put("type", "object");
        root.put("required", List.of("scenes"));
        root.put("additionalProperties", false);
        root.put("properties", obj("scenes", obj("type", "object", "minProperties", 1,
                "description", "Scene name (as clients send it) → its routes.",
                "additionalProperties", obj("$ref", "#/$defs/scene"))));
        root.put("$defs", obj("scene", scene, "route", route));
        return root;
    }

    /** The document as indented JSON text. */
    public static String toJson(Map<String, Object> schema) {
        return JsonText.write(schema);
    }

    private static Map<String, Object> policy() {
        return obj("description", "fail | skip | {fallback: <upstream node>}",
                "oneOf", List.of(
                        obj("enum", List.of("fail", "skip")),
                        obj("type", "object", "additionalProperties", false, "required", List.of("fallback"),
                                "properties", obj("fallback", obj("type", "string",
                                        "description", "An upstream node whose output stands in.")))));
    }

    private static Map<String, Object> node(OperatorRegistry registry, Map<String, Object> defs) {
        List<Object> opChoices = new ArrayList<>();
        List<Object> branches = new ArrayList<>();
        for (OperatorFactory f : registry.all()) {
            opChoices.add(obj("const", f.name(), "description", f.description()));
            String defName = "params." + f.name();
            defs.put(defName, params(f));
            Map<String, Object> then = new LinkedHashMap<>();
            then.put("properties", obj("params", obj("$ref", "#/$defs/" + defName)));
            if (f.params().all().stream().anyMatch(ParamSpec::required)) {
                then.put("required", List.of("params"));
            }
            branches.add(obj("if", obj("properties", obj("op", obj("const", f.name())), "required", List.of("op")),
                    "then", then));
        }
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("op", opChoices.isEmpty()
                ? obj("type", "string")
                : obj("type", "string", "description", "The operator: family.kind", "anyOf", opChoices));
        props.put("after", obj("description", "Upstream node ids whose outputs are this node's inputs.",
                "anyOf", List.of(obj("type", "string"),
                        obj("type", "array", "uniqueItems", true, "items", obj("type", "string")))));
        props.put("params", obj("type", "object", "description", "The operator's parameters."));
        props.put("deadline_ms", obj("$ref", "#/$defs/deadline_ms",
                "description", "This node's deadline; it runs under min(this, budget left)."));
        props.put("on_timeout", obj("$ref", "#/$defs/policy"));
        props.put("on_error", obj("$ref", "#/$defs/policy"));
        props.put("min_inputs", obj("type", "integer", "minimum", 0,
                "description", "Inputs that must be present for the node to run (merges)."));
        props.put("target_p95_ms", obj("type", "number", "exclusiveMinimum", 0,
                "description", "Latency target: the node's width (limit/keep) shrinks while its p95 is above it."));
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("type", "object");
        node.put("required", List.of("op"));
        node.put("additionalProperties", false);
        node.put("properties", props);
        if (!branches.isEmpty()) {
            node.put("allOf", branches);
        }
        return node;
    }

    private static Map<String, Object> params(OperatorFactory f) {
        Map<String, Object> props = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (ParamSpec p : f.params().all()) {
            props.put(p.name(), param(p));
            if (p.required()) {
                required.add(p.name());
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "object");
        m.put("description", f.name() + ": " + f.description());
        m.put("additionalProperties", false);
        m.put("properties", props);
        if (!required.isEmpty()) {
            m.put("required", required);
        }
        return m;
    }

    /** One parameter's schema; package-private for tests. */
    static Map<String, Object> param(ParamSpec p) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (p.type()) {
            case INT, LONG -> m.put("type", "integer");
            case DOUBLE -> m.put("type", "number");
            case BOOLEAN -> m.put("type", "boolean");
            case STRING -> m.put("type", "string");
            case ENUM -> {
                m.put("type", "string");
                m.put("enum", p.allowed());
            }
            case STRING_LIST -> {
                m.put("type", "array");
                m.put("items", obj("type", "string"));
            }
            case NUMBER_MAP -> {
                m.put("type", "object");
                m.put("additionalProperties", obj("type", "number"));
            }
            case MAP -> m.put("type", "object");
        }
        if (p.type() == dev.funnel.engine.spi.ParamType.INT) {
            m.put("minimum", p.min() == null ? Integer.MIN_VALUE : Math.max(p.min(), Integer.MIN_VALUE));
            m.put("maximum", p.max() == null ? Integer.MAX_VALUE : Math.min(p.max(), Integer.MAX_VALUE));
        } else {
            if (p.min() != null) {
                m.put("minimum", p.min());
            }
            if (p.max() != null) {
                m.put("maximum", p.max());
            }
        }
        if (!p.description().isEmpty()) {
            m.put("description", p.description());
        }
        if (p.defaultValue() != null) {
            m.put("default", plain(p.defaultValue()));
        }
        return m;
    }

    private static Object plain(Object v) {
        if (v instanceof Map<?, ?> || v instanceof List<?> || v instanceof String || v instanceof Number
                || v instanceof Boolean) {
            return v;
        }
        return String.valueOf(v);
    }

    /** A map of alternating keys and values, in order. */
    static Map<String, Object> obj(Object... kv) {
        if (kv.length % 2 != 0) {
            throw new IllegalArgumentException("odd number of key/value arguments: " + kv.length);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
