package dev.funnel.server.wiring;

import dev.funnel.features.feedback.FeedbackEvent;
import dev.funnel.features.feedback.FeedbackSink;
import dev.funnel.features.profile.InProcessProfileStore;
import dev.funnel.features.profile.ProfileConfig;
import dev.funnel.features.profile.ProfileStore;
import dev.funnel.index.ClickCounts;
import dev.funnel.index.CoClickTable;
import dev.funnel.operators.recall.ClickFeedback;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecallWiringTest {

    @Test
    void clicksThroughTheFeedbackSinkReachProfilesAndCoClicks() throws Exception {
        ProfileStore profiles = new InProcessProfileStore(id -> new float[] {1, 0}, ProfileConfig.DEFAULT);
        CoClickTable co = new CoClickTable();
        ClickCounts counts = new ClickCounts(System::currentTimeMillis);
        List<FeedbackEvent> passed = new ArrayList<>();
        FeedbackSink inner = e -> passed.add(e);
        RecallWiring.ClickTee tee = new RecallWiring.ClickTee(inner, new ClickFeedback(profiles, co, counts),
                new SimpleMeterRegistry().counter("dropped"));
        try {
            assertTrue(tee.offer(new FeedbackEvent("r1", "u1", 10, FeedbackEvent.Type.CLICK, 1)));
            assertTrue(tee.offer(new FeedbackEvent("r1", "u1", 11, FeedbackEvent.Type.EXPOSE, 2)));
            assertTrue(tee.offer(new FeedbackEvent("r1", "u1", 12, FeedbackEvent.Type.CLICK, 3)));
            assertEquals(3, passed.size(), "every event goes on to the learning loop");
            // applied by the background thread: wait for it, bounded
            long deadline = System.nanoTime() + 10_000_000_000L;
            while ((profiles.get("u1").recentClicks().length < 2 || co.size() < 2) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertArrayEquals(new long[] {12, 10}, profiles.get("u1").recentClicks(), "expose events are not clicks");
            long[] ids = new long[4];
            float[] ws = new float[4];
            assertEquals(1, co.neighbors(12, ids, ws));
            assertEquals(10, ids[0]);
        } finally {
            tee.close();
        }
    }
}
