package dev.funnel.trainer;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * A buffered output stream for one thread. {@link java.io.BufferedOutputStream} takes a lock on every
 * {@code write(int)}, and {@link java.io.DataOutputStream#writeFloat} on Java 17 makes four of them per
 * float: most of a checkpoint's time when the learner's rows run to many megabytes.
 */
final class CheckpointOutputStream extends OutputStream {

    private final OutputStream out;
    private final byte[] buf;
    private int count;

    CheckpointOutputStream(OutputStream out, int bufferBytes) {
        if (bufferBytes < 1) {
            throw new IllegalArgumentException("checkpoint buffer must be >= 1 byte, got " + bufferBytes);
        }
        this.out = Objects.requireNonNull(out, "out");
        this.buf = new byte[bufferBytes];
    }

    @Override
    public void write(int b) throws IOException {
        if (count == buf.length) {
            drain();
        }
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len >= buf.length) {
            drain();
            out.write(b, off, len);
            return;
        }
        if (len > buf.length - count) {
            drain();
        }
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    private void drain() throws IOException {
        if (count > 0) {
            out.write(buf, 0, count);
            count = 0;
        }
    }

    @Override
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        try (OutputStream o = out) {
            drain();
        }
    }
}
