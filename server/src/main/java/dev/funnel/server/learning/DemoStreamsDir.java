package dev.funnel.server.learning;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The demo's temporary streams directory ({@code funnel-demo-streams<random>} in the temp directory).
 * The server deletes it when it stops; a process killed with {@code kill -9} cannot, so each
 * directory carries an {@value #OWNER_FILE} naming its process (pid, start time, pid namespace) and
 * a starting demo deletes the ones whose process is gone, logging each.
 *
 * <p>Only a directory whose owner is known to be dead is deleted: one without an owner file (an
 * older version's, or one whose owner is between creating it and writing the file), one from another
 * pid namespace (another container sharing the temp directory), or one whose pid is alive with the
 * same start time is left alone. A pid reused by a newer process is told apart by its start time.
 */
final class DemoStreamsDir {

    static final String PREFIX = "funnel-demo-streams";
    static final String OWNER_FILE = "owner.pid";

    private static final Logger LOG = Logger.getLogger(DemoStreamsDir.class.getName());

    private DemoStreamsDir() {
    }

    /** Removes stale demo directories from the system temp directory, then creates this process's. */
    static Path create() throws IOException {
        return create(Path.of(System.getProperty("java.io.tmpdir")));
    }

    static Path create(Path tempRoot) throws IOException {
        for (Path stale : removeStale(tempRoot)) {
            LOG.info("removed " + stale + ": a demo streams directory left by a process that is gone");
        }
        Path dir = Files.createTempDirectory(tempRoot, PREFIX);
        Path tmp = dir.resolve(OWNER_FILE + ".tmp");
        Files.writeString(tmp, ownerLine(ProcessHandle.current()), StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(OWNER_FILE), StandardCopyOption.ATOMIC_MOVE); // never seen half-written
        return dir;
    }

    /** Deletes every {@value #PREFIX}* directory under {@code tempRoot} whose owner is dead; returns them. */
    static List<Path> removeStale(Path tempRoot) throws IOException {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tempRoot, PREFIX + "*")) {
            for (Path dir : dirs) {
                if (Files.isDirectory(dir) && ownerIsGone(dir) && deleteTree(dir)) {
                    removed.add(dir);
                }
            }
        }
        return removed;
    }

    /** The owner file's content for a process. */
    static String ownerLine(ProcessHandle p) {
        return "pid=" + p.pid() + "\nstart=" + startMillis(p) + "\npidns=" + pidNamespace() + "\n";
    }

    private static boolean ownerIsGone(Path dir) {
        Properties owner = new Properties();
        try {
            owner.load(new StringReader(Files.readString(dir.resolve(OWNER_FILE), StandardCharsets.UTF_8)));
            long pid = Long.parseLong(owner.getProperty("pid", "").trim());
            if (!owner.getProperty("pidns", "").equals(pidNamespace())) {
                return false; // another pid namespace: its pids mean nothing here
            }
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            if (p.isEmpty() || !p.get().isAlive()) {
                return true;
            }
            long start = startMillis(p.get());
            String recorded = owner.getProperty("start", "-1").trim();
            return start != -1 && !recorded.equals("-1") && start != Long.parseLong(recorded); // the pid was reused
        } catch (IOException | RuntimeException e) {
            return false; // no (readable) owner file: not known to be dead
        }
    }

    private static long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L);
    }

    /** Linux's pid namespace of this process ({@code pid:[4026531836]}), or empty where there is none to read. */
    private static String pidNamespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return "";
        }
    }

    /** Deletes a tree; false (and logged) when some of it could not be deleted. */
    private static boolean deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warning("could not remove the stale demo streams directory " + dir + ": " + e);
            return false;
        }
    }
}
