package dev.funnel.features.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Producers race a consumer: nothing is lost or duplicated, accepted + dropped = offered, size stays bounded. */
class BufferedFeedbackSinkStressTest {

    @Test
    void producersAndConsumerKeepTheInvariants() throws Exception {
        int capacity = 1000;
        BufferedFeedbackSink sink = new BufferedFeedbackSink(capacity);
        int producers = 6;
        int perProducer = 20_000;
        AtomicLong accepted = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(producers);
        for (int p = 0; p < producers; p++) {
            int id = p;
            new Thread(() -> {
                try {
                    start.await();
                    for (int i = 1; i <= perProducer; i++) {
                        if (sink.offer(new FeedbackEvent(null, "u" + id, (long) id * perProducer + i, FeedbackEvent.Type.EXPOSE, i))) {
                            accepted.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }).start();
        }
        Set<Long> seen = new HashSet<>();
        start.countDown();
        while (done.getCount() > 0 || sink.size() > 0) {
            assertTrue(sink.size() <= capacity);
            for (FeedbackEvent e : sink.drain(100)) {
                assertTrue(seen.add(e.itemId()), "duplicate " + e.itemId());
            }
        }
        done.await();
        for (FeedbackEvent e : sink.drain(Integer.MAX_VALUE)) {
            assertTrue(seen.add(e.itemId()));
        }
        assertEquals(accepted.get(), seen.size(), "every accepted event drained once");
        assertEquals((long) producers * perProducer, accepted.get() + sink.dropped());
    }
}
