package dev.funnel.engine.dag;

import java.util.List;
import java.util.Map;

/**
 * One node as written in YAML, before validation.
 *
 * @param id          the node's key under {@code nodes:}
 * @param op          the operator name ({@code recall.hot})
 * @param after       upstream node ids, in order
 * @param params      raw parameter values as parsed from YAML
 * @param deadlineMs  the node's own deadline, or null for the DAG default
 * @param onTimeout   policy on timeout, or null for the DAG default
 * @param onError     policy on error, or null for the DAG default
 * @param minInputs   inputs that must be present to run, or null for the operator's default
 * @param targetP95Ms latency target for width adaptation, or null for none
 * @param line        the line of the node's key
 * @param paramLines  line of each param key, for error messages
 */
public record NodeSpec(String id, String op, List<String> after, Map<String, Object> params,
                       Integer deadlineMs, Policy onTimeout, Policy onError, Integer minInputs,
                       Double targetP95Ms, int line, Map<String, Integer> paramLines) {

    public NodeSpec {
        after = after == null ? List.of() : List.copyOf(after);
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        paramLines = paramLines == null ? Map.of() : Map.copyOf(paramLines);
    }

    /** The line of a param key, or the node's line when unknown. */
    public int lineOf(String param) {
        return paramLines.getOrDefault(param, line);
    }
}
