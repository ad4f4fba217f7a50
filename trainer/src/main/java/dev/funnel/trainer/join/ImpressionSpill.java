package dev.funnel.trainer.join;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where a checkpoint keeps the bytes of pending impressions, so that a checkpoint writes each
 * impression once rather than the whole join window every time: an append-only file
 * {@code <prefix>.<generation>}. The checkpoint proper holds, per pending impression, only its
 * offset and length here plus its small mutable join state, and the committed end of the file.
 *
 * <p><b>Crash safety.</b> Bytes a committed checkpoint refers to are never overwritten: appends go
 * past the committed end, and compaction (when dead bytes, of impressions whose window closed,
 * outweigh live ones) writes a new generation and leaves the old file until a checkpoint naming the
 * new one has been committed ({@link #committed}). On restore, {@link #open} truncates what a dead
 * trainer appended after its last commit and deletes the generations that checkpoint does not name.
 * Like the checkpoint file it relies on the OS page cache surviving a killed process (no fsync).
 *
 * <p>Single-threaded: the trainer's loop thread.
 */
public final class ImpressionSpill implements AutoCloseable {

    /** Compaction waits until the file holds at least this many dead bytes (and more dead than live). */
    public static final long DEFAULT_MIN_DEAD_BYTES_TO_COMPACT = 1 << 20;

    private final Path dir;
    private final String prefix;
    private final long minDeadBytesToCompact;
    private long generation;
    private FileChannel channel;
    private long end;
    private long compactions;
    /** The generation being compacted away: kept until the checkpoint naming the new one is committed. */
    private FileChannel previous;
    private long previousGeneration = -1;
    /** Earlier generations whose compaction was never committed (a failed checkpoint); deleted at the next commit. */
    private final java.util.List<Long> abandoned = new java.util.ArrayList<>();
    /** Set when a checkpoint failed half-way: offsets in memory may no longer match the files. */
    private IOException failure;

    /** Files {@code <dir>/<prefix>.<generation>}; nothing is opened until the first checkpoint or restore. */
    public ImpressionSpill(Path dir, String prefix) {
        this(dir, prefix, DEFAULT_MIN_DEAD_BYTES_TO_COMPACT);
    }

    ImpressionSpill(Path dir, String prefix, long minDeadBytesToCompact) {
        if (minDeadBytesToCompact < 0) {
            throw new IllegalArgumentException("spill " + prefix + ": minDeadBytesToCompact must be >= 0, got " + minDeadBytesToCompact);
        }
        this.dir = dir;
        this.prefix = prefix;
        this.minDeadBytesToCompact = minDeadBytesToCompact;
    }

    private Path file(long gen) {
        return dir.resolve(prefix + "." + gen);
    }

    /** Generation the current file belongs to (written into the checkpoint). */
    long generation() {
        return generation;
    }

    /** End of the bytes written so far (written into the checkpoint as the committed end). */
    long end() {
        return end;
    }

    /** Compactions so far (for tests and logs). */
    public long compactions() {
        return compactions;
    }

    /** Bytes in the current file, live or dead. */
    public long fileBytes() {
        return end;
    }

    /**
     * A checkpoint failed while writing here: refuse every later one, so that no checkpoint naming a
     * half-written state is committed. A restart restores the last committed checkpoint.
     */
    void failed(IOException e) {
        if (failure == null) {
            failure = e;
        }
    }

    private FileChannel channel() throws IOException {
        if (failure != null) {
            throw new IOException("spill " + file(generation) + " unusable after an earlier failure", failure);
        }
        if (channel == null) {
            Files.createDirectories(dir);
            channel = FileChannel.open(file(generation), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            channel.truncate(end);
        }
        return channel;
    }

    /** Appends one impression's bytes; returns their offset. */
    long append(byte[] bytes) throws IOException {
        FileChannel ch = channel();
        long at = end;
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b, at + b.position());
        }
        end += bytes.length;
        return at;
    }

    /** Reads bytes an earlier append wrote. */
    byte[] read(long offset, int length) throws IOException {
        if (offset < 0 || length < 0 || offset + length > end) {
            throw new IOException("spill " + file(generation) + ": range " + offset + "+" + length + " outside 0.." + end);
        }
        byte[] out = new byte[length];
        ByteBuffer b = ByteBuffer.wrap(out);
        FileChannel ch = channel();
        while (b.hasRemaining()) {
            if (ch.read(b, offset + b.position()) < 0) {
                throw new IOException("spill " + file(generation) + ": truncated at " + (offset + b.position()));
            }
        }
        return out;
    }

    /** Whether {@link #compactInto} is worth it with this many live bytes in the file. */
    boolean shouldCompact(long liveBytes) {
        long dead = end - liveBytes;
        return dead >= minDeadBytesToCompact && dead > liveBytes;
    }

    /**
     * Starts a new generation: the caller copies its live ranges with {@link #copyFromPrevious} in any
     * order. The previous file stays until {@link #committed}.
     */
    void compactInto() throws IOException {
        FileChannel old = channel();
        if (previous != null) {
            previous.close();
            abandoned.add(previousGeneration);
        }
        previous = old;
        previousGeneration = generation;
        generation++;
        end = 0;
        channel = null;
        Files.deleteIfExists(file(generation));
        channel();
        compactions++;
    }

    /** Copies a range of the previous generation to the end of the new one; returns its new offset. */
    long copyFromPrevious(long offset, int length) throws IOException {
        long at = end;
        long done = 0;
        while (done < length) {
            long n = previous.transferTo(offset + done, length - done, channel.position(at + done));
            if (n <= 0) {
                throw new IOException("spill " + file(previousGeneration) + ": cannot copy " + offset + "+" + length);
            }
            done += n;
        }
        end += length;
        return at;
    }

    /** The checkpoint naming the current generation is committed: older generations may go. */
    public void committed() throws IOException {
        if (previous != null) {
            previous.close();
            previous = null;
            Files.deleteIfExists(file(previousGeneration));
        }
        for (long gen : abandoned) {
            Files.deleteIfExists(file(gen));
        }
        abandoned.clear();
    }

    /**
     * Restore: uses the generation a checkpoint named, drops bytes past its committed end and deletes
     * every other generation.
     */
    void open(long gen, long committedEnd) throws IOException {
        close();
        // An empty generation is never created (the file opens on the first append): a trainer closed before
        // it read an impression checkpointed one, and must restart from it.
        if (committedEnd > 0 && !Files.exists(file(gen))) {
            throw new IOException("checkpoint names spill " + file(gen) + ", which does not exist");
        }
        generation = gen;
        end = committedEnd;
        channel();
        if (channel.size() < committedEnd) {
            throw new IOException("spill " + file(gen) + " has " + channel.size() + " bytes, checkpoint committed " + committedEnd);
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + ".*")) {
            for (Path f : files) {
                String suffix = f.getFileName().toString().substring(prefix.length() + 1);
                if (!suffix.equals(Long.toString(gen)) && suffix.chars().allMatch(Character::isDigit)) {
                    Files.delete(f);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
        if (previous != null) {
            previous.close();
            previous = null;
        }
    }

    @Override
    public String toString() {
        return "ImpressionSpill{" + file(generation) + ", bytes=" + end + ", compactions=" + compactions + "}";
    }
}
