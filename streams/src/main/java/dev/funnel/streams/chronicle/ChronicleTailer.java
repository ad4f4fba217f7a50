package dev.funnel.streams.chronicle;

import dev.funnel.streams.RecordHandler;
import dev.funnel.streams.StreamTailer;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import dev.funnel.streams.RecordMatcher;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.ByteBuffer;

/**
 * A Chronicle named tailer; the record is copied into a reused heap buffer before the handler runs.
 *
 * <p>Chronicle binds a tailer to the first thread that reads it and throws
 * {@code ThreadingIllegalStateException} when any other thread touches it, while {@link StreamTailer}
 * allows one thread at a time (a trainer seeks in its constructor, then polls on its own thread). So
 * each call that comes from another thread than the previous one hands the tailer over with
 * {@code singleThreadedCheckReset()}; the caller's handover (a thread start, a join) orders the two
 * threads' uses, as the contract requires.
 */
final class ChronicleTailer implements StreamTailer {

    private final ExcerptTailer tailer;
    private final String topic;
    private byte[] buf = new byte[4096];
    /** The thread that used the tailer last; plain field: uses are ordered by the caller's handover. */
    private Thread owner;

    ChronicleTailer(ExcerptTailer tailer, String topic) {
        this.tailer = tailer;
        this.topic = topic;
    }

    @Override
    public int poll(RecordHandler handler, int maxRecords) {
        own();
        int n = 0;
        while (n < maxRecords) {
            long index;
            int len;
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    break;
                }
                if (dc.isMetaData()) {
                    continue;
                }
                Bytes<?> bytes = dc.wire().bytes();
                len = (int) bytes.readRemaining();
                if (len > buf.length) {
                    buf = new byte[Math.max(len, buf.length * 2)];
                }
                bytes.read(buf, 0, len);
                index = dc.index();
            }
            // The document is closed (read acknowledged) before the handler runs, so a slow handler
            // never holds Chronicle's read context.
            handler.onRecord(index, ByteBuffer.wrap(buf, 0, len));
            n++;
        }
        return n;
    }

    @Override
    public boolean seekAfter(long position) {
        own();
        if (!tailer.moveToIndex(position)) {
            return false;
        }
        // moveToIndex also succeeds at the end of the queue, where no record is (yet): read the one at position.
        try (DocumentContext dc = tailer.readingDocument()) {
            return dc.isPresent();
        }
    }

    @Override
    public boolean seekToNewest(RecordMatcher match) {
        own();
        long found = newestMatch(tailer, match, buf);
        if (found < 0) {
            tailer.toStart();
            return false;
        }
        return tailer.moveToIndex(found);
    }

    /**
     * The index of the newest record of {@code tailer}'s queue that matches, scanning back from the end
     * (cycles the retention deleted end the scan like the queue's start), or -1; leaves the tailer
     * reading forward at an unspecified index.
     */
    static long newestMatch(ExcerptTailer tailer, RecordMatcher match, byte[] scratch) {
        byte[] b = scratch;
        tailer.direction(TailerDirection.BACKWARD).toEnd();
        try {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return -1;
                    }
                    if (dc.isMetaData()) {
                        continue;
                    }
                    Bytes<?> bytes = dc.wire().bytes();
                    int len = (int) bytes.readRemaining();
                    if (len > b.length) {
                        b = new byte[len];
                    }
                    bytes.read(b, 0, len);
                    if (match.matches(ByteBuffer.wrap(b, 0, len))) {
                        return dc.index();
                    }
                }
            }
        } finally {
            tailer.direction(TailerDirection.FORWARD);
        }
    }

    @Override
    public boolean caughtUp() {
        own();
        while (true) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return true;
                }
                if (!dc.isMetaData()) {
                    dc.rollbackOnClose(); // a record to deliver: leave it for the next poll
                    return false;
                }
                // metadata, which poll skips too
            }
        }
    }

    @Override
    public void seekToStart() {
        own();
        tailer.toStart();
    }

    @Override
    public void seekToEnd() {
        own();
        tailer.toEnd();
    }

    @Override
    public void commit() {
        // Chronicle persists a named tailer's index on every read.
    }

    @Override
    public void close() {
        own();
        tailer.close();
    }

    @Override
    public String toString() {
        return "ChronicleTailer{" + topic + "}";
    }

    private void own() {
        Thread current = Thread.currentThread();
        if (current != owner) {
            tailer.singleThreadedCheckReset();
            owner = current;
        }
    }
}
