package dev.funnel.streams.schema;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Growable little-endian writer. Single-threaded; reuse with {@link #reset()}. */
final class BinaryWriter {

    private byte[] buf;
    private int pos;

    BinaryWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    void reset() {
        pos = 0;
    }

    int size() {
        return pos;
    }

    byte[] array() {
        return buf;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    void writeByte(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    void writeBoolean(boolean b) {
        writeByte(b ? 1 : 0);
    }

    void writeInt(int v) {
        ensure(4);
        buf[pos++] = (byte) v;
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 24);
    }

    void writeLong(long v) {
        writeInt((int) v);
        writeInt((int) (v >>> 32));
    }

    void writeFloat(float v) {
        writeInt(Float.floatToRawIntBits(v));
    }

    void writeDouble(double v) {
        writeLong(Double.doubleToRawLongBits(v));
    }

    void writeVarInt(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("negative length " + v);
        }
        while ((v & ~0x7F) != 0) {
            writeByte((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        writeByte(v);
    }

    /** Null-safe: null is written as length 0 with a marker byte. */
    void writeString(String s) {
        if (s == null) {
            writeByte(0);
            return;
        }
        writeByte(1);
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeVarInt(b.length);
        writeBytes(b, 0, b.length);
    }

    void writeBytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    void writeByteArray(byte[] b) {
        int n = b == null ? 0 : b.length;
        writeVarInt(n);
        if (n > 0) {
            writeBytes(b, 0, n);
        }
    }

    void writeLongs(long[] a) {
        int n = a == null ? 0 : a.length;
        writeVarInt(n);
        ensure(n * 8);
        for (int i = 0; i < n; i++) {
            writeLong(a[i]);
        }
    }

    void writeFloats(float[] a) {
        int n = a == null ? 0 : a.length;
        writeVarInt(n);
        ensure(n * 4);
        for (int i = 0; i < n; i++) {
            writeFloat(a[i]);
        }
    }
}
