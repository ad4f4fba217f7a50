package dev.funnel.server.exposure;

import static dev.funnel.server.exposure.ExposureTestServer.awaitMetric;
import static dev.funnel.server.exposure.ExposureTestServer.metric;
import static dev.funnel.server.exposure.ExposureTestServer.post;
import static dev.funnel.server.exposure.ExposureTestServer.recommend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two Funnel server processes share one real redis-server (started here): each honours the other's
 * exposures, served and reported; with Redis stopped, requests keep succeeding while the fail-open
 * counter rises, and filtering comes back when Redis does. Skipped only when redis-server is missing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisSharedExposureTest {

    static final String WRITES = "funnel_exposure_writes_total";
    static final String FAIL_OPEN = "funnel_exposure_fail_open_total";

    static TestRedis redis;
    static ServerProcess a;
    static ServerProcess b;

    @BeforeAll
    static void start() throws Exception {
        Path bin = TestRedis.findBinary();
        assumeTrue(bin != null, "redis-server not found on this machine (apt-get install -y redis-server): Redis tests skipped");
        redis = TestRedis.start(bin);
        String[] keys = {"exposure.store=redis", "exposure.redis.url=" + redis.url(), "exposure.redis.timeout_ms=5000"};
        a = ServerProcess.start(keys);
        b = ServerProcess.start(keys);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {a, b, redis}) {
            if (c != null) {
                c.close();
            }
        }
    }

    static boolean overlap(long[] x, long[] y) {
        return Arrays.stream(x).anyMatch(i -> Arrays.stream(y).anyMatch(j -> j == i));
    }

    /** Requests a page from a server and waits until its served-exposure write reached Redis. */
    static long[] served(ServerProcess s, String user, int count) throws Exception {
        double before = metric(s.port, WRITES);
        long[] page = recommend(s.port, user, count);
        awaitMetric(s.port, WRITES, before + 1);
        return page;
    }

    @Test
    @Order(1)
    void eachProcessHonoursTheOthersServedItems() throws Exception {
        long[] fromA = served(a, "u-shared", 15);
        long[] fromB = served(b, "u-shared", 15);
        long[] againA = recommend(a.port, "u-shared", 15);
        assertEquals(15, fromA.length);
        assertTrue(!overlap(fromA, fromB) && !overlap(fromA, againA) && !overlap(fromB, againA),
                Arrays.toString(fromA) + " / " + Arrays.toString(fromB) + " / " + Arrays.toString(againA));
    }

    @Test
    @Order(2)
    void exposureReportedToOneProcessIsFilteredByTheOther() throws Exception {
        long[] head = recommend(b.port, "u-probe", 10); // the popular head any fresh user gets
        String events = LongStream.of(head).mapToObj(id -> "{\"user_id\":\"u-exp\",\"item_id\":" + id + ",\"event\":\"expose\"}")
                .collect(Collectors.joining(",", "[", "]"));
        double before = metric(b.port, WRITES);
        assertEquals(202, post(b.port, "/v1/feedback", events).statusCode());
        awaitMetric(b.port, WRITES, before + 1);
        long[] pageA = recommend(a.port, "u-exp", 30);
        assertTrue(!overlap(head, pageA), "exposed on B " + Arrays.toString(head) + ", served by A " + Arrays.toString(pageA));
    }

    @Test
    @Order(3)
    void stoppedRedisFailsOpenAndFilteringReturnsWithIt() throws Exception {
        long[] first = served(a, "u-down", 10);
        assertTrue(!overlap(first, recommend(a.port, "u-down", 10)), "filtering works before the outage");
        double failOpenBefore = metric(a.port, FAIL_OPEN);
        redis.stopProcess();
        try {
            for (int i = 0; i < 3; i++) {
                assertEquals(10, recommend(a.port, "u-down", 10).length, "serving continues without Redis"); // 200 or it throws
            }
            assertTrue(metric(a.port, FAIL_OPEN) >= failOpenBefore + 3,
                    "fail-open counter " + metric(a.port, FAIL_OPEN) + " did not rise from " + failOpenBefore);
        } finally {
            redis.startProcess(); // same port, empty: no persistence
        }
        // The client reconnects on its own; at most a few more lookups fail open meanwhile.
        boolean recovered = false;
        for (int i = 0; i < 100 && !recovered; i++) {
            double fo = metric(a.port, FAIL_OPEN);
            recommend(a.port, "u-warm", 5);
            recovered = metric(a.port, FAIL_OPEN) == fo;
        }
        assertTrue(recovered, "lookups still fail open after Redis came back:\n" + a.log());
        double failOpenAfter = metric(a.port, FAIL_OPEN);
        long[] x = served(a, "u-back", 10);
        long[] y = recommend(a.port, "u-back", 10);
        assertTrue(!overlap(x, y), "filtering restored: " + Arrays.toString(x) + " / " + Arrays.toString(y));
        assertEquals(failOpenAfter, metric(a.port, FAIL_OPEN));
    }
}
