package dev.funnel.engine.route;

import dev.funnel.engine.dag.DagSpec;
import dev.funnel.engine.dag.NodeSpec;
import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import reactor.core.publisher.Mono;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A tiny operator and DAG for routing tests. */
final class TestOps {

    static final OperatorFactory SOURCE = new OperatorFactory() {
        @Override public String name() { return "test.source"; }
        @Override public String description() { return "test"; }
        @Override public ParamSchema params() {
            return ParamSchema.of(ParamSpec.optionalInt("limit", 10, 1, 1000, "how many"),
                    ParamSpec.optionalEnum("mode", "a", List.of("a", "b"), "mode"),
                    ParamSpec.optionalDouble("weight", 1.0, 0.0, 1.0, "weight"));
        }
        @Override public Class<?> outputType() { return Candidates.class; }
        @Override public Operator<?> create(Params params, OperatorEnv env) {
            return (in, ctx) -> Mono.just(Candidates.EMPTY);
        }
    };

    static final OperatorRegistry REGISTRY = OperatorRegistry.of(SOURCE);

    static DagSpec dag(String name) {
        Map<String, NodeSpec> nodes = new LinkedHashMap<>();
        nodes.put("hot", new NodeSpec("hot", "test.source", List.of(), Map.of("limit", 5), null, null, null, null, null, 4, Map.of()));
        return new DagSpec(name, name + ".yaml", 60, DagSpec.Defaults.NONE, nodes, "hot", Map.of(), "");
    }

    private TestOps() {
    }
}
