package dev.funnel.model.registry;

import java.io.IOException;
import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The model pins of a replica on disk, so that an operator's rollback outlives a restart: one
 * {@code model=version} line per pinned model ({@link ModelRegistry#pins()}). Written whole, to a
 * temporary file in the same directory that is flushed and then renamed over the old one, so a
 * crash leaves the old pins or the new ones, never half a file.
 *
 * <p>Threads: any, never an event loop (file I/O); {@link #write} calls are serialized.
 */
public final class PinFile {

    private final Path path;

    public PinFile(Path path) {
        this.path = path.toAbsolutePath().normalize();
    }

    /** Where the pins live. */
    public Path path() {
        return path;
    }

    /**
     * The pins, by model (sorted); empty when the file does not exist.
     *
     * @throws IOException when it exists but cannot be read
     */
    public Map<String, String> read() throws IOException {
        if (!Files.exists(path)) {
            return Map.of();
        }
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(path, StandardCharsets.UTF_8)));
        Map<String, String> out = new TreeMap<>();
        for (String name : p.stringPropertyNames()) {
            String version = p.getProperty(name).trim();
            if (!version.isEmpty()) {
                out.put(name.trim(), version);
            }
        }
        return out;
    }

    /** Replaces the file with these pins (none: a file with only its comment). */
    public synchronized void write(Map<String, String> pins) throws IOException {
        StringBuilder sb = new StringBuilder("# model=version pinned by POST /admin/models/{name}/rollback;"
                + " POST /admin/models/{name}/unpin removes it. Written by the server.\n");
        new TreeMap<>(pins).forEach((name, version) -> sb.append(escape(name)).append('=').append(escape(version)).append('\n'));
        Path dir = path.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(StandardCharsets.UTF_8.encode(sb.toString()));
                ch.force(true);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Escapes what {@link Properties#load} would read otherwise: separators, comments, backslashes. */
    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
                continue;
            }
            if (c == '\\' || c == '=' || c == ':' || c == '#' || c == '!' || c == ' ') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "PinFile{" + path + '}';
    }
}
