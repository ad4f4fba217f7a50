package dev.funnel.trainer.apply;

import dev.funnel.model.embedding.EmbeddingTable;
import dev.funnel.streams.schema.ModelDelta;
import dev.funnel.streams.schema.SchemaException;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Checks and applies one model's deltas, in version order. A delta that fails its checksum, repeats an
 * applied version, names a table this replica lacks (or
 * with another width), or carries a NaN or infinite value in any row (a diverged trainer's; such a
 * value nulls every score it reaches) is rejected and counted, never applied, and nothing of it is half-applied:
 * every check runs before the first write. A delta of another model is {@linkplain Outcome#IGNORED ignored}:
 * counted, but neither logged nor a rejection, since {@code model-deltas} carries every model's trainer. Rows go into the serving {@link EmbeddingTable}s (which
 * should have {@code admitAfter = 1}: the trainer already admitted them); dense snapshots go to the
 * {@link DenseModelSink}.
 *
 * <p><b>Dense snapshot order.</b> A dense delta's rows are written first and the snapshot is swapped in
 * after them, so a reader that takes the model and then reads rows never pairs the new dense weights
 * with older values of the rows they were trained with. The other mismatch (old dense weights with
 * newer rows) lasts until the swap returns; it is the state serving is in anyway between dense
 * snapshots, as sparse deltas keep updating rows under one dense model. When the swap fails, the
 * delta is rejected with its rows already written: they are absolute values, as harmless as a sparse
 * delta's, and the version does not advance.
 *
 * <p><b>Gaps.</b> A delta newer than the next version is applied, and the versions in between are
 * counted as missed ({@link #versionsMissed()}) and logged: they were rejected here (corrupt, non-finite)
 * or lost. Their rows stay at older values until the trainer publishes them again; refusing every
 * later delta instead (as this class once did) froze the replica's model for good after one bad record.
 * A {@link ModelDelta#base() base} carries every row, so the versions before it are not missed: a replica
 * that starts at the newest base (or after the streams were reset, at the trainer's republish) counts none.
 *
 * <p>Threads: {@link #apply} from one thread (the tables' single writer); getters from any thread.
 */
public final class DeltaApplier {

    /** What happened to one delta: applied, ignored, or why it was rejected. */
    public enum Outcome {
        APPLIED, CORRUPT, DUPLICATE, BAD_TABLE, NON_FINITE, SINK_FAILED,
        /**
         * Well-formed, but of another model than this applier's: the delta topic is shared by every model's
         * trainer (a replica seeks to its own model's base in it), so another model's deltas are the topic's
         * normal traffic here, not a fault. Counted so that a replica whose {@code learning.model} names no
         * trainer's model shows it (ignored rising, applied not), never logged, not in {@link #rejected()}.
         */
        IGNORED
    }

    private static final Logger LOG = Logger.getLogger(DeltaApplier.class.getName());

    private final String modelName;
    private final Map<String, EmbeddingTable> tables;
    private final DenseModelSink denseSink;
    private final LongSupplier clockMillis;
    private final AtomicLong appliedVersion = new AtomicLong();
    private final AtomicLong newestAppliedCreatedMillis = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong[] counts = new AtomicLong[Outcome.values().length];
    private final AtomicLong rowsApplied = new AtomicLong();
    private final AtomicLong rowsRefused = new AtomicLong();
    private final AtomicLong versionsMissed = new AtomicLong();
    private static final long REJECT_LOG_INTERVAL_MILLIS = 60_000;
    /** The applier's thread only. */
    private long lastRejectLogMillis = Long.MIN_VALUE;
    private long unloggedRejects;

    /**
     * @param modelName   the model this replica serves
     * @param tables      serving tables by delta table name (e.g. {@code field}, {@code wide}); tables
     *                    of a delta named {@code mlp.*} (dense weights as rows) are ignored here
     * @param denseSink   where dense snapshots go
     * @param clockMillis wall clock for freshness
     */
    public DeltaApplier(String modelName, Map<String, EmbeddingTable> tables, DenseModelSink denseSink, LongSupplier clockMillis) {
        this.modelName = modelName;
        this.tables = Map.copyOf(tables);
        this.denseSink = denseSink;
        this.clockMillis = clockMillis;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new AtomicLong();
        }
    }

    /** Decodes, checks and applies one encoded delta. */
    public Outcome apply(ByteBuffer record) {
        ModelDelta d;
        try {
            d = ModelDelta.decode(record);
        } catch (SchemaException e) {
            return reject(Outcome.CORRUPT, e.getMessage());
        }
        return apply(d);
    }

    /** Checks and applies one decoded delta. */
    public Outcome apply(ModelDelta d) {
        if (!d.modelName().equals(modelName)) {
            counts[Outcome.IGNORED.ordinal()].incrementAndGet();
            return Outcome.IGNORED;
        }
        long applied = appliedVersion.get();
        if (d.version() <= applied) {
            return reject(Outcome.DUPLICATE, modelName + " v" + d.version() + " already applied (at v" + applied + ")");
        }
        for (ModelDelta.Rows rows : d.tables()) {
            if (isDenseRows(rows.table())) {
                continue;
            }
            EmbeddingTable t = tables.get(rows.table());
            if (t == null || t.dim() != rows.dim()) {
                return reject(Outcome.BAD_TABLE, modelName + " v" + d.version() + ": table " + rows.table() + " dim " + rows.dim()
                        + (t == null ? " is not served here" : " but serving has dim " + t.dim()));
            }
        }
        for (ModelDelta.Rows rows : d.tables()) {
            // Dense rows too: they are the snapshot's weights, and a delta whose swap would fail must not write its rows.
            int at = firstNonFinite(rows.values());
            if (at >= 0) {
                return reject(Outcome.NON_FINITE, modelName + " v" + d.version() + ": table " + rows.table() + " row "
                        + rows.ids()[at / rows.dim()] + " has " + rows.values()[at]);
            }
        }
        for (ModelDelta.Rows rows : d.tables()) {
            if (isDenseRows(rows.table())) {
                continue;
            }
            EmbeddingTable t = tables.get(rows.table());
            long[] ids = rows.ids();
            float[] values = rows.values();
            int dim = rows.dim();
            long ok = 0;
            for (int i = 0; i < ids.length; i++) {
                EmbeddingTable.Write w = t.put(ids[i], values, i * dim);
                if (w == EmbeddingTable.Write.INSERTED || w == EmbeddingTable.Write.UPDATED) {
                    ok++;
                }
            }
            rowsApplied.addAndGet(ok);
            rowsRefused.addAndGet(ids.length - ok);
        }
        if (d.kind() == ModelDelta.Kind.DENSE) {
            // After the rows (see the class comment): whoever sees these dense weights sees their rows.
            try {
                denseSink.swap(d);
            } catch (Exception e) {
                return reject(Outcome.SINK_FAILED, modelName + " v" + d.version() + ": dense swap failed: " + e);
            }
        }
        if (d.version() != applied + 1 && !d.base()) {
            long missed = d.version() - applied - 1;
            if (versionsMissed.getAndAdd(missed) == 0) {
                LOG.warning(modelName + " v" + d.version() + " applied after v" + applied + ": " + missed + " version(s) in"
                        + " between were rejected or lost; their rows wait for the trainer's next publish (further gaps are only counted)");
            }
        }
        appliedVersion.set(d.version());
        newestAppliedCreatedMillis.set(d.createdAtMillis());
        counts[Outcome.APPLIED.ordinal()].incrementAndGet();
        return Outcome.APPLIED;
    }

    private static int firstNonFinite(float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isDenseRows(String table) {
        return table.startsWith("mlp.");
    }

    private Outcome reject(Outcome o, String why) {
        counts[o.ordinal()].incrementAndGet();
        // One line a minute at most: each says why, and how many went unlogged since the last.
        long now = clockMillis.getAsLong();
        if (lastRejectLogMillis == Long.MIN_VALUE || now - lastRejectLogMillis >= REJECT_LOG_INTERVAL_MILLIS) {
            LOG.log(Level.WARNING, "rejected model delta (" + o + "): " + why
                    + (unloggedRejects > 0 ? " (" + unloggedRejects + " more rejected since the last such line)" : ""));
            lastRejectLogMillis = now;
            unloggedRejects = 0;
        } else {
            unloggedRejects++;
        }
        return o;
    }

    public String modelName() {
        return modelName;
    }

    /** The newest applied version (0 before the first). */
    public long appliedVersion() {
        return appliedVersion.get();
    }

    /** How many deltas had this outcome. */
    public long count(Outcome o) {
        return counts[o.ordinal()].get();
    }

    /** Deltas rejected for any reason (not {@link Outcome#IGNORED ignored} ones: they were not this model's). */
    public long rejected() {
        long n = 0;
        for (Outcome o : Outcome.values()) {
            if (o != Outcome.APPLIED && o != Outcome.IGNORED) {
                n += counts[o.ordinal()].get();
            }
        }
        return n;
    }

    public long rowsApplied() {
        return rowsApplied.get();
    }

    /** Versions between applied ones that were never applied here (see the class comment). */
    public long versionsMissed() {
        return versionsMissed.get();
    }

    /** Rows the serving tables refused (full, or not admitted). */
    public long rowsRefused() {
        return rowsRefused.get();
    }

    /** When the newest applied delta was published (epoch ms), or {@code Long.MIN_VALUE} before the first. */
    public long newestAppliedCreatedMillis() {
        return newestAppliedCreatedMillis.get();
    }

    /** Model freshness: age of the newest applied delta in milliseconds, or -1 before the first. */
    public long freshnessMillis() {
        long created = newestAppliedCreatedMillis.get();
        return created == Long.MIN_VALUE ? -1 : Math.max(0, clockMillis.getAsLong() - created);
    }

    @Override
    public String toString() {
        return "DeltaApplier{" + modelName + " v" + appliedVersion() + ", rejected=" + rejected() + ", rowsApplied=" + rowsApplied() + "}";
    }
}
