package dev.funnel.engine.spi;

import reactor.core.publisher.Mono;

/**
 * One node's work, bound to its validated parameters at compile time and shared by every request
 * that runs the compiled DAG (so it must hold no per-request state).
 *
 * <p>{@link #apply} is called on the request's event loop (or, for a factory that declares
 * {@link OperatorFactory#cpuHeavy()}, on the engine's bounded worker pool). It must not block: a
 * result that is not ready at once is returned as a {@code Mono} that completes later, on any
 * thread; the executor hops back to the request's loop. The executor enforces the node's deadline
 * and cancels the subscription on timeout, so an operator that starts timers or queued work should
 * release them on cancel ({@code Mono.create(sink -> sink.onCancel(...))}).
 *
 * <p>An empty {@code Mono} means "no output" and is treated like a skip. An operator that notices
 * the request's deadline itself (queued work dropped as expired) signals a
 * {@link java.util.concurrent.TimeoutException}: the node then ends as a timeout, handled by its
 * {@code on_timeout} policy, as it would have when its timer fired first.
 *
 * @param <O> the output type, the one its factory declares in {@link OperatorFactory#outputType()}
 */
@FunctionalInterface
public interface Operator<O> {

    /**
     * Runs this node for one request.
     *
     * @param in  the outputs of the node's settled upstream nodes, and the node's own identity
     * @param ctx the request: user, scene, count, context, deadline, debug flag, scratch attributes
     * @return the node's output; an error signal is handled by the node's {@code on_error} policy, a
     *         {@link java.util.concurrent.TimeoutException} by its {@code on_timeout} policy
     */
    Mono<O> apply(Inputs in, RequestContext ctx);
}
