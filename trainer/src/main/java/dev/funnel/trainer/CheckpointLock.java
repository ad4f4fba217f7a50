package dev.funnel.trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.logging.Logger;

/**
 * An OS file lock on {@code <checkpoint dir>/<consumer>.lock}: two trainers of one model on one
 * checkpoint directory (two servers with {@code trainer.embedded}, or a server and {@code TrainerMain})
 * would overwrite each other's checkpoint and publish clashing delta versions, so the second one
 * refuses to start. The OS drops the lock when the process dies, so a killed trainer never leaves a
 * stale lock behind; the file itself (holding the owner's pid, for the message) stays.
 */
final class CheckpointLock implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CheckpointLock.class.getName());

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private CheckpointLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock or fails at once.
     *
     * @throws IllegalStateException naming the directory (and the holder's pid) when another trainer holds it
     */
    static CheckpointLock acquire(Path dir, String consumerName) {
        Path file = dir.resolve(consumerName + ".lock");
        FileChannel ch;
        try {
            Files.createDirectories(dir);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("trainer " + consumerName + ": cannot open lock file " + file, e);
        }
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process (another trainer in this JVM)
        } catch (IOException e) {
            close(ch);
            throw new UncheckedIOException("trainer " + consumerName + ": cannot lock " + file, e);
        }
        if (lock == null) {
            String holder = holder(ch);
            close(ch);
            throw new IllegalStateException("trainer " + consumerName + ": checkpoint directory " + dir.toAbsolutePath()
                    + " is in use by another trainer (" + holder + " holds " + file.getFileName() + "); two trainers of one model"
                    + " would publish clashing delta versions: stop the other one, or give this one its own checkpoint directory"
                    + " (and streams)");
        }
        try {
            byte[] me = ("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(me), 0);
            ch.force(false);
        } catch (IOException e) {
            // The lock is what matters; the pid is only for another trainer's message.
            LOG.warning("trainer " + consumerName + ": holding " + file + " but cannot write the pid into it: " + e);
        }
        return new CheckpointLock(file, ch, lock);
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(64);
            int n = ch.read(b, 0);
            String s = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8).trim();
            if (s.equals("pid " + ProcessHandle.current().pid())) {
                return "this process";
            }
            return s.isEmpty() ? "a process" : s;
        } catch (IOException e) {
            return "a process (its pid unreadable: " + e + ")";
        }
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            LOG.warning("closing an unlocked trainer lock file: " + e);
        }
    }

    /** Releases the lock (the file stays); a second call does nothing. */
    @Override
    public void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release trainer lock " + file, e);
        }
    }

    @Override
    public String toString() {
        return "CheckpointLock{" + file + "}";
    }
}
