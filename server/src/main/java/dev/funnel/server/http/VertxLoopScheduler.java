package dev.funnel.server.http;

import dev.funnel.engine.spi.LoopScheduler;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The engine's {@link LoopScheduler} over a Vert.x event-loop context. Timers go straight to the
 * context's Netty event loop, whose scheduler keeps nanosecond deadlines (Vert.x timers are
 * millisecond-granular, too coarse for per-node budgets of a few ms); every task runs through
 * {@link ContextInternal#dispatch}, so it sees the Vert.x context as handlers do and an exception
 * it throws is reported to the context's exception handler, not lost. One instance per verticle;
 * any thread may call it.
 */
public final class VertxLoopScheduler implements LoopScheduler {

    private final ContextInternal context;
    private final EventLoop loop;

    /** @param context an event-loop context (a verticle's, or a request's duplicate of it) */
    public VertxLoopScheduler(Context context) {
        this.context = (ContextInternal) context;
        if (!this.context.isEventLoopContext()) {
            throw new IllegalArgumentException("not an event-loop context: " + context);
        }
        this.loop = this.context.nettyEventLoop();
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        ScheduledFuture<?> f = loop.schedule(() -> context.dispatch(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void execute(Runnable task) {
        loop.execute(() -> context.dispatch(task));
    }

    @Override
    public boolean inLoop() {
        return loop.inEventLoop();
    }

    /** Whether this scheduler runs on that context's event loop. */
    boolean sameLoop(Context other) {
        return other instanceof ContextInternal ci && ci.nettyEventLoop() == loop;
    }

    @Override
    public String toString() {
        return "VertxLoopScheduler{" + loop + '}';
    }
}
