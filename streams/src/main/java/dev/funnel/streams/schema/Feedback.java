package dev.funnel.streams.schema;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * What a user did with a served item ({@code POST /v1/feedback}), on topic {@code feedback}.
 *
 * @param requestId       the recommend request that served the item
 * @param userId          external user id
 * @param itemId          item id
 * @param event           what happened
 * @param timestampMillis when it happened (client clock), epoch millis
 */
public record Feedback(String requestId, String userId, long itemId, Event event, long timestampMillis) {

    /** Schema version this build writes. */
    public static final int VERSION = 1;

    /** Feedback kinds; {@link #isPositive()} says which make a positive label. */
    public enum Event {
        EXPOSE, CLICK, LIKE, DISLIKE, CONVERT;

        /** Click, like and convert are positives; expose and dislike are not. */
        public boolean isPositive() {
            return this == CLICK || this == LIKE || this == CONVERT;
        }

        /** Parses the API's lower-case name ({@code click}); throws with the bad value otherwise. */
        public static Event parse(String name) {
            for (Event e : values()) {
                if (e.name().equalsIgnoreCase(name)) {
                    return e;
                }
            }
            throw new IllegalArgumentException("unknown feedback event '" + name + "' (expose|click|like|dislike|convert)");
        }
    }

    public Feedback {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(event, "event");
    }

    /** Encodes with the current schema version. */
    public byte[] encode() {
        BinaryWriter w = new BinaryWriter(64);
        Header.write(w, Header.TYPE_FEEDBACK, (byte) VERSION);
        w.writeString(requestId);
        w.writeString(userId);
        w.writeLong(itemId);
        w.writeByte(event.ordinal());
        w.writeLong(timestampMillis);
        return w.toByteArray();
    }

    /** Decodes a record written by this or an older schema version. */
    public static Feedback decode(ByteBuffer record) {
        BinaryReader r = new BinaryReader(record, "Feedback");
        int version = Header.read(r, Header.TYPE_FEEDBACK, "Feedback");
        if (version != 1) {
            throw Header.unknownVersion("Feedback", version, VERSION);
        }
        String requestId = r.readString();
        String userId = r.readString();
        long itemId = r.readLong();
        int ev = r.readByte();
        if (ev < 0 || ev >= Event.values().length) {
            throw new SchemaException(SchemaException.Reason.TRUNCATED, "Feedback has unknown event code " + ev);
        }
        long ts = r.readLong();
        if (requestId == null || userId == null) {
            throw new SchemaException(SchemaException.Reason.TRUNCATED, "Feedback without requestId or userId");
        }
        return new Feedback(requestId, userId, itemId, Event.values()[ev], ts);
    }
}
