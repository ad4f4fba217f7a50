package dev.funnel.engine.dag;

import java.util.Map;

/**
 * A DAG file as written, before validation.
 *
 * @param name       {@code dag:}
 * @param file       where it came from, for messages
 * @param deadlineMs the whole request's budget
 * @param defaults   node defaults
 * @param nodes      nodes by id, in file order
 * @param output     the node whose output is the response
 * @param lines      line numbers of top-level keys ({@code dag}, {@code deadline_ms}, {@code output}…)
 * @param source     the YAML text it was read from, as written (comments included): what the admin API
 *                   gives back, so a live DAG can be read, edited and uploaded again
 */
public record DagSpec(String name, String file, int deadlineMs, Defaults defaults,
                      Map<String, NodeSpec> nodes, String output, Map<String, Integer> lines, String source) {

    public DagSpec {
        nodes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(nodes));
        lines = lines == null ? Map.of() : Map.copyOf(lines);
    }

    /** The line of a top-level key, or 1. */
    public int lineOf(String key) {
        return lines.getOrDefault(key, 1);
    }

    /**
     * Defaults for every node.
     *
     * @param deadlineMs node deadline when a node gives none (null: the DAG's whole budget)
     * @param onTimeout  default timeout policy
     * @param onError    default error policy
     */
    public record Defaults(Integer deadlineMs, Policy onTimeout, Policy onError) {
        public static final Defaults NONE = new Defaults(null, Policy.SKIP, Policy.FAIL);
    }
}
