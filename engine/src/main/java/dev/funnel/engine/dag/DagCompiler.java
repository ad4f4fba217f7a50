package dev.funnel.engine.dag;

import dev.funnel.engine.spi.OperatorEnv;

import java.util.Map;

/** Validates and compiles specs. Off the request path; thread-safe. */
public final class DagCompiler {

    private final OperatorRegistry registry;
    private final OperatorEnv env;

    public DagCompiler(OperatorRegistry registry, OperatorEnv env) {
        this.registry = registry;
        this.env = env;
    }

    /** Validates and compiles; throws with every problem when invalid. */
    public CompiledDag compile(DagSpec spec) throws DagException {
        return compile(spec, Map.of());
    }

    /**
     * Validates and compiles with per-node parameter overrides ({@code node → param → value}), as a
     * route's experiment bucket or a replay asks; overrides are validated like the file's params.
     */
    public CompiledDag compile(DagSpec spec, Map<String, Map<String, Object>> overrides) throws DagException {
        throw new UnsupportedOperationException("TODO(engine): DagCompiler.compile");
    }

    public OperatorRegistry registry() {
        return registry;
    }
}
