package dev.funnel.features.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded in-memory {@link FeedbackSink}: keeps up to {@code capacity} events for a consumer to
 * {@link #drain}, drops (and counts) the rest. Lock-free; many producers, one or more consumers.
 */
public final class BufferedFeedbackSink implements FeedbackSink {

    /** Default capacity: a few seconds of heavy traffic. */
    public static final int DEFAULT_CAPACITY = 100_000;

    private final ConcurrentLinkedQueue<FeedbackEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private final int capacity;

    public BufferedFeedbackSink(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public boolean offer(FeedbackEvent event) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            dropped.increment();
            return false;
        }
        queue.offer(event);
        return true;
    }

    /** Removes and returns up to {@code max} events, oldest first. Any thread. */
    public List<FeedbackEvent> drain(int max) {
        List<FeedbackEvent> out = new ArrayList<>(Math.min(max, Math.max(0, size.get())));
        FeedbackEvent e;
        while (out.size() < max && (e = queue.poll()) != null) {
            size.decrementAndGet();
            out.add(e);
        }
        return out;
    }

    /** Events held now. */
    public int size() {
        return Math.min(size.get(), capacity);
    }

    /** Events dropped because the buffer was full. */
    public long dropped() {
        return dropped.sum();
    }

    @Override
    public String toString() {
        return "BufferedFeedbackSink{capacity=" + capacity + ", size=" + size() + ", dropped=" + dropped() + '}';
    }
}
