package dev.funnel.operators.rerank;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.ParamType;
import dev.funnel.engine.spi.Params;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Set;

/**
 * {@code rerank.truncate}: keeps the first {@code size} candidates of its first candidate input
 * ({@code size} defaults to the count the client asked for).
 */
public final class TruncateRerank implements OperatorFactory {

    private static final ParamSchema SCHEMA = ParamSchema.of(new ParamSpec("size", ParamType.INT, false, null,
            1.0, 100_000.0, List.of(), "how many to keep; default: the request's count"));

    @Override
    public String name() {
        return "rerank.truncate";
    }

    @Override
    public String description() {
        return "Keeps the first size candidates (default: the request's count)";
    }

    @Override
    public ParamSchema params() {
        return SCHEMA;
    }

    @Override
    public Class<?> outputType() {
        return Candidates.class;
    }

    @Override
    public Set<Class<?>> requiredInputTypes() {
        return Set.of(Candidates.class);
    }

    @Override
    public Operator<Candidates> create(Params params, OperatorEnv env) {
        int size = params.has("size") ? params.getInt("size") : -1;
        return (in, ctx) -> {
            Candidates c = in.first(Candidates.class);
            if (c == null) {
                return Mono.just(Candidates.EMPTY);
            }
            return Mono.just(c.truncate(size > 0 ? size : Math.max(0, ctx.count())));
        };
    }
}
