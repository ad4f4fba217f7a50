package dev.funnel.model.onnx;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the {@code metadata_props} of an ONNX {@code ModelProto} without loading it, so every
 * backend (TensorRT engines keep no ONNX metadata) reports the same metadata. Stateless.
 */
public final class OnnxMetadata {

    private OnnxMetadata() {
    }

    /**
     * The model's metadata entries, in file order.
     *
     * @throws IllegalArgumentException when the bytes are not a well-formed protobuf message
     */
    public static Map<String, String> read(byte[] model) {
        Map<String, String> out = new LinkedHashMap<>();
        Reader r = new Reader(model, 0, model.length);
        while (r.more()) {
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 14 && wire == 2) {
                int len = (int) r.varint();
                Reader e = new Reader(model, r.pos, r.pos + len);
                String key = null;
                String value = null;
                while (e.more()) {
                    long t = e.varint();
                    if ((t & 7) == 2 && (t >>> 3) == 1) {
                        key = e.string();
                    } else if ((t & 7) == 2 && (t >>> 3) == 2) {
                        value = e.string();
                    } else {
                        e.skip((int) (t & 7));
                    }
                }
                if (key != null) {
                    out.put(key, value == null ? "" : value);
                }
                r.pos += len;
            } else {
                r.skip(wire);
            }
        }
        return out;
    }

    /** A cursor over protobuf bytes. */
    private static final class Reader {
        private final byte[] b;
        private final int end;
        private int pos;

        Reader(byte[] b, int start, int end) {
            if (end > b.length || start > end) {
                throw new IllegalArgumentException("truncated protobuf message");
            }
            this.b = b;
            this.pos = start;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new IllegalArgumentException("truncated varint at byte " + pos);
                }
                byte x = b[pos++];
                v |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("malformed varint at byte " + pos);
        }

        String string() {
            int len = (int) varint();
            if (len < 0 || pos + len > end) {
                throw new IllegalArgumentException("truncated string at byte " + pos);
            }
            String s = new String(b, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        void skip(int wire) {
            switch (wire) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> {
                    int len = (int) varint();
                    if (len < 0 || pos + len > end) {
                        throw new IllegalArgumentException("truncated field at byte " + pos);
                    }
                    pos += len;
                }
                case 5 -> pos += 4;
                default -> throw new IllegalArgumentException("unsupported wire type " + wire + " at byte " + pos);
            }
            if (pos > end) {
                throw new IllegalArgumentException("truncated field");
            }
        }
    }
}
