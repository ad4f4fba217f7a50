package dev.funnel.streams.chronicle;

import dev.funnel.streams.RecordHandler;
import dev.funnel.streams.StreamTailer;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.ByteBuffer;

/** A Chronicle named tailer; the record is copied into a reused heap buffer before the handler runs. */
final class ChronicleTailer implements StreamTailer {

    private final ExcerptTailer tailer;
    private final String topic;
    private byte[] buf = new byte[4096];

    ChronicleTailer(ExcerptTailer tailer, String topic) {
        this.tailer = tailer;
        this.topic = topic;
    }

    @Override
    public int poll(RecordHandler handler, int maxRecords) {
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
    public void seekAfter(long position) {
        if (!tailer.moveToIndex(position)) {
            throw new IllegalArgumentException("topic " + topic + ": no record at position " + Long.toHexString(position));
        }
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                throw new IllegalStateException("topic " + topic + ": record " + Long.toHexString(position) + " vanished");
            }
        }
    }

    @Override
    public void seekToStart() {
        tailer.toStart();
    }

    @Override
    public void seekToEnd() {
        tailer.toEnd();
    }

    @Override
    public void commit() {
        // Chronicle persists a named tailer's index on every read.
    }

    @Override
    public void close() {
        tailer.close();
    }
}
