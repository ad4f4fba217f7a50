package dev.funnel.model.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal protobuf wire-format encoder: varints, length-delimited fields, fixed32 floats —
 * enough for ONNX's ModelProto. Not thread-safe.
 */
final class ProtoWriter {

    private static final int VARINT = 0;
    private static final int LEN = 2;
    private static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    ProtoWriter varint(int field, long value) {
        tag(field, VARINT);
        rawVarint(value);
        return this;
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter bytes(int field, byte[] value) {
        tag(field, LEN);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    ProtoWriter message(int field, ProtoWriter nested) {
        return bytes(field, nested.toByteArray());
    }

    ProtoWriter fixedFloat(int field, float value) {
        tag(field, FIXED32);
        int bits = Float.floatToRawIntBits(value);
        out.write(bits);
        out.write(bits >>> 8);
        out.write(bits >>> 16);
        out.write(bits >>> 24);
        return this;
    }

    /** A packed repeated int64 field. */
    ProtoWriter packedVarints(int field, long[] values) {
        ProtoWriter body = new ProtoWriter();
        for (long v : values) {
            body.rawVarint(v);
        }
        return message(field, body);
    }

    /** Appends already-encoded fields. */
    ProtoWriter raw(byte[] encodedFields) {
        out.writeBytes(encodedFields);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        rawVarint(((long) field << 3) | wireType);
    }

    private void rawVarint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
