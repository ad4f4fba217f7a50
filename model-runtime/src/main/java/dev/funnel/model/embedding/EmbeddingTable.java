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
 * <p><b>Threads.</b> Reads ({@link #get}, {@link #getAll}, {@link #contains}, {@link #size},
 * {@link #snapshot}) are lock-free and may run on any thread, event loops included. Writes
 * ({@link #put}, {@link #remove}, {@link #expire}, {@link #restore}) must come from one writer
 * thread at a time (the delta applier or the trainer). A reader never sees a torn row: each slot
 * carries a sequence number that is odd while the writer changes it, and a reader retries until it
 * read a row between two equal even sequence numbers (a seqlock, as
 * {@link java.util.concurrent.locks.StampedLock}'s optimistic read).
 *
 * <p><b>Memory</b> is bounded: at most {@code maxRows} rows, in open-addressing arrays sized once
 * at build time (about {@code 2 × maxRows × (dim × 4 + 20)} bytes, plus a presence bitmap of
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
 *
 * <p><b>One miss per probe.</b> A slot's sequence number, key and values sit side by side in one
 * {@code int[]} (values as their float bits), so a probe of a cold slot costs one cache miss (two
 * where the slot straddles a line), not one for the key and one for the values. {@link #getAll}
 * reads many ids at once and first touches every id's slot, so their misses overlap instead of
 * following one another.
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
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    /** Ids {@link #getAll} touches before reading them: enough misses in flight, still in L1. */
    private static final int TOUCH_CHUNK = 32;

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
        Slots s = slots;
        if ((size > s.sparseRows || s.mayContain(id)) && s.read(id, out, offset)) {
            return true;
        }
        System.arraycopy(defaultVector, 0, out, offset, dim);
        return false;
    }

    /**
     * Reads {@code count} ids at once: {@code out[offset + i × dim ..)} ({@code dim} floats) gets the row of
     * {@code ids[i]}, or the default vector when it has none — what {@code count} calls of
     * {@link #get} would write, but faster on a large table whose slots are not in cache: it touches
     * the slots of a chunk of ids before reading any of them, so their cache misses are in flight
     * together rather than one after another. Any thread, lock-free, never torn.
     *
     * @return how many of the ids have a row
     */
    public int getAll(long[] ids, int count, float[] out, int offset) {
        if (count < 0 || count > ids.length || offset < 0 || offset + (long) count * dim > out.length) {
            throw new IllegalArgumentException("table '" + name + "': " + count + " ids do not fit ids[" + ids.length
                    + "] / out[" + out.length + "] from " + offset + " at dim " + dim);
        }
        Slots s = slots;
        boolean sparse = size <= s.sparseRows;
        int[] data = s.data;
        int mask = s.mask;
        int stride = s.stride;
        int found = 0;
        int touched = 0;
        for (int from = 0; from < count; from += TOUCH_CHUNK) {
            int to = Math.min(count, from + TOUCH_CHUNK);
            // Independent loads, a few instructions each: the core keeps all their misses in flight.
            // An id the presence bitmap rules out is not touched: skipping that miss is the bitmap's point.
            for (int i = from; i < to; i++) {
                long id = ids[i];
                if (!sparse || s.mayContain(id)) {
                    touched += data[(spread(id) & mask) * stride];
                }
            }
            for (int i = from; i < to; i++) {
                long id = ids[i];
                int at = offset + i * dim;
                if ((!sparse || s.mayContain(id)) && s.read(id, out, at)) {
                    found++;
                } else {
                    System.arraycopy(defaultVector, 0, out, at, dim);
                }
            }
        }
        TouchSink.keep(touched);
        return found;
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
        return mayContain(id) && slots.read(id, null, 0);
    }

    /** Copies the default vector unknown ids read as into {@code out[offset .. offset+dim)}. */
    public void defaultVectorInto(float[] out, int offset) {
        System.arraycopy(defaultVector, 0, out, offset, dim);
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
            long k = s.key(i);
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
                fresh.setValues(slot, row, 0);
                fresh.markPresent(id);
                fresh.setKey(slot, id);
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
        if (s.key(slot) == TOMBSTONE) {
            tombstones--;
        }
        write(s, slot, id, values, offset, now);
        size = size + 1;
    }

    private Slots rebuild(Slots old) {
        Slots fresh = new Slots(old.capacity, dim);
        for (int i = 0; i < old.capacity; i++) {
            long k = old.key(i);
            if (k != EMPTY && k != TOMBSTONE) {
                int slot = freeSlot(fresh, k);
                System.arraycopy(old.data, i * old.stride + Slots.VALUES, fresh.data, slot * fresh.stride + Slots.VALUES,
                        dim);
                fresh.markPresent(k);
                fresh.setKey(slot, k);
                fresh.updatedNanos[slot] = old.updatedNanos[i];
            }
        }
        tombstones = 0;
        slots = fresh;
        return fresh;
    }

    private void write(Slots s, int slot, long id, float[] values, int offset, long now) {
        int seq = s.beginWrite(slot);
        s.setValues(slot, values, offset);
        s.updatedNanos[slot] = now;
        s.markPresent(id); // before the row is released: a reader that can find the row sees the bit
        s.setKey(slot, id);
        s.endWrite(slot, seq);
    }

    private void tombstone(Slots s, int slot) {
        int seq = s.beginWrite(slot);
        s.setKey(slot, TOMBSTONE);
        s.endWrite(slot, seq);
        tombstones++;
        size = size - 1;
    }

    private static boolean readSlot(Slots s, int i, float[] row, long[] meta) {
        int[] data = s.data;
        int base = i * s.stride;
        for (;;) {
            int v1 = (int) INTS.getAcquire(data, base);
            if ((v1 & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            long k = s.key(i);
            long updated = s.updatedNanos[i];
            boolean live = k != EMPTY && k != TOMBSTONE;
            if (live) {
                s.copyValues(base, row, 0);
            }
            VarHandle.acquireFence();
            if (v1 == (int) INTS.getOpaque(data, base)) {
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
            long k = s.key(idx);
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
        for (long k = s.key(idx); k != EMPTY && k != TOMBSTONE; k = s.key(idx)) {
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
     * The table's arrays; replaced whole on rebuild and restore. Slot {@code i} is
     * {@code data[i × stride ..)}: its sequence number ({@link #SEQ}; odd while the writer changes
     * the slot), its key's low and high halves, then {@code dim} values as float bits — one cache
     * line for a probe that finds its id, where separate key and value arrays cost two misses.
     */
    private static final class Slots {
        static final int SEQ = 0;
        static final int KEY_LO = 1;
        static final int KEY_HI = 2;
        static final int VALUES = 3;

        final int[] data;
        final int stride;
        final long[] updatedNanos;
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
            stride = VALUES + dim;
            long ints = (long) capacity * stride;
            if (ints > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("table too large: capacity " + capacity + " × dim " + dim);
            }
            data = new int[(int) ints];
            this.capacity = capacity;
            for (int i = 0; i < capacity; i++) {
                setKey(i, EMPTY);
            }
            updatedNanos = new long[capacity];
            mask = capacity - 1;
            int bits = (int) Math.max(64, Math.min(1L << 30, 2L * capacity)); // a power of two: capacity is one
            present = new long[bits >>> 6];
            presentShift = 64 - Integer.numberOfTrailingZeros(bits);
            summary = new long[Math.max(1, bits >>> 15)];
            sparseRows = bits >>> 4;
        }

        /** Slot i's key; a plain read (the writer's own, or inside a reader's sequence check). */
        long key(int i) {
            int base = i * stride;
            return ((long) data[base + KEY_HI] << 32) | (data[base + KEY_LO] & 0xffffffffL);
        }

        /** Writer only: plain stores, published by {@link #endWrite} (or a new {@code Slots}' volatile publish). */
        void setKey(int i, long id) {
            int base = i * stride;
            data[base + KEY_LO] = (int) id;
            data[base + KEY_HI] = (int) (id >>> 32);
        }

        /** Writer only, as {@link #setKey}. */
        void setValues(int i, float[] values, int offset) {
            int at = i * stride + VALUES;
            for (int j = 0, dim = stride - VALUES; j < dim; j++) {
                data[at + j] = Float.floatToRawIntBits(values[offset + j]);
            }
        }

        void copyValues(int base, float[] out, int offset) {
            int at = base + VALUES;
            for (int j = 0, dim = stride - VALUES; j < dim; j++) {
                out[offset + j] = Float.intBitsToFloat(data[at + j]);
            }
        }

        /**
         * Writer only: makes slot i's sequence odd before anything in it changes; returns the even one it had.
         * The sequence is 32 bits: it wraps after 2^31 writes to one slot, and a reader is only fooled
         * if it stalls inside one read while exactly a multiple of that many writes land on its slot.
         */
        int beginWrite(int i) {
            int base = i * stride;
            int seq = data[base + SEQ];
            INTS.setOpaque(data, base + SEQ, seq + 1);
            // The odd sequence must be visible before any data changes.
            VarHandle.storeStoreFence();
            return seq;
        }

        /** Writer only: releases slot i's changes with the next even sequence. */
        void endWrite(int i, int seq) {
            INTS.setRelease(data, i * stride + SEQ, seq + 2);
        }

        /**
         * Probes for id from its home slot; when found, copies its values into
         * {@code out[offset ..)} (unless {@code out} is null) and returns true. Any thread: each
         * slot is read between two equal even sequence numbers, so the key and values it returns
         * are one write's. When it returns false, {@code out}'s range may hold a torn row it
         * discarded; callers overwrite it.
         */
        boolean read(long id, float[] out, int offset) {
            int[] d = data;
            int idx = spread(id) & mask;
            for (int probes = 0; probes <= mask; probes++) {
                int base = idx * stride;
                long k;
                for (;;) {
                    int v1 = (int) INTS.getAcquire(d, base + SEQ);
                    if ((v1 & 1) != 0) {
                        Thread.onSpinWait();
                        continue;
                    }
                    k = ((long) d[base + KEY_HI] << 32) | (d[base + KEY_LO] & 0xffffffffL);
                    if (k == id && out != null) {
                        copyValues(base, out, offset);
                    }
                    // Orders the reads above before the re-check (StampedLock.validate's fence).
                    VarHandle.acquireFence();
                    if (v1 == (int) INTS.getOpaque(d, base + SEQ)) {
                        break;
                    }
                }
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

    /**
     * Keeps {@link #getAll}'s touching loads: the JIT drops a load whose value is unused, so their
     * sum is compared with a constant; the store behind it (away from the table's own fields, which
     * every reader reads) happens about once in 2^32 calls.
     */
    private static final class TouchSink {
        static int hits;

        static void keep(int touched) {
            if (touched == 0x5eed_cafe) {
                hits++;
            }
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
