package dev.funnel.streams.schema;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A catalog change on topic {@code item-updates}: an item created or changed ({@link Op#UPSERT},
 * carrying the whole item) or removed ({@link Op#DELETE}, only the id is meaningful).
 *
 * @param op              upsert or delete
 * @param itemId          item id
 * @param category        category, e.g. {@code c07}
 * @param author          author, e.g. {@code a0123}
 * @param tags            tags
 * @param online          status online (servable) or offline
 * @param createdAtMillis creation time, epoch millis
 * @param popularity      prior popularity
 * @param embedding       content embedding (may be empty)
 * @param timestampMillis when the update was made, epoch millis
 */
public record ItemUpdate(Op op, long itemId, String category, String author, List<String> tags, boolean online,
                         long createdAtMillis, double popularity, float[] embedding, long timestampMillis) {

    /** Schema version this build writes. */
    public static final int VERSION = 1;

    /** Kind of change. */
    public enum Op { UPSERT, DELETE }

    public ItemUpdate {
        Objects.requireNonNull(op, "op");
        category = category == null ? "" : category;
        author = author == null ? "" : author;
        tags = tags == null ? List.of() : List.copyOf(tags);
        embedding = embedding == null ? new float[0] : embedding;
    }

    /** A delete of this item. */
    public static ItemUpdate delete(long itemId, long timestampMillis) {
        return new ItemUpdate(Op.DELETE, itemId, "", "", List.of(), false, 0, 0, new float[0], timestampMillis);
    }

    /** Encodes with the current schema version. */
    public byte[] encode() {
        BinaryWriter w = new BinaryWriter(128 + embedding.length * 4);
        Header.write(w, Header.TYPE_ITEM_UPDATE, (byte) VERSION);
        w.writeByte(op.ordinal());
        w.writeLong(itemId);
        w.writeString(category);
        w.writeString(author);
        w.writeVarInt(tags.size());
        for (String t : tags) {
            w.writeString(t);
        }
        w.writeBoolean(online);
        w.writeLong(createdAtMillis);
        w.writeDouble(popularity);
        w.writeFloats(embedding);
        w.writeLong(timestampMillis);
        return w.toByteArray();
    }

    /** Decodes a record written by this or an older schema version. */
    public static ItemUpdate decode(ByteBuffer record) {
        BinaryReader r = new BinaryReader(record, "ItemUpdate");
        int version = Header.read(r, Header.TYPE_ITEM_UPDATE, "ItemUpdate");
        if (version != 1) {
            throw Header.unknownVersion("ItemUpdate", version, VERSION);
        }
        int op = r.readByte();
        if (op < 0 || op >= Op.values().length) {
            throw new SchemaException(SchemaException.Reason.TRUNCATED, "ItemUpdate has unknown op " + op);
        }
        long itemId = r.readLong();
        String category = r.readString();
        String author = r.readString();
        int nTags = r.readVarInt();
        List<String> tags = new ArrayList<>(Math.min(nTags, 64));
        for (int i = 0; i < nTags; i++) {
            tags.add(r.readString());
        }
        boolean online = r.readBoolean();
        long created = r.readLong();
        double popularity = r.readDouble();
        float[] emb = r.readFloats();
        long ts = r.readLong();
        return new ItemUpdate(Op.values()[op], itemId, category, author, tags, online, created, popularity, emb, ts);
    }
}
