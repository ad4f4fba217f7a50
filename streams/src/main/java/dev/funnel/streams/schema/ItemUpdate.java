package dev.funnel.streams.schema;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * @param attributes      extra fields: String, Long, Double, Boolean or a List of Strings each (schema 2; a
 *                        record of schema 1 has none)
 */
public record ItemUpdate(Op op, long itemId, String category, String author, List<String> tags, boolean online,
                         long createdAtMillis, double popularity, float[] embedding, long timestampMillis,
                         Map<String, Object> attributes) {

    /** Schema version this build writes: 2 added {@code attributes}. */
    public static final int VERSION = 2;

    private static final int ATTR_STRING = 0;
    private static final int ATTR_LONG = 1;
    private static final int ATTR_DOUBLE = 2;
    private static final int ATTR_BOOLEAN = 3;
    private static final int ATTR_STRINGS = 4;

    /** Kind of change. */
    public enum Op { UPSERT, DELETE }

    public ItemUpdate {
        Objects.requireNonNull(op, "op");
        category = category == null ? "" : category;
        author = author == null ? "" : author;
        tags = tags == null ? List.of() : List.copyOf(tags);
        embedding = embedding == null ? new float[0] : embedding;
        attributes = attributes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        for (Map.Entry<String, Object> e : attributes.entrySet()) {
            Object v = e.getValue();
            if (!(v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean
                    || v instanceof List<?> l && l.stream().allMatch(String.class::isInstance))) {
                throw new IllegalArgumentException("item " + itemId + ": attribute '" + e.getKey()
                        + "' must be a String, Long, Double, Boolean or list of Strings, got " + v);
            }
        }
    }

    /** An update without attributes. */
    public ItemUpdate(Op op, long itemId, String category, String author, List<String> tags, boolean online,
                      long createdAtMillis, double popularity, float[] embedding, long timestampMillis) {
        this(op, itemId, category, author, tags, online, createdAtMillis, popularity, embedding, timestampMillis, Map.of());
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
        w.writeVarInt(attributes.size());
        for (Map.Entry<String, Object> e : attributes.entrySet()) {
            w.writeString(e.getKey());
            Object v = e.getValue();
            if (v instanceof String str) {
                w.writeByte(ATTR_STRING);
                w.writeString(str);
            } else if (v instanceof Long l) {
                w.writeByte(ATTR_LONG);
                w.writeLong(l);
            } else if (v instanceof Double d) {
                w.writeByte(ATTR_DOUBLE);
                w.writeDouble(d);
            } else if (v instanceof Boolean b) {
                w.writeByte(ATTR_BOOLEAN);
                w.writeBoolean(b);
            } else {
                List<?> list = (List<?>) v; // the constructor admits nothing else
                w.writeByte(ATTR_STRINGS);
                w.writeVarInt(list.size());
                for (Object x : list) {
                    w.writeString((String) x);
                }
            }
        }
        return w.toByteArray();
    }

    /** Decodes a record written by this or an older schema version. */
    public static ItemUpdate decode(ByteBuffer record) {
        BinaryReader r = new BinaryReader(record, "ItemUpdate");
        int version = Header.read(r, Header.TYPE_ITEM_UPDATE, "ItemUpdate");
        if (version != 1 && version != 2) {
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
        Map<String, Object> attributes = new LinkedHashMap<>();
        int nAttributes = version == 1 ? 0 : r.readVarInt();
        for (int i = 0; i < nAttributes; i++) {
            String key = r.readString();
            int type = r.readByte();
            attributes.put(key, switch (type) {
                case ATTR_STRING -> r.readString();
                case ATTR_LONG -> r.readLong();
                case ATTR_DOUBLE -> r.readDouble();
                case ATTR_BOOLEAN -> r.readBoolean();
                case ATTR_STRINGS -> {
                    int n = r.readVarInt();
                    List<String> l = new ArrayList<>(Math.min(n, 64));
                    for (int j = 0; j < n; j++) {
                        l.add(r.readString());
                    }
                    yield List.copyOf(l);
                }
                default -> throw new SchemaException(SchemaException.Reason.TRUNCATED, "ItemUpdate attribute '" + key
                        + "' has unknown type " + type);
            });
        }
        return new ItemUpdate(Op.values()[op], itemId, category, author, tags, online, created, popularity, emb, ts, attributes);
    }
}
