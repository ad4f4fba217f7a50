package dev.funnel.server.wiring;

import dev.funnel.features.feedback.FeedbackEvent;
import dev.funnel.features.feedback.FeedbackSink;
import dev.funnel.features.profile.ProfileStore;
import dev.funnel.index.ClickCounts;
import dev.funnel.index.CoClickTable;
import dev.funnel.operators.recall.ClickFeedback;
import dev.funnel.sim.SimUser;
import dev.funnel.sim.SimWorld;
import dev.funnel.streams.IdleBackoff;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the recall branches learn from besides the catalog: the {@link CoClickTable} for
 * {@code recall.i2i} (seeded from the sim users' histories in demo mode), the windowed
 * {@link ClickCounts} for {@code recall.hot} with {@code window_hours}, and the {@link ClickFeedback}
 * hook. Clicks reach the hook by wrapping the registered {@link FeedbackSink}: click events are
 * queued (lock-free, bounded) and applied by one background thread, so the event loop that accepted
 * {@code POST /v1/feedback} never waits on a profile or table update.
 */
public final class RecallWiring implements FeatureWiring {

    private static final Logger LOG = LoggerFactory.getLogger(RecallWiring.class);
    /** Click events waiting for the applier; beyond this, clicks are dropped (and counted). */
    public static final int MAX_QUEUED_CLICKS = 100_000;

    @Override
    public int order() {
        return 260; // after FeedbackWiring (250) registered the sink this wraps
    }

    @Override
    public void wire(WiringContext ctx) {
        ProfileStore profiles = ctx.env().require(ProfileStore.class);
        CoClickTable coClicks = new CoClickTable();
        ctx.env().find(SimWorld.class).ifPresent(world -> {
            for (SimUser u : world.users()) {
                coClicks.addHistory(u.recentClicks());
            }
        });
        ClickCounts clickCounts = new ClickCounts(System::currentTimeMillis);
        ClickFeedback feedback = new ClickFeedback(profiles, coClicks, clickCounts);
        ctx.env().register(CoClickTable.class, coClicks).register(ClickCounts.class, clickCounts)
                .register(ClickFeedback.class, feedback);
        ctx.env().find(FeedbackSink.class).ifPresent(inner -> {
            ClickTee tee = new ClickTee(inner, feedback, Counter.builder("funnel.recall.clicks.dropped")
                    .description("clicks not applied to profiles and co-click tables because the queue was full")
                    .register(ctx.meterRegistry()));
            ctx.env().register(FeedbackSink.class, tee);
            ctx.onClose(tee::close);
        });
    }

    /** Passes every event on; queues clicks for the profile / co-click / counts update. */
    static final class ClickTee implements FeedbackSink, AutoCloseable {
        private final FeedbackSink inner;
        private final ClickFeedback feedback;
        private final Counter dropped;
        private final ConcurrentLinkedQueue<FeedbackEvent> clicks = new ConcurrentLinkedQueue<>();
        private final AtomicInteger queued = new AtomicInteger();
        private final Thread applier;
        private volatile boolean running = true;

        ClickTee(FeedbackSink inner, ClickFeedback feedback, Counter dropped) {
            this.inner = inner;
            this.feedback = feedback;
            this.dropped = dropped;
            this.applier = new Thread(this::drain, "funnel-click-feedback");
            applier.setDaemon(true);
            applier.start();
        }

        @Override
        public boolean offer(FeedbackEvent e) {
            if (e.type() == FeedbackEvent.Type.CLICK) {
                if (queued.incrementAndGet() <= MAX_QUEUED_CLICKS) {
                    clicks.offer(e);
                } else {
                    queued.decrementAndGet();
                    dropped.increment();
                }
            }
            return inner.offer(e);
        }

        private void drain() {
            IdleBackoff backoff = new IdleBackoff(1_000_000, 20_000_000); // a click may wait up to 20 ms to count
            while (running) {
                FeedbackEvent e = clicks.poll();
                if (e == null) {
                    backoff.idle();
                    continue;
                }
                backoff.reset();
                queued.decrementAndGet();
                try {
                    feedback.onClick(e.userId(), e.itemId(), e.timestampMillis());
                } catch (RuntimeException ex) {
                    LOG.error("applying click {} failed", e, ex);
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            applier.join(1_000);
        }
    }
}
