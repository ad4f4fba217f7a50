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

    /** The written bytes: the buffer itself when it was sized exactly (see the {@code sizeOf} helpers), else a copy. */
    byte[] toByteArray() {
        return pos == buf.length ? buf : Arrays.copyOf(buf, pos);
    }

    /** Bytes {@link #writeVarInt} writes for v. */
    static int sizeOfVarInt(int v) {
        int n = 1;
        while ((v & ~0x7F) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    /** Bytes {@link #writeString} writes for s, counted without encoding it. */
    static int sizeOfString(String s) {
        if (s == null) {
            return 1;
        }
        int utf8 = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                utf8++;
            } else if (c < 0x800) {
                utf8 += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                utf8 += 4;
                i++;
            } else {
                // A lone surrogate is encoded as '?' by String.getBytes(UTF_8).
                utf8 += Character.isSurrogate(c) ? 1 : 3;
            }
        }
        return 1 + sizeOfVarInt(utf8) + utf8;
    }

    /** Bytes {@link #writeLongs} writes for a. */
    static int sizeOfLongs(long[] a) {
        int n = a == null ? 0 : a.length;
        return sizeOfVarInt(n) + 8 * n;
    }

    /** Bytes {@link #writeFloats} writes for a. */
    static int sizeOfFloats(float[] a) {
        int n = a == null ? 0 : a.length;
        return sizeOfVarInt(n) + 4 * n;
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
