package dev.funnel.server.exposure;

import static dev.funnel.server.exposure.ExposureTestServer.recommend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.server.FunnelApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process store through server restarts: an unreadable snapshot does not stop the server
 * (moved aside, empty start); a clean shutdown writes the snapshot and the next start restores it,
 * so a user served before the restart is not served the same items after it.
 */
class ExposureSnapshotServingTest {

    @TempDir
    Path dir;

    @Test
    void exposureSurvivesARestartAndABadSnapshotDoesNotStopTheServer() throws Exception {
        Path snapshot = dir.resolve("exposure.bin");
        Files.writeString(snapshot, "not a snapshot");
        Map<String, String> keys = Map.of("exposure.snapshot_path", snapshot.toString());

        long[] before;
        FunnelApp first = ExposureTestServer.start(keys);
        try {
            try (Stream<Path> files = Files.list(dir)) {
                assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("exposure.bin.unreadable-")),
                        "the unreadable snapshot is kept aside");
            }
            assertFalse(Files.exists(snapshot));
            before = recommend(first.httpPort(), "u-restart", 10);
            assertEquals(10, before.length);
        } finally {
            first.close(); // writes the snapshot
        }
        assertTrue(Files.size(snapshot) > 0, "snapshot written on shutdown");

        FunnelApp second = ExposureTestServer.start(keys);
        try {
            long[] after = recommend(second.httpPort(), "u-restart", 10);
            assertTrue(Arrays.stream(after).noneMatch(x -> Arrays.stream(before).anyMatch(y -> y == x)),
                    "served before the restart " + Arrays.toString(before) + ", again after it " + Arrays.toString(after));
            long[] fresh = recommend(second.httpPort(), "u-new", 10);
            assertEquals(Arrays.toString(before), Arrays.toString(fresh), "another user still gets the popular head");
        } finally {
            second.close();
        }
    }
}
