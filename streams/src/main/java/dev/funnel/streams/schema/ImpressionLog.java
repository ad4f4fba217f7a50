package dev.funnel.streams.schema;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one response served, with the exact features the ranker scored each item with, on topic
 * {@code impressions}. Training reads these features as they are: it never re-extracts them, so it
 * sees what serving saw (the layout is the feature schema's: field ids, wide ids, dense values, and
 * the user's and item's content embeddings).
 *
 * @param requestId       the recommend request
 * @param userId          external user id
 * @param scene           the scene served
 * @param modelName       the ranking model that scored the items
 * @param modelVersion    its version at scoring time
 * @param featureSchema   version of the feature schema that produced the features, e.g. {@code ctr-v1@3f2a}
 * @param timestampMillis when the response was sent, epoch millis
 * @param userEmbedding   the user's content embedding the ranker used (empty when the user had none)
 * @param items           served items in slate order
 */
public record ImpressionLog(String requestId, String userId, String scene, String modelName, long modelVersion,
                            String featureSchema, long timestampMillis, float[] userEmbedding, List<Served> items) {

    /** Schema version this build writes. */
    public static final int VERSION = 1;

    /**
     * One served item and the features it was ranked with.
     *
     * @param itemId        item id
     * @param position      0-based slate position
     * @param score         the score the ranker gave
     * @param fieldIds      hashed sparse field ids (one per schema field)
     * @param wideIds       hashed wide ids (fields, crosses, tag slots)
     * @param dense         dense feature values
     * @param itemEmbedding the item's content embedding the ranker used (may be empty)
     */
    public record Served(long itemId, int position, float score, long[] fieldIds, long[] wideIds, float[] dense,
                         float[] itemEmbedding) {
        public Served {
            fieldIds = fieldIds == null ? new long[0] : fieldIds;
            wideIds = wideIds == null ? new long[0] : wideIds;
            dense = dense == null ? new float[0] : dense;
            itemEmbedding = itemEmbedding == null ? new float[0] : itemEmbedding;
        }
    }

    public ImpressionLog {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(userId, "userId");
        scene = scene == null ? "" : scene;
        modelName = modelName == null ? "" : modelName;
        featureSchema = featureSchema == null ? "" : featureSchema;
        userEmbedding = userEmbedding == null ? new float[0] : userEmbedding;
        items = List.copyOf(items);
    }

    /** Encodes with the current schema version into an array of exactly the encoded size (no growth, no copy). */
    public byte[] encode() {
        int size = encodedSize();
        BinaryWriter w = new BinaryWriter(size);
        Header.write(w, Header.TYPE_IMPRESSION, (byte) VERSION);
        w.writeString(requestId);
        w.writeString(userId);
        w.writeString(scene);
        w.writeString(modelName);
        w.writeLong(modelVersion);
        w.writeString(featureSchema);
        w.writeLong(timestampMillis);
        w.writeFloats(userEmbedding);
        w.writeVarInt(items.size());
        for (Served s : items) {
            w.writeLong(s.itemId());
            w.writeVarInt(s.position());
            w.writeFloat(s.score());
            w.writeLongs(s.fieldIds());
            w.writeLongs(s.wideIds());
            w.writeFloats(s.dense());
            w.writeFloats(s.itemEmbedding());
        }
        if (w.size() != size) {
            throw new IllegalStateException("ImpressionLog: encoded " + w.size() + " bytes, sized " + size);
        }
        return w.toByteArray();
    }

    /** Bytes {@link #encode()} writes (an impression of 10 default-schema items with 64-float embeddings is about 5.6 KB). */
    public int encodedSize() {
        int n = Header.SIZE + BinaryWriter.sizeOfString(requestId) + BinaryWriter.sizeOfString(userId)
                + BinaryWriter.sizeOfString(scene) + BinaryWriter.sizeOfString(modelName) + 8
                + BinaryWriter.sizeOfString(featureSchema) + 8 + BinaryWriter.sizeOfFloats(userEmbedding)
                + BinaryWriter.sizeOfVarInt(items.size());
        for (Served s : items) {
            n += 8 + BinaryWriter.sizeOfVarInt(s.position()) + 4 + BinaryWriter.sizeOfLongs(s.fieldIds())
                    + BinaryWriter.sizeOfLongs(s.wideIds()) + BinaryWriter.sizeOfFloats(s.dense())
                    + BinaryWriter.sizeOfFloats(s.itemEmbedding());
        }
        return n;
    }

    /** Decodes a record written by this or an older schema version. */
    public static ImpressionLog decode(ByteBuffer record) {
        BinaryReader r = new BinaryReader(record, "ImpressionLog");
        int version = Header.read(r, Header.TYPE_IMPRESSION, "ImpressionLog");
        if (version != 1) {
            throw Header.unknownVersion("ImpressionLog", version, VERSION);
        }
        String requestId = r.readString();
        String userId = r.readString();
        String scene = r.readString();
        String model = r.readString();
        long modelVersion = r.readLong();
        String schema = r.readString();
        long ts = r.readLong();
        float[] userEmb = r.readFloats();
        int n = r.readVarInt();
        List<Served> items = new ArrayList<>(Math.min(n, 4096));
        for (int i = 0; i < n; i++) {
            long itemId = r.readLong();
            int pos = r.readVarInt();
            float score = r.readFloat();
            items.add(new Served(itemId, pos, score, r.readLongs(), r.readLongs(), r.readFloats(), r.readFloats()));
        }
        if (requestId == null || userId == null) {
            throw new SchemaException(SchemaException.Reason.TRUNCATED, "ImpressionLog without requestId or userId");
        }
        return new ImpressionLog(requestId, userId, scene, model, modelVersion, schema, ts, userEmb, items);
    }
}
