package dev.funnel.engine.spi;

import java.util.Set;

/**
 * Describes and creates one kind of operator, named by family and kind as it is written in DAG
 * YAML ({@code recall.ann}, {@code rerank.mmr}). Implementations are listed in
 * {@code META-INF/services/dev.funnel.engine.spi.OperatorFactory} and must have a public no-arg
 * constructor. Thread-safe and stateless; {@link #create} is called once per node per compilation,
 * off the request path.
 */
public interface OperatorFactory {

    /** The name used in YAML's {@code op:} field, e.g. {@code recall.hot}. */
    String name();

    /** One line for people: shown in the generated DAG reference and JSON Schema. */
    String description();

    /** The parameters this operator accepts; validation rejects anything else. */
    ParamSchema params();

    /** The type of this operator's output, e.g. {@link Candidates} or a user profile. */
    Class<?> outputType();

    /**
     * The output types this operator needs among its inputs ({@code after:} nodes). Validation
     * reports a node whose upstream nodes provide none of a required type. Default: none.
     */
    default Set<Class<?>> requiredInputTypes() {
        return Set.of();
    }

    /**
     * How many of its inputs a node of this operator needs present (not skipped) to run, when the
     * YAML gives no {@code min_inputs}. {@code -1} means all of them (the default); a merge says 1.
     */
    default int defaultMinInputs() {
        return -1;
    }

    /**
     * True when {@link Operator#apply} does long CPU work (say, more than ~50 µs): the executor then
     * calls it on the engine's bounded worker pool instead of the event loop.
     */
    default boolean cpuHeavy() {
        return false;
    }

    /**
     * Checks a node's params for what the schema cannot say (a formula's syntax, a rule's
     * {@code field=value} form, a map's values, one param against another, a param that must name
     * one of the node's inputs), without building anything. Every validation path calls it
     * ({@code funnel validate}, the admin validate endpoints, upload, hot reload, start), before
     * {@link #create}, through {@link #check(Params, java.util.List, Set, OperatorEnv)}. A check
     * against a service (a model name against the model registry, a filter field against the index)
     * runs only when {@code env} holds that service: {@code funnel validate} runs with an empty env,
     * the server with its own. {@link #create} must reject at least what this rejects with the same
     * env, except what depends on the node's place in the graph ({@code inputIds}), which only
     * checks can see. Default: nothing to check.
     *
     * @param params   validated against {@link #params()}, defaults filled in
     * @param inputIds the node's {@code after:} ids, in order
     * @param env      services wired by the server, possibly none
     * @throws IllegalArgumentException saying what is wrong: reported at the node's line; a
     *                                  {@link ParamProblems} is reported entry by entry, each at the
     *                                  line of the param or key it names
     */
    default void check(Params params, java.util.List<String> inputIds, OperatorEnv env) {
    }

    /**
     * {@link #check(Params, java.util.List, OperatorEnv)} for a check that also needs the nodes
     * further upstream: a param keyed by node ids that may name an input or a node behind one (a
     * merge quota keyed by a candidate list's provenance source, a recall behind a filter). This is
     * the method validation calls. Default: {@code check(params, inputIds, env)}.
     *
     * @param upstreamIds every node this node depends on, directly or through others ({@code inputIds}
     *                    included, as far as they name nodes of the DAG)
     * @throws IllegalArgumentException as {@link #check(Params, java.util.List, OperatorEnv)} does
     */
    default void check(Params params, java.util.List<String> inputIds, Set<String> upstreamIds, OperatorEnv env) {
        check(params, inputIds, env);
    }

    /**
     * Builds the operator for one node.
     *
     * @param params validated against {@link #params()}, defaults filled in
     * @param env    services wired by the server (index, stores, model registry…)
     * @throws IllegalArgumentException when the params are valid by schema but wrong in substance
     *                                  (a model name that is not registered): reported as a
     *                                  validation problem at the node's line
     */
    Operator<?> create(Params params, OperatorEnv env);
}
