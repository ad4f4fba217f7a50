package dev.funnel.server.learning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A starting demo removes the streams directories of processes that are gone (killed with -9) and
 * never one whose owner may be alive, with real processes as owners.
 */
class DemoStreamsDirTest {

    @Test
    void removesOnlyDirectoriesWhoseOwnerIsDead(@TempDir Path tmp) throws Exception {
        Process dead = new ProcessBuilder("true").start();
        assertTrue(dead.waitFor(30, TimeUnit.SECONDS));
        Process live = new ProcessBuilder("sleep", "60").start();
        try {
            Path ofDead = owned(tmp, "1", dead.toHandle());
            Path ofLive = owned(tmp, "2", live.toHandle());
            Path ofThis = owned(tmp, "3", ProcessHandle.current());
            Path noOwner = Files.createDirectory(tmp.resolve(DemoStreamsDir.PREFIX + "4")); // an older version's, or being created
            Path otherNamespace = Files.createDirectory(tmp.resolve(DemoStreamsDir.PREFIX + "5"));
            Files.writeString(otherNamespace.resolve(DemoStreamsDir.OWNER_FILE),
                    "pid=" + dead.pid() + "\nstart=-1\npidns=pid:[1]\n"); // another container's: its pid means nothing here
            Path reused = Files.createDirectory(tmp.resolve(DemoStreamsDir.PREFIX + "6"));
            Files.writeString(reused.resolve(DemoStreamsDir.OWNER_FILE), DemoStreamsDir.ownerLine(live.toHandle())
                    .replaceFirst("start=\\d+", "start=1")); // the live pid, but started at another time: its owner is gone
            Path other = Files.createDirectory(tmp.resolve("funnel-other"));
            Files.writeString(other.resolve(DemoStreamsDir.OWNER_FILE), DemoStreamsDir.ownerLine(dead.toHandle()));

            Path mine = DemoStreamsDir.create(tmp);

            assertFalse(Files.exists(ofDead), "a dead process's directory is removed");
            boolean startKnown = live.toHandle().info().startInstant().isPresent();
            assertEquals(!startKnown, Files.exists(reused), "a reused pid is told apart by its start time");
            for (Path kept : List.of(ofLive, ofThis, noOwner, otherNamespace, other)) {
                assertTrue(Files.exists(kept), kept + " kept");
            }
            assertTrue(Files.isDirectory(mine) && mine.getFileName().toString().startsWith(DemoStreamsDir.PREFIX));
            assertTrue(Files.readString(mine.resolve(DemoStreamsDir.OWNER_FILE)).contains("pid=" + ProcessHandle.current().pid() + "\n"));
            assertEquals(List.of(), DemoStreamsDir.removeStale(tmp), "this process's own directory is never stale");
            assertTrue(Files.exists(mine));
        } finally {
            live.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Path owned(Path tmp, String suffix, ProcessHandle owner) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve(DemoStreamsDir.PREFIX + suffix));
        Files.createDirectories(dir.resolve("queue"));
        Files.writeString(dir.resolve("queue").resolve("20261127.cq4"), "data");
        Files.writeString(dir.resolve(DemoStreamsDir.OWNER_FILE), DemoStreamsDir.ownerLine(owner));
        return dir;
    }
}
