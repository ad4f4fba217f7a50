package dev.funnel.model.embedding;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * An in-process parameter-server table: feature id → float vector of a fixed width.
 *
 * <p><b>Threads.</b> Reads ({@link #get}, {@link #contains}, {@link #size}, {@link #snapshot}) are
 * lock-free and may run on any thread, event loops included. Writes ({@link #put}, {@link #remove},
 * {@link #expire}, {@link #restore}) must come from one writer thread at a time (the delta
 * applier or the trainer). A reader never sees a torn row: each slot carries a sequence number
 * that is odd while the writer changes it, and a reader retries until it read a row between two
 * equal even sequence numbers (a seqlock, as {@link java.util.concurrent.locks.StampedLock}'s
 * optimistic read).
 *
 * <p><b>Memory</b> is bounded: at most {@code maxRows} rows, in open-addressing arrays sized once
 * at build time (about {@code 2 × maxRows × (dim × 4 + 24)} bytes, plus a presence bitmap of
 * about {@code maxRows} bytes); a full table refuses new ids
 * ({@link Write#FULL}). Rows not written for {@code ttl} are removed by {@link #expire()}. A new id
 * is admitted only after {@code admitAfter} writes (counted in a bounded count-min sketch), so
 * one-off ids never take a row. Unknown ids read as the default vector.
 *
 * <p><b>Absent ids are cheap.</b> Most ids a ranker reads (new items, their crosses) have no row.
 * A presence bitmap, one bit per hash of an id that had a row since the arrays were last built,
 * sits beside the slots (a few hundred KB where the slots take tens of MB); a read whose bit is
 * clear returns the default vector without probing the slot arrays, which would be a cache and
 * TLB miss. Bits are only set by the writer (before the row is published) and cleared when the
 * arrays are rebuilt, so a clear bit proves absence and a set bit only means "probe". Once the
 * table is dense (more rows than 1 bitmap bit in 16) reads skip the bitmap: it would mostly say
 * "probe" at the price of one more miss.
 */
public final class EmbeddingTable {

    /** The outcome of a {@link #put}. */
    public enum Write {
        /** An existing row was overwritten. */
        UPDATED,
        /** A new row was inserted. */
        INSERTED,
        /** The id has not yet been seen {@code admitAfter} times; nothing stored. */
        PENDING_ADMISSION,
        /** The table holds {@code maxRows} rows; nothing stored. */
        FULL
    }

    private static final long EMPTY = Long.MIN_VALUE;
    private static final long TOMBSTONE = Long.MIN_VALUE + 1;
    private static final int SNAPSHOT_MAGIC = 0x46454d42; // "FEMB"
    private static final int SNAPSHOT_FORMAT = 1;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final String name;
    private final int dim;
    private final int maxRows;
    private final long ttlNanos;
    private final int admitAfter;
    private final float[] defaultVector;
    private final LongSupplier clockNanos;
    private final FrequencySketch sketch;

    /** Replaced (never mutated after replacement) when the writer rebuilds to shed tombstones. */
    private volatile Slots slots;
    private volatile int size;
    private int tombstones; // writer only
    private volatile long fullRejections;
    private volatile long expiredRows;

    private EmbeddingTable(Builder b) {
        this.name = b.name;
        this.dim = b.dim;
        this.maxRows = b.maxRows;
        this.ttlNanos = b.ttlNanos;
        this.admitAfter = b.admitAfter;
        this.defaultVector = b.defaultVector == null ? new float[dim] : b.defaultVector.clone();
        this.clockNanos = b.clockNanos;
        this.sketch = admitAfter > 1 ? new FrequencySketch(maxRows) : null;
        this.slots = new Slots(capacityFor(maxRows), dim);
    }

    /** A builder for a table of vectors of width {@code dim}. */
    public static Builder builder(String name, int dim) {
        return new Builder(name, dim);
    }

    public String name() {
        return name;
    }

    public int dim() {
        return dim;
    }

    public int maxRows() {
        return maxRows;
    }

    /** Rows stored now. Any thread. */
    public int size() {
        return size;
    }

    /** New ids refused because the table was full, since creation. */
    public long fullRejections() {
        return fullRejections;
    }

    /** Rows removed by {@link #expire()}, since creation. */
    public long expiredRows() {
        return expiredRows;
    }

    /**
     * Copies the row of {@code id} into {@code out[offset .. offset+dim)}, or the default vector
     * when the id has no row. Any thread, lock-free, never torn.
     *
     * @return whether the id has a row
     */
    public boolean get(long id, float[] out, int offset) {
        if (getIfPresent(id, out, offset)) {
            return true;
        }
        System.arraycopy(defaultVector, 0, out, offset, dim);
        return false;
    }

    /**
     * Copies the row of {@code id} into {@code out[offset .. offset+dim)} when the id has one;
     * otherwise leaves {@code out} alone (a caller that adds up rows uses the
     * {@link #defaultVector()} it holds, without copying it per id). Any thread, lock-free, never torn.
     *
     * @return whether the id has a row (and {@code out} was written)
     */
    public boolean getIfPresent(long id, float[] out, int offset) {
        Slots s = slots;
        if (size <= s.sparseRows && !s.mayContain(id)) {
            return false;
        }
        int mask = s.mask;
        int idx = spread(id) & mask;
        for (int probes = 0; probes <= mask; probes++) {
            long k;
            for (;;) {
                long v1 = (long) LONGS.getAcquire(s.meta, 2 * idx + 1);
                if ((v1 & 1) != 0) {
                    Thread.onSpinWait();
                    continue;
                }
                k = s.meta[2 * idx];
                if (k == id) {
                    System.arraycopy(s.values, idx * dim, out, offset, dim);
                }
                // Orders the reads above before the re-check (StampedLock.validate's fence).
                VarHandle.acquireFence();
                long v2 = (long) LONGS.getOpaque(s.meta, 2 * idx + 1);
                if (v1 == v2) {
                    break;
                }
            }
            if (k == id) {
                return true;
            }
            if (k == EMPTY) {
                break;
            }
            idx = (idx + 1) & mask;
        }
        return false;
    }

    /**
     * False when the id certainly has no row; true when it may have one (a {@link #get} must
     * probe). Costs no slot probe: the presence bitmap only. Any thread.
     */
    public boolean mayContain(long id) {
        Slots s = slots;
        // Dense: most bits are set and the bitmap read would be one more cache miss before the probe.
        return size > s.sparseRows ? true : s.mayContain(id);
    }

    /** Whether the id has a row. Any thread. */
    public boolean contains(long id) {
        if (!mayContain(id)) {
            return false;
        }
        Slots s = slots;
        int mask = s.mask;
        int idx = spread(id) & mask;
        for (int probes = 0; probes <= mask; probes++) {
            long k = (long) LONGS.getAcquire(s.meta, 2 * idx);
            if (k == id) {
                return true;
            }
            if (k == EMPTY) {
                return false;
            }
            idx = (idx + 1) & mask;
        }
        return false;
    }

    /** A copy of the default vector unknown ids read as. */
    public float[] defaultVector() {
        return defaultVector.clone();
    }

    /**
     * Writes {@code values[offset .. offset+dim)} as the row of {@code id}: overwrites an existing
     * row; a new id is counted and inserted once it has been written {@code admitAfter} times.
     * Writer thread only.
     *
     * @throws IllegalArgumentException for the two reserved ids {@code Long.MIN_VALUE} and
     *                                  {@code Long.MIN_VALUE + 1}
     */
    public Write put(long id, float[] values, int offset) {
        checkId(id);
        Slots s = slots;
        int slot = find(s, id);
        long now = clockNanos.getAsLong();
        if (slot >= 0) {
            write(s, slot, id, values, offset, now);
            return Write.UPDATED;
        }
        if (sketch != null && sketch.incrementAndGet(id) < admitAfter) {
            return Write.PENDING_ADMISSION;
        }
        if (size >= maxRows) {
            fullRejections++;
            return Write.FULL;
        }
        insert(id, values, offset, now);
        return Write.INSERTED;
    }

    /** Removes the row of {@code id}; returns whether it had one. Writer thread only. */
    public boolean remove(long id) {
        checkId(id);
        Slots s = slots;
        int slot = find(s, id);
        if (slot < 0) {
            return false;
        }
        tombstone(s, slot);
        return true;
    }

    /**
     * Removes every row not written for longer than the TTL (none when the table has no TTL).
     * Writer thread only; call it periodically (the delta applier does, once per second).
     *
     * @return rows removed
     */
    public int expire() {
        if (ttlNanos <= 0) {
            return 0;
        }
        long now = clockNanos.getAsLong();
        Slots s = slots;
        int removed = 0;
        for (int i = 0; i < s.capacity; i++) {
            long k = s.meta[2 * i];
            if (k != EMPTY && k != TOMBSTONE && now - s.updatedNanos[i] > ttlNanos) {
                tombstone(s, i);
                removed++;
            }
        }
        expiredRows += removed;
        return removed;
    }

    /**
     * Writes every row (id, age, vector) to {@code out}. Any thread; each row is consistent, the
     * whole is not a point-in-time image while a writer runs. The stream is not closed.
     */
    public void snapshot(OutputStream out) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        Slots s = slots;
        long now = clockNanos.getAsLong();
        d.writeInt(SNAPSHOT_MAGIC);
        d.writeInt(SNAPSHOT_FORMAT);
        d.writeUTF(name);
        d.writeInt(dim);
        float[] row = new float[dim];
        long[] meta = new long[2];
        int written = 0;
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        DataOutputStream bd = new DataOutputStream(body);
        for (int i = 0; i < s.capacity; i++) {
            if (readSlot(s, i, row, meta)) {
                bd.writeLong(meta[0]);
                bd.writeLong(Math.max(0, now - meta[1]));
                for (float f : row) {
                    bd.writeFloat(f);
                }
                written++;
            }
        }
        d.writeInt(written);
        bd.flush();
        body.writeTo(d);
        d.flush();
    }

    /**
     * Replaces this table's rows with a snapshot's (bypassing admission; rows keep their age).
     * Writer thread only. Readers see old rows, then new ones, never a torn row.
     *
     * @throws IOException on a bad or foreign snapshot (wrong magic or width), naming the problem
     */
    public void restore(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int magic = d.readInt();
        if (magic != SNAPSHOT_MAGIC) {
            throw new IOException("table '" + name + "': not an embedding snapshot (magic " + Integer.toHexString(magic) + ")");
        }
        int format = d.readInt();
        if (format != SNAPSHOT_FORMAT) {
            throw new IOException("table '" + name + "': unsupported snapshot format " + format);
        }
        String from = d.readUTF();
        int snapDim = d.readInt();
        if (snapDim != dim) {
            throw new IOException("table '" + name + "': snapshot of '" + from + "' has dim " + snapDim + ", table has " + dim);
        }
        int rows = d.readInt();
        if (rows < 0 || rows > maxRows) {
            throw new IOException("table '" + name + "': snapshot has " + rows + " rows, table holds at most " + maxRows);
        }
        Slots fresh = new Slots(capacityFor(maxRows), dim);
        long now = clockNanos.getAsLong();
        float[] row = new float[dim];
        int live = 0;
        for (int r = 0; r < rows; r++) {
            long id = d.readLong();
            long age = d.readLong();
            for (int j = 0; j < dim; j++) {
                row[j] = d.readFloat();
            }
            checkId(id);
            if (find(fresh, id) < 0) {
                int slot = freeSlot(fresh, id);
                System.arraycopy(row, 0, fresh.values, slot * dim, dim);
                fresh.markPresent(id);
                fresh.meta[2 * slot] = id;
                fresh.updatedNanos[slot] = now - age;
                live++;
            }
        }
        tombstones = 0;
        size = live;
        slots = fresh; // volatile write publishes the fully built arrays
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "EmbeddingTable{%s, dim=%d, rows=%d/%d, ttlNanos=%d, admitAfter=%d}",
                name, dim, size, maxRows, ttlNanos, admitAfter);
    }

    // ---- writer internals ----

    private void insert(long id, float[] values, int offset, long now) {
        Slots s = slots;
        if (size + tombstones + 1 > s.capacity * 3 / 4) {
            s = rebuild(s);
        }
        int slot = freeSlot(s, id);
        if (s.meta[2 * slot] == TOMBSTONE) {
            tombstones--;
        }
        write(s, slot, id, values, offset, now);
        size = size + 1;
    }

    private Slots rebuild(Slots old) {
        Slots fresh = new Slots(old.capacity, dim);
        for (int i = 0; i < old.capacity; i++) {
            long k = old.meta[2 * i];
            if (k != EMPTY && k != TOMBSTONE) {
                int slot = freeSlot(fresh, k);
                System.arraycopy(old.values, i * dim, fresh.values, slot * dim, dim);
                fresh.markPresent(k);
                fresh.meta[2 * slot] = k;
                fresh.updatedNanos[slot] = old.updatedNanos[i];
            }
        }
        tombstones = 0;
        slots = fresh;
        return fresh;
    }

    private void write(Slots s, int slot, long id, float[] values, int offset, long now) {
        long v = s.meta[2 * slot + 1];
        LONGS.setOpaque(s.meta, 2 * slot + 1, v + 1);
        // The odd sequence must be visible before any data changes.
        VarHandle.storeStoreFence();
        System.arraycopy(values, offset, s.values, slot * dim, dim);
        s.updatedNanos[slot] = now;
        s.markPresent(id); // before the key is released: a reader that can find the row sees the bit
        LONGS.setRelease(s.meta, 2 * slot, id);
        LONGS.setRelease(s.meta, 2 * slot + 1, v + 2);
    }

    private void tombstone(Slots s, int slot) {
        long v = s.meta[2 * slot + 1];
        LONGS.setOpaque(s.meta, 2 * slot + 1, v + 1);
        VarHandle.storeStoreFence();
        LONGS.setRelease(s.meta, 2 * slot, TOMBSTONE);
        LONGS.setRelease(s.meta, 2 * slot + 1, v + 2);
        tombstones++;
        size = size - 1;
    }

    private boolean readSlot(Slots s, int i, float[] row, long[] meta) {
        for (;;) {
            long v1 = (long) LONGS.getAcquire(s.meta, 2 * i + 1);
            if ((v1 & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            long k = s.meta[2 * i];
            long updated = s.updatedNanos[i];
            boolean live = k != EMPTY && k != TOMBSTONE;
            if (live) {
                System.arraycopy(s.values, i * dim, row, 0, dim);
            }
            VarHandle.acquireFence();
            if (v1 == (long) LONGS.getOpaque(s.meta, 2 * i + 1)) {
                meta[0] = k;
                meta[1] = updated;
                return live;
            }
        }
    }

    /** The slot holding id, or -1. Writer only (plain reads are current for the writer). */
    private static int find(Slots s, long id) {
        int mask = s.mask;
        int idx = spread(id) & mask;
        for (int probes = 0; probes <= mask; probes++) {
            long k = s.meta[2 * idx];
            if (k == id) {
                return idx;
            }
            if (k == EMPTY) {
                return -1;
            }
            idx = (idx + 1) & mask;
        }
        return -1;
    }

    /** The first empty or tombstone slot on id's probe path; the caller knows id is absent. */
    private static int freeSlot(Slots s, long id) {
        int mask = s.mask;
        int idx = spread(id) & mask;
        while (s.meta[2 * idx] != EMPTY && s.meta[2 * idx] != TOMBSTONE) {
            idx = (idx + 1) & mask;
        }
        return idx;
    }

    private static int spread(long id) {
        long h = id * 0x9e3779b97f4a7c15L;
        return (int) (h ^ (h >>> 32));
    }

    private static int capacityFor(int maxRows) {
        long c = Long.highestOneBit(Math.max(4L, (long) maxRows * 2 - 1)) << 1;
        if (c > (1 << 30)) {
            throw new IllegalArgumentException("maxRows too large: " + maxRows);
        }
        return (int) c;
    }

    private static void checkId(long id) {
        if (id == EMPTY || id == TOMBSTONE) {
            throw new IllegalArgumentException("id " + id + " is reserved");
        }
    }

    /**
     * The table's arrays; replaced whole on rebuild and restore. A slot's key and sequence number
     * sit side by side in {@code meta} ({@code 2i}, {@code 2i + 1}) so a probe touches one cache line.
     */
    private static final class Slots {
        final long[] meta;
        final long[] updatedNanos;
        final float[] values;
        final int mask;
        final int capacity;
        /** Presence bitmap: 2 bits per slot; a bit is set once an id hashing to it has had a row here. */
        final long[] present;
        final int presentShift;
        /**
         * One bit per 512 presence bits (8 words), set with any of them: small enough to stay in
         * L1, so while the table is sparse (a new model, a young table) absent ids cost no miss at
         * all; once it is dense, most summary bits are set and the check costs an L1 hit.
         */
        final long[] summary;
        /** Up to this many rows the bitmap is worth reading (under 1 bit in 16 set). */
        final int sparseRows;

        Slots(int capacity, int dim) {
            long floats = (long) capacity * dim;
            if (floats > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("table too large: capacity " + capacity + " × dim " + dim);
            }
            meta = new long[2 * capacity];
            for (int i = 0; i < capacity; i++) {
                meta[2 * i] = EMPTY;
            }
            this.capacity = capacity;
            updatedNanos = new long[capacity];
            values = new float[(int) floats];
            mask = capacity - 1;
            int bits = (int) Math.max(64, Math.min(1L << 30, 2L * capacity)); // a power of two: capacity is one
            present = new long[bits >>> 6];
            presentShift = 64 - Integer.numberOfTrailingZeros(bits);
            summary = new long[Math.max(1, bits >>> 15)];
            sparseRows = bits >>> 4;
        }

        /** False when the id has no row here; true when it may have one. Any thread. */
        boolean mayContain(long id) {
            int bit = presenceBit(id);
            // Racy reads are enough: bits only go from 0 to 1 while these arrays live (the summary
            // bit after the presence bit), and a reader that misses a concurrent insert reads as if
            // it ran just before it.
            return (summary[bit >>> 15] & (1L << (bit >>> 9))) != 0 && (present[bit >>> 6] & (1L << bit)) != 0;
        }

        /** Writer only; atomic store so readers never see a torn word. */
        void markPresent(long id) {
            int bit = presenceBit(id);
            long word = present[bit >>> 6];
            long set = word | (1L << bit);
            if (set != word) {
                LONGS.setOpaque(present, bit >>> 6, set);
            }
            long sword = summary[bit >>> 15];
            long sset = sword | (1L << (bit >>> 9));
            if (sset != sword) {
                LONGS.setOpaque(summary, bit >>> 15, sset);
            }
        }

        private int presenceBit(long id) {
            // Independent of the slot index (a different multiplier, the high bits).
            return (int) ((id * 0xc2b2ae3d27d4eb4fL) >>> presentShift);
        }
    }

    /** Builds an {@link EmbeddingTable}; validates in {@link #build()}. */
    public static final class Builder {
        /** Default row bound. */
        public static final int DEFAULT_MAX_ROWS = 1 << 20;

        private final String name;
        private final int dim;
        private int maxRows = DEFAULT_MAX_ROWS;
        private long ttlNanos;
        private int admitAfter = 1;
        private float[] defaultVector;
        private LongSupplier clockNanos = System::nanoTime;

        private Builder(String name, int dim) {
            this.name = name;
            this.dim = dim;
        }

        /** The most rows the table holds. */
        public Builder maxRows(int n) {
            maxRows = n;
            return this;
        }

        /** Rows not written for this long are removed by {@link EmbeddingTable#expire()}; 0 = never. */
        public Builder ttlNanos(long nanos) {
            ttlNanos = nanos;
            return this;
        }

        /** A new id takes a row on its n-th write (1 = at once). */
        public Builder admitAfter(int n) {
            admitAfter = n;
            return this;
        }

        /** What unknown ids read as (zeros by default); copied. */
        public Builder defaultVector(float[] v) {
            defaultVector = v;
            return this;
        }

        /** The clock for TTLs (tests inject virtual time). */
        public Builder clockNanos(LongSupplier clock) {
            clockNanos = clock;
            return this;
        }

        public EmbeddingTable build() {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("embedding table name must be non-blank, got '" + name + "'");
            }
            if (dim < 1) {
                throw new IllegalArgumentException("table '" + name + "': dim must be >= 1, got " + dim);
            }
            if (maxRows < 1) {
                throw new IllegalArgumentException("table '" + name + "': maxRows must be >= 1, got " + maxRows);
            }
            if (ttlNanos < 0) {
                throw new IllegalArgumentException("table '" + name + "': ttlNanos must be >= 0, got " + ttlNanos);
            }
            if (admitAfter < 1) {
                throw new IllegalArgumentException("table '" + name + "': admitAfter must be >= 1, got " + admitAfter);
            }
            if (defaultVector != null && defaultVector.length != dim) {
                throw new IllegalArgumentException("table '" + name + "': default vector has " + defaultVector.length
                        + " values, dim is " + dim);
            }
            if (clockNanos == null) {
                throw new IllegalArgumentException("table '" + name + "': clock must not be null");
            }
            return new EmbeddingTable(this);
        }
    }
}
