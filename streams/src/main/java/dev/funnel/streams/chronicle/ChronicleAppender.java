package dev.funnel.streams.chronicle;

import dev.funnel.streams.StreamAppender;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Chronicle appenders belong to one thread each, so this keeps one per calling thread. Writing is a
 * memory-mapped copy: no lock of ours, no syscall in the common case.
 */
final class ChronicleAppender implements StreamAppender, AutoCloseable {

    private final ChronicleQueue queue;
    private final List<ExcerptAppender> all = new ArrayList<>();
    private final ThreadLocal<ExcerptAppender> perThread;

    ChronicleAppender(ChronicleQueue queue) {
        this.queue = queue;
        this.perThread = ThreadLocal.withInitial(this::newAppender);
    }

    private ExcerptAppender newAppender() {
        ExcerptAppender a = queue.createAppender();
        synchronized (all) {
            all.add(a);
        }
        return a;
    }

    @Override
    public void append(byte[] payload, int offset, int length) {
        try (DocumentContext dc = perThread.get().writingDocument()) {
            dc.wire().bytes().write(payload, offset, length);
        }
    }

    @Override
    public void flush() {
        // A closed document is already visible to tailers on this host.
    }

    @Override
    public void close() {
        synchronized (all) {
            all.forEach(ExcerptAppender::close);
            all.clear();
        }
    }
}
