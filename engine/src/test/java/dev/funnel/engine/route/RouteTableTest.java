package dev.funnel.engine.route;

import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.spi.OperatorEnv;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteTableTest {

    private final DagCompiler compiler = new DagCompiler(TestOps.REGISTRY, new OperatorEnv());

    private ConfigSet config(String routing) throws DagException {
        return new ConfigSet(Map.of("feed", TestOps.dag("feed")), RoutingLoader.parse("routing.yaml", routing));
    }

    @Test
    void bucketsAreSplitByTrafficInFileOrder() throws DagException {
        RouteTable t = RouteTable.compile(config("""
                scenes:
                  home:
                    routes:
                      - {name: a, dag: feed, traffic: 90}
                      - {name: off, dag: feed, traffic: 0}
                      - {name: b, dag: feed, traffic: 9.5}
                      - {name: c, dag: feed, traffic: 0.5, overrides: {hot: {limit: 7}}}
                """), compiler);
        assertEquals("a", t.pick("home", 0).name());
        assertEquals("a", t.pick("home", 8999).name());
        assertEquals("b", t.pick("home", 9000).name());
        assertEquals("b", t.pick("home", 9949).name());
        assertEquals("c", t.pick("home", 9950).name());
        assertEquals("c", t.pick("home", 9999).name());
        assertNull(t.pick("nope", 1));
        assertSame(t.dags().get("feed"), t.pick("home", 0).dag(), "routes without overrides share the DAG's compilation");
        assertNotEquals(t.dags().get("feed").version(), t.pick("home", 9999).dag().version(), "overrides change the version");
        assertEquals(Map.of("hot", Map.of("limit", 7)), t.pick("home", 9999).overrides());
    }

    @Test
    void everyBucketHasARouteAndSharesMatchTraffic() throws DagException {
        RouteTable t = RouteTable.compile(config("""
                scenes:
                  home:
                    routes:
                      - {name: a, dag: feed, traffic: 70}
                      - {name: b, dag: feed, traffic: 30}
                """), compiler);
        int a = 0;
        int n = 100_000;
        for (int u = 0; u < n; u++) {
            if (t.pick("home", Buckets.of("user-" + u)).name().equals("a")) {
                a++;
            }
        }
        assertTrue(Math.abs(a - 70_000) < 1_500, "route a got " + a + " of " + n);
    }

    @Test
    void invalidRoutingFailsWithEveryProblem() throws DagException {
        DagException e = assertThrows(DagException.class, () -> RouteTable.compile(config("""
                scenes:
                  home:
                    routes:
                      - {name: a, dag: feed, traffic: 50, overrides: {hot: {limit: 0}}}
                      - {name: b, dag: gone, traffic: 40}
                """), compiler));
        assertEquals(3, e.problems().size(), e.getMessage());
    }

    @Test
    void withDagReplacesByName() throws DagException {
        ConfigSet c = config("scenes:\n  home:\n    routes:\n      - {name: a, dag: feed, traffic: 100}\n");
        var other = TestOps.dag("feed");
        ConfigSet next = c.withDag(other);
        assertSame(other, next.dags().get("feed"));
        assertEquals(1, next.dags().size());
    }
}
