package dev.funnel.index;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.zip.CRC32;

/**
 * Writes an {@link ItemIndex} to one file and restores it, graph included, so a restart does not
 * rebuild the vector graph. Format (big-endian): magic {@code FNLIDX}, format version, the config,
 * the live items (compacted: row i of the file is ordinal i after restore), the graph's vectors with
 * their owning rows, jvector's graph bytes, then a CRC32 of everything before it. Written to a
 * temporary file and moved into place, so a crash never leaves a half-written snapshot.
 */
public final class IndexSnapshot {

    static final byte[] MAGIC = {'F', 'N', 'L', 'I', 'D', 'X'};
    static final int FORMAT_VERSION = 1;

    private IndexSnapshot() {
    }

    /** Writes the index (holding its writer lock, so writes wait; reads go on). Returns bytes written. */
    public static long write(ItemIndex index, Path file) throws IOException {
        byte[] body = index.underWriteLock(() -> {
            try {
                return encode(index);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        CRC32 crc = new CRC32();
        crc.update(body);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.write(body);
            out.writeLong(crc.getValue());
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return body.length + 8L;
    }

    /**
     * Restores an index written by {@link #write}.
     *
     * @throws IOException naming the file when it is truncated, corrupt (checksum) or of another format
     */
    public static ItemIndex read(Path file, LongSupplier clockMillis) throws IOException {
        return decode(file, null, clockMillis);
    }

    /**
     * Restores a snapshot into an index that is already wired but still empty (services registered
     * at start, catalog loaded in the background).
     *
     * @throws IOException when the file is unreadable or was written with another index config
     * @throws IllegalStateException when the index is not empty
     */
    public static void restoreInto(ItemIndex empty, Path file) throws IOException {
        decode(file, empty, empty::nowMillis);
    }

    private static ItemIndex decode(Path file, ItemIndex target, LongSupplier clockMillis) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < MAGIC.length + 12) {
            throw new IOException(file + ": not an index snapshot (" + all.length + " bytes)");
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        long stored = ByteBuffer.wrap(all, all.length - 8, 8).getLong();
        if (stored != crc.getValue()) {
            throw new IOException(file + ": checksum mismatch (stored " + Long.toHexString(stored) + ", computed "
                    + Long.toHexString(crc.getValue()) + "): the snapshot is corrupt");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 8));
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException(file + ": not an index snapshot (bad magic)");
        }
        int version = in.readInt();
        if (version != FORMAT_VERSION) {
            throw new IOException(file + ": snapshot format " + version + ", this build reads " + FORMAT_VERSION);
        }
        IndexConfig config = readConfig(in);
        if (target != null && !target.config().equals(config)) {
            throw new IOException(file + ": written with " + config + ", the index has " + target.config());
        }
        if (target != null && target.state().rows != 0) {
            throw new IllegalStateException("restoreInto needs an empty index, got " + target);
        }
        ItemIndex index = target != null ? target : new ItemIndex(config, clockMillis);
        int n = in.readInt();
        Columns cols = new Columns(Math.max(1024, n + n / 8));
        for (int ord = 0; ord < n; ord++) {
            long id = in.readLong();
            String category = in.readUTF();
            String author = in.readUTF();
            int nt = in.readInt();
            List<String> tags = new ArrayList<>(nt);
            for (int t = 0; t < nt; t++) {
                tags.add(in.readUTF());
            }
            String status = in.readBoolean() ? ItemRecord.ONLINE : ItemRecord.OFFLINE;
            long created = in.readLong();
            double popularity = in.readDouble();
            Map<String, Object> attrs = readAttributes(in);
            float[] emb = null;
            if (in.readBoolean()) {
                emb = new float[config.dim()];
                for (int d = 0; d < emb.length; d++) {
                    emb[d] = in.readFloat();
                }
            }
            cols.write(ord, new ItemRecord(id, category, author, tags, status, created, popularity, emb, attrs));
            cols.node[ord] = in.readInt();
        }
        int nodes = in.readInt();
        float[][] vectors = new float[nodes][config.dim()];
        int[] owners = new int[nodes];
        for (int node = 0; node < nodes; node++) {
            owners[node] = in.readInt();
            for (int d = 0; d < config.dim(); d++) {
                vectors[node][d] = in.readFloat();
            }
        }
        byte[] graphBytes = in.readNBytes(in.readInt());
        index.underWriteLock(() -> {
            try {
                index.graph().load(ByteBuffer.wrap(graphBytes), vectors, owners);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            index.installRows(cols, n);
            return null;
        });
        return index;
    }

    private static byte[] encode(ItemIndex index) throws IOException {
        IndexState s = index.state();
        VectorGraph graph = index.graph();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeInt(FORMAT_VERSION);
        writeConfig(out, index.config());
        int[] liveOrds = s.live.toArray();
        int[] newOrd = new int[s.rows];
        Arrays.fill(newOrd, -1);
        for (int i = 0; i < liveOrds.length; i++) {
            newOrd[liveOrds[i]] = i;
        }
        out.writeInt(liveOrds.length);
        Columns c = s.columns;
        for (int ord : liveOrds) {
            out.writeLong(c.ids[ord]);
            out.writeUTF(c.category[ord]);
            out.writeUTF(c.author[ord]);
            out.writeInt(c.tags[ord].size());
            for (String t : c.tags[ord]) {
                out.writeUTF(t);
            }
            out.writeBoolean(c.online[ord]);
            out.writeLong(c.createdAtMillis[ord]);
            out.writeDouble(c.popularity[ord]);
            writeAttributes(out, c.attributes[ord]);
            float[] e = c.embedding[ord];
            out.writeBoolean(e != null);
            if (e != null) {
                for (float v : e) {
                    out.writeFloat(v);
                }
            }
            out.writeInt(c.node[ord]);
        }
        int nodes = graph.nodeCount();
        out.writeInt(nodes);
        for (int node = 0; node < nodes; node++) {
            int owner = graph.ordOf(node);
            out.writeInt(owner >= 0 && owner < newOrd.length ? newOrd[owner] : -1);
            for (float v : graph.vector(node)) {
                out.writeFloat(v);
            }
        }
        ByteArrayOutputStream g = new ByteArrayOutputStream(1 << 20);
        graph.save(new DataOutputStream(g));
        out.writeInt(g.size());
        g.writeTo(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static void writeConfig(DataOutputStream out, IndexConfig c) throws IOException {
        out.writeInt(c.dim());
        out.writeUTF(c.similarity().name());
        out.writeInt(c.indexedFields().size());
        for (String f : c.indexedFields()) {
            out.writeUTF(f);
        }
        out.writeInt(c.graphMaxDegree());
        out.writeInt(c.graphBeamWidth());
        out.writeInt(c.exactSearchBelow());
        out.writeInt(c.rankedRebuildEvery());
    }

    private static IndexConfig readConfig(DataInputStream in) throws IOException {
        int dim = in.readInt();
        Similarity sim = Similarity.valueOf(in.readUTF());
        int nf = in.readInt();
        List<String> fields = new ArrayList<>(nf);
        for (int i = 0; i < nf; i++) {
            fields.add(in.readUTF());
        }
        return new IndexConfig(dim, sim, fields, in.readInt(), in.readInt(), in.readInt(), in.readInt());
    }

    private static void writeAttributes(DataOutputStream out, Map<String, Object> attrs) throws IOException {
        out.writeInt(attrs.size());
        for (Map.Entry<String, Object> e : attrs.entrySet()) {
            out.writeUTF(e.getKey());
            Object v = e.getValue();
            if (v instanceof String str) {
                out.writeByte('s');
                out.writeUTF(str);
            } else if (v instanceof Boolean b) {
                out.writeByte('b');
                out.writeBoolean(b);
            } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                out.writeByte('l');
                out.writeLong(((Number) v).longValue());
            } else if (v instanceof Number num) {
                out.writeByte('d');
                out.writeDouble(num.doubleValue());
            } else {
                List<?> list = (List<?>) v;
                out.writeByte('L');
                out.writeInt(list.size());
                for (Object o : list) {
                    out.writeUTF(String.valueOf(o));
                }
            }
        }
    }

    private static Map<String, Object> readAttributes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == 0) {
            return Map.of();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String k = in.readUTF();
            int type = in.readByte();
            switch (type) {
                case 's' -> m.put(k, in.readUTF());
                case 'b' -> m.put(k, in.readBoolean());
                case 'l' -> m.put(k, in.readLong());
                case 'd' -> m.put(k, in.readDouble());
                case 'L' -> {
                    int len = in.readInt();
                    List<String> l = new ArrayList<>(len);
                    for (int j = 0; j < len; j++) {
                        l.add(in.readUTF());
                    }
                    m.put(k, l);
                }
                default -> throw new IOException("unknown attribute type '" + (char) type + "' for '" + k + "'");
            }
        }
        return m;
    }
}
