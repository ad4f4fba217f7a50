package dev.funnel.trainer.learn;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The trainer's side of an embedding table: id → row of optimizer state ({@code width} floats, of
 * which the first {@code publishedWidth} are what serving reads). Admission and expiry follow the
 * serving tables: a new id gets a row only after {@code admitAfter} updates, at most {@code maxRows}
 * rows exist, and rows not updated for {@code ttlMillis} are dropped by {@link #expire}. Remembers the
 * ids changed since the last {@link #takeTouched()} for sparse deltas. Single-threaded (the learner).
 */
final class RowStore {

    private final String name;
    private final int width;
    private final int publishedWidth;
    private final int admitAfter;
    private final int maxRows;
    private final long ttlMillis;
    private final Map<Long, float[]> rows = new HashMap<>();
    private final Map<Long, Long> lastWriteMillis = new HashMap<>();
    private final Map<Long, Integer> pendingCounts = new HashMap<>();
    private final Set<Long> touched = new LinkedHashSet<>();
    private long fullRejections;
    private long expired;

    RowStore(String name, int width, int publishedWidth, int admitAfter, int maxRows, long ttlMillis) {
        if (width < publishedWidth || publishedWidth < 1 || admitAfter < 1 || maxRows < 1 || ttlMillis < 1) {
            throw new IllegalArgumentException("row store " + name + ": bad config width=" + width + " published="
                    + publishedWidth + " admitAfter=" + admitAfter + " maxRows=" + maxRows + " ttlMillis=" + ttlMillis);
        }
        this.name = name;
        this.width = width;
        this.publishedWidth = publishedWidth;
        this.admitAfter = admitAfter;
        this.maxRows = maxRows;
        this.ttlMillis = ttlMillis;
    }

    String name() {
        return name;
    }

    int publishedWidth() {
        return publishedWidth;
    }

    int size() {
        return rows.size();
    }

    long fullRejections() {
        return fullRejections;
    }

    long expired() {
        return expired;
    }

    /** The row of id, or null when it has none (reads as zeros, like serving's default vector). */
    float[] get(long id) {
        return rows.get(id);
    }

    /**
     * The row to update for id, creating it (with {@code init}) once admitted; null while the id is
     * pending admission or the store is full. Marks the row touched and refreshes its expiry.
     */
    float[] forUpdate(long id, long nowMillis, RowInit init) {
        float[] row = rows.get(id);
        if (row == null) {
            int seen = pendingCounts.merge(id, 1, Integer::sum);
            if (seen < admitAfter) {
                if (pendingCounts.size() > 4 * maxRows) {
                    // Bounded memory, like serving's sketch: forget the one-off ids.
                    pendingCounts.clear();
                }
                return null;
            }
            if (rows.size() >= maxRows) {
                fullRejections++;
                return null;
            }
            pendingCounts.remove(id);
            row = new float[width];
            init.init(id, row);
            rows.put(id, row);
        }
        lastWriteMillis.put(id, nowMillis);
        touched.add(id);
        return row;
    }

    /** Drops rows not written since {@code nowMillis - ttlMillis}; returns how many. */
    int expire(long nowMillis) {
        int n = 0;
        for (Iterator<Map.Entry<Long, Long>> it = lastWriteMillis.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Long> e = it.next();
            if (nowMillis - e.getValue() > ttlMillis) {
                rows.remove(e.getKey());
                touched.remove(e.getKey());
                it.remove();
                n++;
            }
        }
        expired += n;
        return n;
    }

    /** Ids touched since the last call, in first-touch order; clears the set. */
    long[] takeTouched() {
        long[] ids = new long[touched.size()];
        int i = 0;
        for (long id : touched) {
            ids[i++] = id;
        }
        touched.clear();
        return ids;
    }

    /** Every id with a row. */
    long[] ids() {
        long[] ids = new long[rows.size()];
        int i = 0;
        for (long id : rows.keySet()) {
            ids[i++] = id;
        }
        return ids;
    }

    /** A row initializer for newly admitted ids. */
    @FunctionalInterface
    interface RowInit {
        void init(long id, float[] row);
    }

    void write(DataOutputStream out) throws IOException {
        out.writeUTF(name);
        out.writeInt(width);
        out.writeInt(rows.size());
        for (Map.Entry<Long, float[]> e : rows.entrySet()) {
            out.writeLong(e.getKey());
            out.writeLong(lastWriteMillis.getOrDefault(e.getKey(), 0L));
            for (float f : e.getValue()) {
                out.writeFloat(f);
            }
        }
        out.writeInt(pendingCounts.size());
        for (Map.Entry<Long, Integer> e : pendingCounts.entrySet()) {
            out.writeLong(e.getKey());
            out.writeInt(e.getValue());
        }
        out.writeInt(touched.size());
        for (long id : touched) {
            out.writeLong(id);
        }
        out.writeLong(fullRejections);
        out.writeLong(expired);
    }

    void read(DataInputStream in) throws IOException {
        String n = in.readUTF();
        int w = in.readInt();
        if (!n.equals(name) || w != width) {
            throw new IOException("checkpoint row store " + n + "/" + w + " does not match " + name + "/" + width);
        }
        rows.clear();
        lastWriteMillis.clear();
        pendingCounts.clear();
        touched.clear();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            long id = in.readLong();
            lastWriteMillis.put(id, in.readLong());
            float[] row = new float[width];
            for (int j = 0; j < width; j++) {
                row[j] = in.readFloat();
            }
            rows.put(id, row);
        }
        int pending = in.readInt();
        for (int i = 0; i < pending; i++) {
            pendingCounts.put(in.readLong(), in.readInt());
        }
        int t = in.readInt();
        for (int i = 0; i < t; i++) {
            touched.add(in.readLong());
        }
        fullRejections = in.readLong();
        expired = in.readLong();
    }
}
