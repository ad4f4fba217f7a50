package dev.funnel.streams.schema;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Little-endian reader over a buffer; truncation becomes a {@link SchemaException}. */
final class BinaryReader {

    /** No array in a record is longer than this: guards against a corrupt length allocating gigabytes. */
    private static final int MAX_LENGTH = 1 << 28;

    private final ByteBuffer buf;
    private final String what;

    BinaryReader(ByteBuffer buf, String what) {
        this.buf = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.what = what;
    }

    ByteBuffer buffer() {
        return buf;
    }

    int position() {
        return buf.position();
    }

    int remaining() {
        return buf.remaining();
    }

    private SchemaException truncated() {
        return new SchemaException(SchemaException.Reason.TRUNCATED, what + " ends early at byte " + buf.position());
    }

    byte readByte() {
        try {
            return buf.get();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    boolean readBoolean() {
        return readByte() != 0;
    }

    int readInt() {
        try {
            return buf.getInt();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    long readLong() {
        try {
            return buf.getLong();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    float readFloat() {
        return Float.intBitsToFloat(readInt());
    }

    double readDouble() {
        return Double.longBitsToDouble(readLong());
    }

    int readVarInt() {
        int v = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            byte b = readByte();
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (v < 0 || v > MAX_LENGTH) {
                    throw new SchemaException(SchemaException.Reason.TRUNCATED, what + " has a bad length " + v);
                }
                return v;
            }
        }
        throw new SchemaException(SchemaException.Reason.TRUNCATED, what + " has a malformed length");
    }

    private int length(int elementBytes) {
        int n = readVarInt();
        if ((long) n * elementBytes > buf.remaining()) {
            throw truncated();
        }
        return n;
    }

    String readString() {
        if (readByte() == 0) {
            return null;
        }
        int n = length(1);
        byte[] b = new byte[n];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    byte[] readByteArray() {
        int n = length(1);
        byte[] b = new byte[n];
        buf.get(b);
        return b;
    }

    long[] readLongs() {
        int n = length(8);
        long[] a = new long[n];
        buf.asLongBuffer().get(a);
        buf.position(buf.position() + n * 8);
        return a;
    }

    float[] readFloats() {
        int n = length(4);
        float[] a = new float[n];
        buf.asFloatBuffer().get(a);
        buf.position(buf.position() + n * 4);
        return a;
    }
}
