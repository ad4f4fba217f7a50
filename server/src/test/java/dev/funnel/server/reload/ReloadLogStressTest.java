package dev.funnel.server.reload;

import dev.funnel.engine.dag.Problem;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The watcher writes while admin handlers read from many threads: every view must be consistent. */
class ReloadLogStressTest {

    @Test
    void readersAlwaysSeeConsistentStatusesWhileTheWatcherWrites() throws Exception {
        ReloadLog log = new ReloadLog(new SimpleMeterRegistry(), Clock.systemUTC(), 20);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int readers = 4;
        CountDownLatch done = new CountDownLatch(readers);
        for (int r = 0; r < readers; r++) {
            Thread t = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        for (ReloadLog.FileStatus s : log.files()) {
                            switch (s.state()) {
                                case FAILED -> check(!s.problems().isEmpty() && s.failedHash() != null, s);
                                case LIVE -> check(s.problems().isEmpty() && s.liveHash() != null, s);
                                case REMOVED -> check(s.liveHash() == null, s);
                            }
                        }
                        List<ReloadLog.Event> recent = log.recent();
                        check(recent.size() <= 20, recent.size());
                        for (int i = 1; i < recent.size(); i++) {
                            check(recent.get(i - 1).atMillis() >= recent.get(i).atMillis(), "newest first");
                        }
                        Map<String, Object> json = log.toJson();
                        check(json.containsKey("files"), json);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            });
            t.start();
        }
        for (int i = 0; i < 50_000; i++) {
            String file = "f" + (i % 7) + ".yaml";
            switch (i % 3) {
                case 0 -> log.live(file, "h" + i);
                case 1 -> log.failed(file, "h" + i, List.of(new Problem(file, i % 40 + 1, "bad " + i)));
                default -> {
                    if (i % 11 == 0) {
                        log.removed(file);
                    }
                }
            }
        }
        stop.set(true);
        done.await();
        assertNull(failure.get());
        assertEquals(7, log.files().size());
        assertEquals(20, log.recent().size());
    }

    private static void check(boolean ok, Object what) {
        if (!ok) {
            throw new AssertionError("inconsistent: " + what);
        }
    }
}
