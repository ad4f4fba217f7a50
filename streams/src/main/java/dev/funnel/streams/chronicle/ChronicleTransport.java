package dev.funnel.streams.chronicle;

import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.StreamTailer;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@link Transport} over Chronicle Queue: topic {@code t} lives in {@code baseDir/t}. Named tailers
 * are Chronicle named tailers, whose read index Chronicle persists in the queue's metadata on every
 * read, so {@link StreamTailer#commit()} has nothing left to do. Thread-safe.
 */
public final class ChronicleTransport implements Transport {

    static {
        if (System.getProperty("chronicle.analytics.disable") == null) {
            System.setProperty("chronicle.analytics.disable", "true");
        }
    }

    private final Path baseDir;
    private final ConcurrentMap<String, ChronicleQueue> queues = new ConcurrentHashMap<>();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private volatile boolean closed;

    /** Opens (or creates) the topics directory. */
    public ChronicleTransport(Path baseDir) {
        try {
            this.baseDir = Files.createDirectories(baseDir);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("chronicle transport: cannot create directory " + baseDir + ": " + e, e);
        }
    }

    public Path baseDir() {
        return baseDir;
    }

    ChronicleQueue queue(String topic) {
        if (closed) {
            throw new IllegalStateException("chronicle transport " + baseDir + " is closed");
        }
        return queues.computeIfAbsent(Topics.requireValid(topic),
                t -> SingleChronicleQueueBuilder.single(baseDir.resolve(t).toFile()).build());
    }

    @Override
    public StreamAppender appender(String topic) {
        ChronicleAppender a = new ChronicleAppender(queue(topic));
        register(a);
        return a;
    }

    @Override
    public StreamTailer tailer(String topic, String name) {
        if (name == null || name.isEmpty() || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("tailer name must match [A-Za-z0-9._-]+, got '" + name + "'");
        }
        ChronicleTailer t = new ChronicleTailer(queue(topic).createTailer(name), topic);
        register(t);
        return t;
    }

    private void register(AutoCloseable c) {
        synchronized (opened) {
            opened.add(c);
        }
    }

    @Override
    public void close() {
        closed = true;
        List<AutoCloseable> toClose;
        synchronized (opened) {
            toClose = new ArrayList<>(opened);
            opened.clear();
        }
        RuntimeException first = null;
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception e) {
                first = first == null ? new IllegalStateException("closing chronicle transport " + baseDir, e) : first;
            }
        }
        queues.values().forEach(ChronicleQueue::close);
        queues.clear();
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "ChronicleTransport{baseDir=" + baseDir + "}";
    }
}
