package dev.funnel.exposure;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The in-process store's file: magic {@code FXS1}, format version, both layouts (a snapshot taken
 * with another layout is refused, not misread), then every user's windows and filter words, then a
 * CRC-32 of everything before it. Written to a temporary file and moved into place atomically.
 */
final class ExposureSnapshot {

    static final int MAGIC = 0x46585331; // "FXS1"
    static final int VERSION = 1;

    private ExposureSnapshot() {
    }

    static void write(InMemoryExposureStore store, Path path) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        CRC32 crc = new CRC32();
        try (OutputStream file = Files.newOutputStream(tmp)) {
            BufferedOutputStream buffered = new BufferedOutputStream(file, 1 << 16);
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(buffered, crc));
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(store.longTerm.describe());
            out.writeUTF(store.shortTerm.describe());
            var users = Map.copyOf(store.users);
            out.writeInt(users.size());
            for (var e : users.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue().lastAccessMillis);
                writeBloom(out, e.getValue().shortTerm);
                writeBloom(out, e.getValue().longTerm);
            }
            out.flush();
            new DataOutputStream(buffered).writeLong(crc.getValue());
            buffered.flush();
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeBloom(DataOutputStream out, WindowedBloom b) throws IOException {
        WindowedBloom.Window[] ws = b.windows();
        int present = 0;
        for (WindowedBloom.Window w : ws) {
            present += w == null ? 0 : 1;
        }
        out.writeInt(present);
        for (WindowedBloom.Window w : ws) {
            if (w == null) {
                continue;
            }
            long[][] segs = b.segmentsOf(w);
            out.writeLong(w.index);
            out.writeLong(w.count.get());
            out.writeInt(segs.length);
            for (long[] s : segs) {
                out.writeInt(s == null ? -1 : s.length);
                if (s != null) {
                    for (long word : s) {
                        out.writeLong(word);
                    }
                }
            }
        }
    }

    /** Loads a snapshot into an empty store. */
    static void read(InMemoryExposureStore store, Path path) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream file = Files.newInputStream(path)) {
            BufferedInputStream buffered = new BufferedInputStream(file, 1 << 16);
            DataInputStream in = new DataInputStream(new CheckedInputStream(buffered, crc));
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new IOException(path + ": not an exposure snapshot (magic " + Integer.toHexString(magic) + ")");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException(path + ": snapshot version " + version + ", this build reads " + VERSION);
            }
            String longTerm = in.readUTF();
            String shortTerm = in.readUTF();
            if (!longTerm.equals(store.longTerm.describe()) || !shortTerm.equals(store.shortTerm.describe())) {
                throw new IOException(path + ": snapshot layout [" + longTerm + "; " + shortTerm
                        + "] differs from the configured [" + store.longTerm.describe() + "; " + store.shortTerm.describe() + "]");
            }
            int n = in.readInt();
            var loaded = new java.util.HashMap<String, InMemoryExposureStore.UserRecord>(n * 2);
            for (int i = 0; i < n; i++) {
                String user = in.readUTF();
                InMemoryExposureStore.UserRecord u = new InMemoryExposureStore.UserRecord(store);
                u.lastAccessMillis = in.readLong();
                readBloom(in, u.shortTerm, store.shortTerm, path);
                readBloom(in, u.longTerm, store.longTerm, path);
                loaded.put(user, u);
            }
            long expected = crc.getValue();
            long actual;
            try {
                actual = new DataInputStream(buffered).readLong();
            } catch (EOFException e) {
                throw new IOException(path + ": snapshot truncated before its checksum", e);
            }
            if (actual != expected) {
                throw new IOException(path + ": snapshot checksum mismatch (stored " + Long.toHexString(actual)
                        + ", computed " + Long.toHexString(expected) + ")");
            }
            store.users.putAll(loaded);
        } catch (EOFException e) {
            throw new IOException(path + ": snapshot truncated", e);
        }
    }

    private static void readBloom(DataInputStream in, WindowedBloom b, BloomLayout layout, Path path) throws IOException {
        int windows = in.readInt();
        if (windows < 0 || windows > layout.windowsKept) {
            throw new IOException(path + ": corrupt snapshot (" + windows + " windows)");
        }
        for (int i = 0; i < windows; i++) {
            WindowedBloom.Window w = new WindowedBloom.Window(in.readLong());
            w.count.set(in.readLong());
            int segs = in.readInt();
            if (segs < 0 || segs > BloomLayout.MAX_SEGMENTS) {
                throw new IOException(path + ": corrupt snapshot (" + segs + " segments)");
            }
            long[][] arr = new long[segs][];
            for (int s = 0; s < segs; s++) {
                int len = in.readInt();
                if (len == -1) {
                    continue;
                }
                if (len != layout.words(s)) {
                    throw new IOException(path + ": corrupt snapshot (segment " + s + " of " + len + " words, expected " + layout.words(s) + ")");
                }
                long[] words = new long[len];
                for (int j = 0; j < len; j++) {
                    words[j] = in.readLong();
                }
                arr[s] = words;
            }
            w.segments = arr;
            b.restore(w);
        }
    }
}
