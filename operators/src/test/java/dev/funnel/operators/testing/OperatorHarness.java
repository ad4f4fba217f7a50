package dev.funnel.operators.testing;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.LoopScheduler;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.engine.spi.RequestContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs one operator the way the executor would: defaults filled in, one request, one input list. */
public final class OperatorHarness {

    private OperatorHarness() {
    }

    /** The schema's defaults overridden by {@code kv} (name, value pairs), as the validator would pass them. */
    public static Params params(OperatorFactory f, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (ParamSpec s : f.params().all()) {
            m.put(s.name(), s.defaultValue());
        }
        for (int i = 0; i < kv.length; i += 2) {
            if (f.params().get((String) kv[i]).isEmpty()) {
                throw new IllegalArgumentException("no param " + kv[i] + " in " + f.name());
            }
            m.put((String) kv[i], kv[i + 1]);
        }
        return Params.of(m);
    }

    /** A request for a user on a loop that runs tasks at once. */
    public static RequestContext request(String user, long... exclude) {
        return RequestContext.builder().requestId("r1").userId(user).scene("home").count(10)
                .exclude(exclude).loop(DirectLoop.INSTANCE).build();
    }

    /** Ids with scores descending from 1.0 by 0.1, from one source. */
    public static Candidates ranked(long... ids) {
        float[] scores = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            scores[i] = 1.0f - 0.1f * i;
        }
        return Candidates.fromSource("rank", ids, scores, ids.length);
    }

    /** Applies the operator to one upstream list named {@code rank}. */
    public static Candidates run(OperatorFactory f, Params p, OperatorEnv env, Candidates in, RequestContext ctx) {
        Inputs inputs = new Inputs("node", new String[] {"rank"}, new Object[] {in});
        return run(f, p, env, inputs, ctx);
    }

    public static Candidates run(OperatorFactory f, Params p, OperatorEnv env, Inputs inputs, RequestContext ctx) {
        Object out = f.create(p, env).apply(inputs, ctx).block(Duration.ofSeconds(5));
        return (Candidates) out;
    }

    /** A loop that runs everything on the calling thread, on the system clock. */
    public enum DirectLoop implements LoopScheduler {
        INSTANCE;

        @Override public long nanoTime() { return System.nanoTime(); }
        @Override public Cancellable schedule(long delayNanos, Runnable task) { task.run(); return () -> { }; }
        @Override public void execute(Runnable task) { task.run(); }
        @Override public boolean inLoop() { return true; }
    }
}
