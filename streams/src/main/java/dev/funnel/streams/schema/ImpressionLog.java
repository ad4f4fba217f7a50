package dev.funnel.streams.schema;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one response served, with the exact features the ranker scored each item with, on topic
 * {@code impressions}. Training reads these features as they are: it never re-extracts them, so it
 * sees what serving saw.
 *
 * @param requestId            the recommend request
 * @param userId               external user id
 * @param scene                the scene served
 * @param modelName            the ranking model that scored the items
 * @param modelVersion         its version at scoring time
 * @param featureSchemaVersion version of the feature extraction that produced the features
 * @param timestampMillis      when the response was sent, epoch millis
 * @param items                served items in slate order
 */
public record ImpressionLog(String requestId, String userId, String scene, String modelName, long modelVersion,
                            int featureSchemaVersion, long timestampMillis, List<Served> items) {

    /** Schema version this build writes. */
    public static final int VERSION = 1;

    /**
     * One served item and the features it was ranked with.
     *
     * @param itemId        item id
     * @param position      0-based slate position
     * @param score         the score the ranker gave
     * @param featureIds    hashed sparse feature ids the ranker used (user, item and cross features)
     * @param featureValues their values, same length
     * @param dense         the dense input vector the ranker used (may be empty)
     */
    public record Served(long itemId, int position, float score, long[] featureIds, float[] featureValues, float[] dense) {
        public Served {
            Objects.requireNonNull(featureIds, "featureIds");
            Objects.requireNonNull(featureValues, "featureValues");
            if (featureIds.length != featureValues.length) {
                throw new IllegalArgumentException("item " + itemId + ": " + featureIds.length + " feature ids but "
                        + featureValues.length + " values");
            }
            dense = dense == null ? new float[0] : dense;
        }
    }

    public ImpressionLog {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(userId, "userId");
        scene = scene == null ? "" : scene;
        modelName = modelName == null ? "" : modelName;
        items = List.copyOf(items);
    }

    /** Encodes with the current schema version. */
    public byte[] encode() {
        BinaryWriter w = new BinaryWriter(256 + items.size() * 128);
        encodeTo(w);
        return w.toByteArray();
    }

    void encodeTo(BinaryWriter w) {
        Header.write(w, Header.TYPE_IMPRESSION, (byte) VERSION);
        w.writeString(requestId);
        w.writeString(userId);
        w.writeString(scene);
        w.writeString(modelName);
        w.writeLong(modelVersion);
        w.writeInt(featureSchemaVersion);
        w.writeLong(timestampMillis);
        w.writeVarInt(items.size());
        for (Served s : items) {
            w.writeLong(s.itemId());
            w.writeVarInt(s.position());
            w.writeFloat(s.score());
            w.writeLongs(s.featureIds());
            w.writeFloats(s.featureValues());
            w.writeFloats(s.dense());
        }
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
        int fsv = r.readInt();
        long ts = r.readLong();
        int n = r.readVarInt();
        List<Served> items = new ArrayList<>(Math.min(n, 4096));
        for (int i = 0; i < n; i++) {
            long itemId = r.readLong();
            int pos = r.readVarInt();
            float score = r.readFloat();
            long[] ids = r.readLongs();
            float[] vals = r.readFloats();
            float[] dense = r.readFloats();
            if (ids.length != vals.length) {
                throw new SchemaException(SchemaException.Reason.TRUNCATED, "ImpressionLog item " + itemId + " ids/values differ");
            }
            items.add(new Served(itemId, pos, score, ids, vals, dense));
        }
        if (requestId == null || userId == null) {
            throw new SchemaException(SchemaException.Reason.TRUNCATED, "ImpressionLog without requestId or userId");
        }
        return new ImpressionLog(requestId, userId, scene, model, modelVersion, fsv, ts, items);
    }
}
