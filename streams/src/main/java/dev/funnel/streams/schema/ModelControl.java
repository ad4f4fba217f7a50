package dev.funnel.streams.schema;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * An operator's decision about a model, on topic {@code model-control}, which every serving replica
 * applies: {@link Op#PIN} a version (a rollback made through the admin API of any replica) or
 * {@link Op#UNPIN} (the newest version received goes live again). The topic is tiny (one record per
 * admin call) and never expires, so a replica started later reads it whole and ends where the last
 * record of each model left it.
 *
 * <p>The encoding ends with a CRC32C of everything before it, as {@link ModelDelta}'s does: a flipped
 * byte must not pin another version.
 *
 * @param op              pin or unpin
 * @param modelName       model, e.g. {@code ctr}
 * @param version         the version to pin (e.g. {@code v12}); null for {@link Op#UNPIN}
 * @param issuer          who decided, for the log: the replica that answered the admin call
 * @param requestId       unique per admin call: the issuing replica answers once it applied this record
 * @param createdAtMillis when the decision was made, epoch millis
 * @param skipThrough     for {@link Op#PIN}: the newest version the issuer had received when it decided (the one
 *                        rolled back from, or newer), or null; a replica that receives it (or ones before it) only
 *                        later, while pinned, drops them rather than keeping them for the next unpin, so every
 *                        replica's unpin makes the same version live
 */
public record ModelControl(Op op, String modelName, String version, String issuer, String requestId, long createdAtMillis,
                           String skipThrough) {

    /** Schema version this build writes. */
    public static final int VERSION = 1;

    /** What to do. */
    public enum Op { PIN, UNPIN }

    public ModelControl {
        Objects.requireNonNull(op, "op");
        if (modelName == null || modelName.isEmpty()) {
            throw new IllegalArgumentException("model control " + op + ": model name must not be empty, got '" + modelName + "'");
        }
        if (op == Op.PIN && (version == null || version.isEmpty())) {
            throw new IllegalArgumentException("model control PIN of '" + modelName + "' needs a version, got '" + version + "'");
        }
        if (op == Op.UNPIN && (version != null || skipThrough != null)) {
            throw new IllegalArgumentException("model control UNPIN of '" + modelName + "' takes no version, got '" + version
                    + "', skip through '" + skipThrough + "'");
        }
        skipThrough = skipThrough == null || skipThrough.isEmpty() ? null : skipThrough;
        issuer = issuer == null ? "" : issuer;
        requestId = requestId == null ? "" : requestId;
    }

    /** A pin of {@code version}, nothing to skip. */
    public static ModelControl pin(String modelName, String version, String issuer, String requestId, long createdAtMillis) {
        return pin(modelName, version, issuer, requestId, createdAtMillis, null);
    }

    /** A pin of {@code version}; versions received later up to {@code skipThrough} are dropped (see the record). */
    public static ModelControl pin(String modelName, String version, String issuer, String requestId, long createdAtMillis,
                                   String skipThrough) {
        return new ModelControl(Op.PIN, modelName, version, issuer, requestId, createdAtMillis, skipThrough);
    }

    /** An unpin. */
    public static ModelControl unpin(String modelName, String issuer, String requestId, long createdAtMillis) {
        return new ModelControl(Op.UNPIN, modelName, null, issuer, requestId, createdAtMillis, null);
    }

    /** Encodes with the current schema version, checksum last. */
    public byte[] encode() {
        BinaryWriter w = new BinaryWriter(64 + modelName.length() + issuer.length() + requestId.length()
                + (version == null ? 0 : version.length()) + (skipThrough == null ? 0 : skipThrough.length()));
        Header.write(w, Header.TYPE_MODEL_CONTROL, (byte) VERSION);
        w.writeByte(op.ordinal());
        w.writeString(modelName);
        w.writeString(version);
        w.writeString(issuer);
        w.writeString(requestId);
        w.writeLong(createdAtMillis);
        w.writeString(skipThrough);
        Checksum.append(w);
        return w.toByteArray();
    }

    /**
     * Decodes a record written by this or an older schema version.
     *
     * @throws SchemaException when it is not a model control record, its checksum does not match, or
     *                         its content is not a valid decision
     */
    public static ModelControl decode(ByteBuffer record) {
        Checksum.verify(record, "ModelControl");
        BinaryReader r = new BinaryReader(record, "ModelControl");
        int version = Header.read(r, Header.TYPE_MODEL_CONTROL, "ModelControl");
        if (version != 1) {
            throw Header.unknownVersion("ModelControl", version, VERSION);
        }
        int op = r.readByte();
        if (op < 0 || op >= Op.values().length) {
            throw new SchemaException(SchemaException.Reason.TRUNCATED, "ModelControl has unknown op " + op);
        }
        String model = r.readString();
        String pinned = r.readString();
        String issuer = r.readString();
        String requestId = r.readString();
        long created = r.readLong();
        String skipThrough = r.readString();
        try {
            return new ModelControl(Op.values()[op], model, pinned, issuer, requestId, created, skipThrough);
        } catch (IllegalArgumentException e) {
            throw new SchemaException(SchemaException.Reason.TRUNCATED, e.getMessage());
        }
    }
}
