package dev.funnel.streams.schema;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A trainer's update to one model, on topic {@code model-deltas}. Versions of a model are consecutive
 * (1, 2, 3, …) across both kinds, so a consumer can tell a skipped version from a duplicate.
 *
 * <ul>
 *   <li>{@link Kind#SPARSE}: embedding (or wide-weight) rows touched since the previous delta, as
 *       absolute values, so replaying a row is harmless;</li>
 *   <li>{@link Kind#DENSE}: a full snapshot of the dense part as an ONNX model, plus any rows.</li>
 * </ul>
 * A <b>base</b> is a dense delta that carries every row of every table: a replica that applies it has the
 * whole model, whatever versions came before, so replicas start at the newest base instead of the
 * topic's start, and what precedes older bases may be deleted ({@link dev.funnel.streams.Retention}).
 *
 * <p>The encoding ends with a CRC32C of everything before it; {@link #decode} rejects a mismatch with
 * {@link SchemaException.Reason#CHECKSUM}. A flags byte (bit 0: base) follows the ONNX bytes; it was
 * added within schema version 1 because decoders of version 1 stop after the ONNX bytes and ignore
 * what follows, so replicas of older builds still apply a base (as the dense delta it also is), and
 * records written before it decode as not a base.
 *
 * @param modelName       model this delta belongs to, e.g. {@code ctr}
 * @param version         consecutive version, starting at 1
 * @param kind            sparse rows or dense snapshot
 * @param createdAtMillis when the trainer published it, epoch millis (freshness is measured from it)
 * @param tables          sparse rows per table
 * @param onnx            serialized ONNX model for {@link Kind#DENSE}; empty for sparse
 * @param base            every row of every table is in it (a {@link Kind#DENSE} delta only)
 */
public record ModelDelta(String modelName, long version, Kind kind, long createdAtMillis, List<Rows> tables, byte[] onnx,
                         boolean base) {

    private static final int FLAG_BASE = 1;

    /** Schema version this build writes. */
    public static final int VERSION = 1;

    /** What a delta carries. */
    public enum Kind { SPARSE, DENSE }

    /**
     * Rows of one table.
     *
     * @param table  table name, e.g. {@code item_emb}
     * @param dim    row width
     * @param ids    row keys
     * @param values row-major values, {@code ids.length * dim} long
     */
    public record Rows(String table, int dim, long[] ids, float[] values) {
        public Rows {
            Objects.requireNonNull(table, "table");
            if (dim <= 0) {
                throw new IllegalArgumentException("table " + table + ": dim must be > 0, got " + dim);
            }
            if ((long) ids.length * dim != values.length) {
                throw new IllegalArgumentException("table " + table + ": " + ids.length + " ids x dim " + dim
                        + " != " + values.length + " values");
            }
        }

        /** Row count. */
        public int size() {
            return ids.length;
        }
    }

    public ModelDelta {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(kind, "kind");
        if (version < 1) {
            throw new IllegalArgumentException("delta version must be >= 1, got " + version);
        }
        tables = List.copyOf(tables);
        onnx = onnx == null ? new byte[0] : onnx;
        if (kind == Kind.DENSE && onnx.length == 0) {
            throw new IllegalArgumentException("dense delta " + modelName + " v" + version + " has no ONNX model");
        }
        if (base && kind != Kind.DENSE) {
            throw new IllegalArgumentException("base delta " + modelName + " v" + version + " must be dense, got " + kind);
        }
    }

    /** A delta that is not a base. */
    public ModelDelta(String modelName, long version, Kind kind, long createdAtMillis, List<Rows> tables, byte[] onnx) {
        this(modelName, version, kind, createdAtMillis, tables, onnx, false);
    }

    /** Matches an encoded base of {@code model} (records that do not decode do not match). */
    public static dev.funnel.streams.RecordMatcher baseOf(String model) {
        return baseOf(model, Long.MAX_VALUE);
    }

    /**
     * Matches an encoded base of {@code model} whose version is at most {@code maxVersion} (a replica
     * whose rollback pinned that version starts at or before it); records that do not decode do not match.
     */
    public static dev.funnel.streams.RecordMatcher baseOf(String model, long maxVersion) {
        return payload -> {
            try {
                ModelDelta d = decode(payload);
                return d.base() && d.modelName().equals(model) && d.version() <= maxVersion;
            } catch (SchemaException e) {
                return false;
            }
        };
    }

    /** Total rows over all tables. */
    public int rowCount() {
        int n = 0;
        for (Rows t : tables) {
            n += t.size();
        }
        return n;
    }

    /** Encodes with the current schema version, checksum last. */
    public byte[] encode() {
        int size = 65 + onnx.length;
        for (Rows t : tables) {
            size += 32 + t.ids().length * 8 + t.values().length * 4;
        }
        BinaryWriter w = new BinaryWriter(size);
        Header.write(w, Header.TYPE_MODEL_DELTA, (byte) VERSION);
        w.writeString(modelName);
        w.writeLong(version);
        w.writeByte(kind.ordinal());
        w.writeLong(createdAtMillis);
        w.writeVarInt(tables.size());
        for (Rows t : tables) {
            w.writeString(t.table());
            w.writeVarInt(t.dim());
            w.writeLongs(t.ids());
            w.writeFloats(t.values());
        }
        w.writeByteArray(onnx);
        w.writeByte(base ? FLAG_BASE : 0);
        Checksum.append(w);
        return w.toByteArray();
    }

    /**
     * Decodes a record written by this or an older schema version.
     *
     * @throws SchemaException with reason {@code CHECKSUM} if the content does not match its checksum
     */
    public static ModelDelta decode(ByteBuffer record) {
        Checksum.verify(record, "ModelDelta");
        BinaryReader r = new BinaryReader(record, "ModelDelta");
        int version = Header.read(r, Header.TYPE_MODEL_DELTA, "ModelDelta");
        if (version != 1) {
            throw Header.unknownVersion("ModelDelta", version, VERSION);
        }
        String model = r.readString();
        long v = r.readLong();
        int kind = r.readByte();
        if (kind < 0 || kind >= Kind.values().length || model == null) {
            throw new SchemaException(SchemaException.Reason.TRUNCATED, "ModelDelta has unknown kind " + kind);
        }
        long created = r.readLong();
        int nTables = r.readVarInt();
        List<Rows> tables = new ArrayList<>(Math.min(nTables, 64));
        for (int i = 0; i < nTables; i++) {
            String name = r.readString();
            int dim = r.readVarInt();
            long[] ids = r.readLongs();
            float[] values = r.readFloats();
            try {
                tables.add(new Rows(name, dim, ids, values));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new SchemaException(SchemaException.Reason.TRUNCATED, "ModelDelta table: " + e.getMessage());
            }
        }
        byte[] onnx = r.readByteArray();
        // The flags byte is absent from records written before it (the checksum's 4 bytes remain then).
        boolean base = r.remaining() > Checksum.SIZE && (r.readByte() & FLAG_BASE) != 0;
        try {
            return new ModelDelta(model, v, Kind.values()[kind], created, tables, onnx, base);
        } catch (IllegalArgumentException e) {
            throw new SchemaException(SchemaException.Reason.TRUNCATED, e.getMessage());
        }
    }
}
