package dev.funnel.streams.schema;

import java.nio.ByteBuffer;

/** The three-byte header of every record: magic, type, version. */
public final class Header {

    /** First byte of every record. */
    public static final byte MAGIC = (byte) 0xF7;
    public static final byte TYPE_IMPRESSION = 1;
    public static final byte TYPE_FEEDBACK = 2;
    public static final byte TYPE_ITEM_UPDATE = 3;
    public static final byte TYPE_MODEL_DELTA = 4;
    public static final byte TYPE_MODEL_CONTROL = 5;
    static final int SIZE = 3;

    private Header() {
    }

    /** The record type of an encoded record, without consuming it. */
    public static byte peekType(ByteBuffer record) {
        if (record.remaining() < SIZE) {
            throw new SchemaException(SchemaException.Reason.TRUNCATED, "record of " + record.remaining() + " bytes has no header");
        }
        if (record.get(record.position()) != MAGIC) {
            throw new SchemaException(SchemaException.Reason.BAD_MAGIC, "first byte " + record.get(record.position()));
        }
        return record.get(record.position() + 1);
    }

    static void write(BinaryWriter w, byte type, byte version) {
        w.writeByte(MAGIC);
        w.writeByte(type);
        w.writeByte(version);
    }

    /** Reads the header, checks magic and type, returns the version (not checked here). */
    static int read(BinaryReader r, byte expectedType, String what) {
        byte type = peekType(r.buffer());
        if (type != expectedType) {
            throw new SchemaException(SchemaException.Reason.WRONG_TYPE, what + " expected type " + expectedType + ", got " + type);
        }
        r.readByte();
        r.readByte();
        return r.readByte() & 0xFF;
    }

    static SchemaException unknownVersion(String what, int version, int newest) {
        return new SchemaException(SchemaException.Reason.UNKNOWN_VERSION,
                what + " schema version " + version + " is not known (newest known: " + newest + ")");
    }
}
