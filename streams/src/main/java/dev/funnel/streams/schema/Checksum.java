package dev.funnel.streams.schema;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The trailing CRC32C of the records that must not be misread when a byte flips (a model delta would
 * serve wrong weights, a model control record pin another version): four bytes, little-endian, over
 * everything before them.
 */
final class Checksum {

    /** Bytes the checksum adds to a record. */
    static final int SIZE = 4;

    private Checksum() {
    }

    /** Appends the checksum of everything {@code w} holds. */
    static void append(BinaryWriter w) {
        CRC32C crc = new CRC32C();
        crc.update(w.array(), 0, w.size());
        w.writeInt((int) crc.getValue());
    }

    /**
     * Checks the checksum of {@code record} (position to limit, checksum last) without moving it.
     *
     * @param what the record's schema, for the message
     * @throws SchemaException with reason {@code TRUNCATED} when the record cannot hold a header and a
     *                         checksum, as {@link Header#peekType} when it is not a Funnel record,
     *                         {@code CHECKSUM} when its content does not match
     */
    static void verify(ByteBuffer record, String what) {
        int start = record.position();
        int length = record.remaining();
        if (length < Header.SIZE + SIZE) {
            throw new SchemaException(SchemaException.Reason.TRUNCATED, what + " of " + length + " bytes");
        }
        Header.peekType(record); // not one of ours at all: say so rather than "checksum"
        CRC32C crc = new CRC32C();
        ByteBuffer body = record.duplicate();
        body.position(start).limit(start + length - SIZE);
        crc.update(body);
        int stored = record.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(start + length - SIZE);
        if (stored != (int) crc.getValue()) {
            throw new SchemaException(SchemaException.Reason.CHECKSUM, what + " checksum " + Integer.toHexString(stored)
                    + " != computed " + Integer.toHexString((int) crc.getValue()));
        }
    }
}
