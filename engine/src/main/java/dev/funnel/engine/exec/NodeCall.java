package dev.funnel.engine.exec;

import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.LoopScheduler;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/**
 * One node's run for one request: subscribes to the operator's Mono and carries its signal back
 * to the request's loop. The same object is the loop task for both the hop back and the timeout
 * timer (a completed call means "deliver", an uncompleted one "time out"), so a node costs one
 * allocation here.
 *
 * <p>Threads: created and settled on the loop; {@code onSubscribe/onNext/onError/onComplete} may
 * come from any thread. {@code value}/{@code error} are published by the volatile write of
 * {@code completed} (and by the loop's queue when hopping).
 */
final class NodeCall implements CoreSubscriber<Object>, Runnable {

    final Run run;
    final int index;
    final long startNanos;
    /** Whether the request's budget (not the node's own deadline) bounds the timer. */
    final boolean budgetBound;

    private volatile Subscription subscription;
    private volatile boolean cancelled;
    private volatile boolean completed;
    Object value;
    Throwable error;

    /** Loop-only: inside {@code subscribe}, so a synchronous signal is picked up after it returns. */
    boolean subscribing;
    /** Loop-only: completed while subscribing. */
    boolean syncDone;
    /** Loop-only: the timeout timer, when one was scheduled. */
    LoopScheduler.Cancellable timer;
    /** For a cpu-heavy node: its inputs, handed to the pool. */
    Inputs inputs;

    NodeCall(Run run, int index, long startNanos, boolean budgetBound) {
        this.run = run;
        this.index = index;
        this.startNanos = startNanos;
        this.budgetBound = budgetBound;
    }

    @Override
    public void onSubscribe(Subscription s) {
        subscription = s;
        if (cancelled) {
            s.cancel();
        } else {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(Object v) {
        if (value == null) {
            value = v;
        }
    }

    @Override
    public void onError(Throwable t) {
        error = t;
        signal();
    }

    @Override
    public void onComplete() {
        signal();
    }

    private void signal() {
        completed = true;
        if (run.loop.inLoop()) {
            if (subscribing) {
                syncDone = true;
            } else {
                run.onSignal(this);
            }
        } else {
            run.loop.execute(this);
        }
    }

    boolean completed() {
        return completed;
    }

    /** Disposes the operator's work; any thread, idempotent. */
    void cancel() {
        cancelled = true;
        Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    boolean isCancelled() {
        return cancelled;
    }

    /** On the loop: the hop back after a signal elsewhere, or the timeout timer. */
    @Override
    public void run() {
        if (completed) {
            run.onSignal(this);
        } else {
            run.onTimeout(this);
        }
    }

    /** The pool task of a cpu-heavy node: apply and subscribe off the loop. */
    static final class Heavy implements Runnable, WorkerPool.Ordered {
        private final NodeCall call;

        Heavy(NodeCall call) {
            this.call = call;
        }

        /** When the request started on its loop: a {@link WorkerPool} in arrival order runs older requests' nodes first. */
        @Override
        public long arrivalNanos() {
            return call.run.startNanos();
        }

        @Override
        public void run() {
            NodeCall c = call;
            if (c.cancelled) {
                return; // expired while queued: dropped, not done
            }
            long cpu = ThreadCpuClock.nanos(); // a system call, on the worker (this task never runs on a loop)
            try {
                reactor.core.publisher.Mono<?> m = c.run.applyOperator(c.index, c.inputs);
                if (m == null) {
                    c.onError(new NullPointerException("operator returned a null Mono"));
                    return;
                }
                m.subscribe(c);
            } catch (Throwable t) {
                c.onError(t);
            } finally {
                if (cpu >= 0) {
                    c.run.nodeCpu(c.index, ThreadCpuClock.nanos() - cpu);
                }
            }
        }
    }
}
