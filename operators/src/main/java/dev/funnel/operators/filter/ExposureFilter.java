package dev.funnel.operators.filter;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.exposure.ExposureStore;
import dev.funnel.exposure.SeenRows;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Mono;

/**
 * {@code filter.exposure}: drops the candidates the user has already been served or shown (the
 * {@link ExposureStore} wired into the environment) and those the request excludes. One store
 * lookup for the whole list: the in-process store answers at once, on the loop; the Redis store
 * answers with one pipelined batch, and the returned Mono completes when it does. The store fails
 * open (nothing dropped, counted in its metrics) when unreachable, so serving continues.
 */
public final class ExposureFilter implements OperatorFactory {

    @Override
    public String name() {
        return "filter.exposure";
    }

    @Override
    public String description() {
        return "Drops candidates the user was already served (short-term) or shown (long-term), and the request's exclude list";
    }

    @Override
    public ParamSchema params() {
        return ParamSchema.of(ParamSpec.optionalBoolean("drop_excluded", true,
                "also drop the ids the request lists in 'exclude'"));
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
        ExposureStore store = env.require(ExposureStore.class);
        boolean dropExcluded = params.getBoolean("drop_excluded");
        return (in, ctx) -> apply(store, dropExcluded, in, ctx);
    }

    private static Mono<Candidates> apply(ExposureStore store, boolean dropExcluded, Inputs in, RequestContext ctx) {
        Candidates c = in.first(Candidates.class);
        if (c == null) {
            return Mono.empty();
        }
        if (c.isEmpty()) {
            return Mono.just(c);
        }
        CompletableFuture<SeenRows> seen = store.seen(ctx.userId(), c.idsView(), c.size()).toCompletableFuture();
        if (seen.isDone()) {
            return Mono.just(keep(c, seen.join(), dropExcluded, ctx)); // already done: join() never waits here
        }
        return Mono.fromFuture(seen, true).map(rows -> keep(c, rows, dropExcluded, ctx));
    }

    private static Candidates keep(Candidates c, SeenRows seen, boolean dropExcluded, RequestContext ctx) {
        boolean excludes = dropExcluded && ctx.excludeIds().length > 0;
        if (seen.seenCount() == 0 && !excludes) {
            return c;
        }
        int[] rows = new int[c.size() - seen.seenCount()];
        int n = seen.unseenRows(rows);
        if (excludes) {
            int kept = 0;
            for (int r = 0; r < n; r++) {
                if (!ctx.excluded(c.id(rows[r]))) {
                    rows[kept++] = rows[r];
                }
            }
            n = kept;
        }
        return n == c.size() ? c : c.select(rows, n);
    }
}
