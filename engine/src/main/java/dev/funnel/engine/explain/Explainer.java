package dev.funnel.engine.explain;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.exec.DagExecutor;
import dev.funnel.engine.spi.LoopScheduler;
import dev.funnel.engine.spi.RequestContext;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Replays one request against a compiled DAG with the trace on and explains it. Compile the DAG
 * you want to look at first — the live one, or a candidate file with parameter overrides
 * ({@link dev.funnel.engine.dag.DagCompiler#compile(dev.funnel.engine.dag.DagSpec, Map)}).
 * Thread-safe; each call is one independent request.
 */
public final class Explainer {

    /** Dropped items listed per stage when the caller does not say. */
    public static final int DEFAULT_MAX_DROPPED_SHOWN = 20;

    private final DagExecutor executor;

    public Explainer(DagExecutor executor) {
        this.executor = executor;
    }

    /**
     * One request to replay.
     *
     * @param userId  the user
     * @param scene   the scene (operators and side effects may read it)
     * @param count   items asked for
     * @param context client context
     * @param bucket  experiment bucket 0..9999
     * @param deadlineMs the request's budget; 0 for the DAG's own {@code deadline_ms} (a faithful
     *                replay), more to see what the DAG produces without time pressure
     * @param exclude item ids the client excluded (operators such as {@code filter.exposure} drop
     *                them); empty for none
     */
    public record Request(String userId, String scene, int count, Map<String, Object> context, int bucket,
                          int deadlineMs, long[] exclude) {

        /** A request that excludes nothing. */
        public Request(String userId, String scene, int count, Map<String, Object> context, int bucket, int deadlineMs) {
            this(userId, scene, count, context, bucket, deadlineMs, null);
        }

        public Request {
            if (deadlineMs < 0 || deadlineMs > 60_000) {
                throw new IllegalArgumentException("deadline_ms must be in 0..60000 (0 = the DAG's), got " + deadlineMs);
            }
            if (userId == null || userId.isEmpty()) {
                throw new IllegalArgumentException("user_id is required, got " + userId);
            }
            if (count <= 0) {
                throw new IllegalArgumentException("count must be > 0, got " + count);
            }
            if (bucket < 0 || bucket > 9_999) {
                throw new IllegalArgumentException("bucket must be in 0..9999, got " + bucket);
            }
            scene = scene == null ? "explain" : scene;
            context = context == null ? Map.of() : Map.copyOf(context);
            exclude = exclude == null ? new long[0] : exclude.clone();
        }
    }

    /**
     * Runs {@code request} through {@code dag} on {@code loop}, with the DAG's deadline (or the request's), and
     * explains it. Completes on the loop; never exceptionally for a failed request (that is in
     * the explanation).
     */
    public CompletableFuture<Explanation> explain(CompiledDag dag, Request request, LoopScheduler loop,
                                                  int maxDroppedShown) {
        if (maxDroppedShown < 0) {
            throw new IllegalArgumentException("maxDroppedShown must be >= 0, got " + maxDroppedShown);
        }
        CompletableFuture<Explanation> out = new CompletableFuture<>();
        loop.execute(() -> {
            long now = loop.nanoTime();
            RequestContext ctx = RequestContext.builder()
                    .requestId("explain-" + Long.toHexString(now))
                    .userId(request.userId())
                    .scene(request.scene())
                    .count(request.count())
                    .context(request.context())
                    .exclude(request.exclude())
                    .bucket(request.bucket())
                    .debug(true)
                    .loop(loop)
                    .timing(now, now + (request.deadlineMs() > 0 ? request.deadlineMs() * 1_000_000L : dag.deadlineNanos()))
                    .build();
            try {
                executor.execute(dag, ctx).whenComplete((result, err) -> {
                    if (err != null) {
                        out.completeExceptionally(err);
                    } else {
                        out.complete(TraceAnalyzer.analyze(dag.spec(), result, request.userId(), maxDroppedShown,
                                request.count(), ctx::excluded));
                    }
                });
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
            }
        });
        return out;
    }

    /** Runs the same request through two DAGs, one after the other, and compares them. */
    public CompletableFuture<Comparison> compare(CompiledDag a, CompiledDag b, Request request, LoopScheduler loop,
                                                 int maxDroppedShown) {
        return explain(a, request, loop, maxDroppedShown)
                .thenCompose(ea -> explain(b, request, loop, maxDroppedShown).thenApply(eb -> Comparison.of(ea, eb)));
    }
}
