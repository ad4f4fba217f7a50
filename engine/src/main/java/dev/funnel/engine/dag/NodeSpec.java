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
 * @param paramLines  line of each param key, for error messages; a key inside a param's mapping as
 *                    {@code param.key} ({@code quota.ann})
 * @param keyLines    line of each of the node's own keys ({@code after}, {@code deadline_ms}…)
 */
public record NodeSpec(String id, String op, List<String> after, Map<String, Object> params,
                       Integer deadlineMs, Policy onTimeout, Policy onError, Integer minInputs,
                       Double targetP95Ms, int line, Map<String, Integer> paramLines,
                       Map<String, Integer> keyLines) {

    public NodeSpec {
        after = after == null ? List.of() : List.copyOf(after);
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        paramLines = paramLines == null ? Map.of() : Map.copyOf(paramLines);
        keyLines = keyLines == null ? Map.of() : Map.copyOf(keyLines);
    }

    /** A node without key lines (built in code rather than parsed). */
    public NodeSpec(String id, String op, List<String> after, Map<String, Object> params,
                    Integer deadlineMs, Policy onTimeout, Policy onError, Integer minInputs,
                    Double targetP95Ms, int line, Map<String, Integer> paramLines) {
        this(id, op, after, params, deadlineMs, onTimeout, onError, minInputs, targetP95Ms, line, paramLines, Map.of());
    }

    /** The line of one of the node's own keys ({@code after}, {@code on_timeout}…), or the node's line. */
    public int lineOfKey(String key) {
        return keyLines.getOrDefault(key, line);
    }

    /** This node with these params (param lines kept; new params take the node's line). */
    public NodeSpec withParams(Map<String, Object> newParams) {
        return new NodeSpec(id, op, after, newParams, deadlineMs, onTimeout, onError, minInputs, targetP95Ms,
                line, paramLines, keyLines);
    }

    /** The line of a param key, or the node's line when unknown. */
    public int lineOf(String param) {
        return paramLines.getOrDefault(param, line);
    }

    /** The line of a key inside a param's mapping, else of the param, else the node's line. */
    public int lineOf(String param, String key) {
        Integer l = paramLines.get(param + "." + key);
        return l != null ? l : lineOf(param);
    }
}
