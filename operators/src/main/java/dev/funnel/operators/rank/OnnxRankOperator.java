package dev.funnel.operators.rank;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.features.FeatureBatch;
import dev.funnel.features.ItemAttributes;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.model.batch.BatchException;
import dev.funnel.model.batch.ScoringTask;
import dev.funnel.model.batch.Scores;
import dev.funnel.model.serving.RankModel;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;

/** One {@code rank.onnx} node: stateless, shared by every request of the compiled DAG. */
final class OnnxRankOperator implements Operator<Candidates> {

    private final RankModel model;
    private final ItemAttributes items;
    private final FusionFormula formula;
    private final int keep;

    OnnxRankOperator(RankModel model, ItemAttributes items, FusionFormula formula, int keep) {
        this.model = model;
        this.items = items;
        this.formula = formula;
        this.keep = keep;
    }

    @Override
    public Mono<Candidates> apply(Inputs in, RequestContext ctx) {
        Candidates c = in.first(Candidates.class);
        if (c == null) {
            return Mono.empty();
        }
        if (c.isEmpty()) {
            return Mono.just(c);
        }
        UserProfile user = in.first(UserProfile.class);
        if (user == null) {
            user = UserProfile.unknown(ctx.userId());
        }
        int n = c.size();
        FeatureBatch features = model.extractor().extract(user, ctx.context(), System.currentTimeMillis(), items,
                c.idsView(), n);
        // The batcher's clock may differ from the loop's (virtual time in tests): hand it the budget left.
        long deadline = model.nowNanos() + ctx.remainingNanos();
        // The batcher's runner assembles the inputs into its batch; when refused, the task's future is already failed.
        ScoringTask task = model.score(features, items, deadline, ctx.loop()::execute);
        return Mono.fromFuture(outcome(task), true)
                .doOnCancel(task::cancel)
                .flatMap(o -> o.failure() == null ? Mono.just(rank(c, o.scores(), features, ctx)) : Mono.error(o.failure()));
    }

    /** The task's scores, or why there are none. */
    record Outcome(Scores scores, Throwable failure) {
    }

    /**
     * The task's result as a value, failures included: a failure becomes an error only inside the
     * {@code flatMap}, i.e. while the node still waits for it. A failed future completing a Mono already
     * cancelled (the node's timer fired on the loop, or a cpu-heavy node subscribing on a worker was
     * cancelled meanwhile; its task is then cancelled too) would go to Reactor's dropped-error hook, which
     * logs it as an error with a stack trace on every timeout under load (seen once in the demo's warm-up,
     * a late {@link RowsExpired}); a value that arrives then is discarded.
     */
    static CompletableFuture<Outcome> outcome(ScoringTask task) {
        return task.result().handle((scores, e) -> new Outcome(scores, e == null ? null : lateAsTimeout(e)));
    }

    /**
     * Rows the batcher dropped because the request's deadline passed are late, not broken: as a
     * {@link TimeoutException} the engine settles the node as a timeout under its {@code on_timeout}
     * policy, as when the node's own timer fires first (the two race for the same instant).
     */
    static Throwable lateAsTimeout(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof BatchException b && b.reason() == BatchException.Reason.DEADLINE) {
            return new RowsExpired(b.getMessage());
        }
        return e;
    }

    /** Stackless, like the {@link BatchException} it stands for: an expected outcome under load. */
    static final class RowsExpired extends TimeoutException {

        private static final long serialVersionUID = 1L;

        RowsExpired(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private Candidates rank(Candidates c, Scores scores, FeatureBatch features, RequestContext ctx) {
        int n = c.size();
        int heads = model.heads().size();
        float[] probs = scores.outputs()[0];
        double[] vars = new double[heads];
        double[] stack = new double[Math.max(1, formula.stackSize())];
        int k = Math.min(keep, n);
        TopRows top = new TopRows(k);
        for (int r = 0; r < n; r++) {
            for (int h = 0; h < heads; h++) {
                vars[h] = probs[r * heads + h];
            }
            top.offer(r, (float) formula.eval(vars, stack));
        }
        int[] rows = new int[k];
        float[] fused = new float[k];
        int m = top.drainDescending(rows, fused);
        record(ctx, scores.modelVersion(), features);
        return c.select(rows, m, fused);
    }

    @SuppressWarnings("unchecked")
    private void record(RequestContext ctx, String version, FeatureBatch features) {
        Map<String, String> models = (Map<String, String>) ctx.attributes()
                .computeIfAbsent(OnnxRank.ATTR_MODELS, k -> new ConcurrentHashMap<String, String>());
        models.put(model.name(), version);
        ctx.attributes().put(OnnxRank.ATTR_FEATURES, features);
    }
}
