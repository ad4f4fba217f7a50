package dev.funnel.trainer.log;

import dev.funnel.features.FeatureBatch;
import dev.funnel.features.feedback.FeedbackEvent;
import dev.funnel.streams.StreamTailer;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import dev.funnel.streams.schema.Feedback;
import dev.funnel.streams.schema.ImpressionLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopWriterTest {

    @TempDir
    Path dir;

    @Test
    void impressionCarriesTheRankersRowsForServedItems() {
        FeatureBatch batch = FeatureBatch.of("s@1", 2, 3, 1, 3, new long[]{10, 11, 12},
                new long[]{1, 2, 3, 4, 5, 6}, new long[]{1, 2, 7, 3, 4, 8, 5, 6, 9}, new float[]{0.1f, 0.2f, 0.3f},
                new float[]{1, 0});
        try (Transport t = new ChronicleTransport(dir)) {
            LoopWriter w = new LoopWriter(t, 16);
            assertTrue(w.logImpression("r1", "u1", "home", "ctr", 3, batch, new float[][]{{9, 9}, null}, new long[]{12, 99},
                    new float[]{0.9f, 0.1f}, 5L));
            w.close();
            List<ImpressionLog> got = new ArrayList<>();
            try (StreamTailer tail = t.tailer(Topics.IMPRESSIONS, "check")) {
                tail.poll((p, b) -> got.add(ImpressionLog.decode(b)), 10);
            }
            assertEquals(1, got.size());
            ImpressionLog log = got.get(0);
            assertEquals("s@1", log.featureSchema());
            assertArrayEquals(new float[]{1, 0}, log.userEmbedding());
            ImpressionLog.Served first = log.items().get(0);
            assertEquals(12, first.itemId());
            assertArrayEquals(new long[]{5, 6}, first.fieldIds());
            assertArrayEquals(new long[]{5, 6, 9}, first.wideIds());
            assertArrayEquals(new float[]{0.3f}, first.dense());
            assertArrayEquals(new float[]{9, 9}, first.itemEmbedding());
            assertEquals(0, log.items().get(1).fieldIds().length, "an item the ranker did not score has no features");
        }
    }

    /** Stress: many producer threads through the feedback sink; every accepted event is on the stream once. */
    @Test
    void manyProducersLoseNothingTheyWereToldWasAccepted() throws Exception {
        try (Transport t = new ChronicleTransport(dir)) {
            LoopWriter w = new LoopWriter(t, 1024);
            StreamFeedbackSink sink = new StreamFeedbackSink(w);
            int threads = 6;
            int each = 5_000;
            CountDownLatch go = new CountDownLatch(1);
            long[] accepted = new long[threads];
            List<Thread> ts = new ArrayList<>();
            for (int k = 0; k < threads; k++) {
                int id = k;
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < each; i++) {
                        if (sink.offer(new FeedbackEvent("r" + id + "-" + i, "u", 1 + i, FeedbackEvent.Type.CLICK, i))) {
                            accepted[id]++;
                        }
                    }
                });
                th.start();
                ts.add(th);
            }
            go.countDown();
            for (Thread th : ts) {
                th.join();
            }
            w.close();
            long total = 0;
            for (long a : accepted) {
                total += a;
            }
            assertEquals((long) threads * each, total + w.dropped());
            Set<String> seen = new HashSet<>();
            try (StreamTailer tail = t.tailer(Topics.FEEDBACK, "check")) {
                while (tail.poll((p, b) -> assertTrue(seen.add(Feedback.decode(b).requestId()), "no duplicates"), 1000) > 0) {
                    // drain
                }
            }
            assertEquals(total, seen.size());
            assertEquals(total, w.written());
        }
    }
}
