package dev.funnel.server.metrics;

import dev.funnel.engine.exec.DagResult;
import dev.funnel.engine.exec.Degradation;
import dev.funnel.engine.exec.NodeOutcome;
import dev.funnel.engine.dag.Policy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MicrometerExecutionListenerTest {

    @Test
    void countsOutcomesByCauseAndRecordsLatencyAndSizes() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        MicrometerExecutionListener l = new MicrometerExecutionListener(r);
        l.onNode("home", "hot", "recall.hot", NodeOutcome.OK, 2_000_000, 300);
        l.onNode("home", "hot", "recall.hot", NodeOutcome.OK, 4_000_000, 100);
        l.onNode("home", "slow", "debug.delay", NodeOutcome.TIMEOUT, 15_000_000, -1);
        l.onNode("home", "rank", "rank.onnx", NodeOutcome.NO_BUDGET, 0, -1);
        assertEquals(2, r.get("funnel.node.outcomes").tags("node", "hot", "cause", "ok").counter().count());
        assertEquals(1, r.get("funnel.node.outcomes").tags("node", "slow", "cause", "timeout").counter().count());
        assertEquals(0, r.get("funnel.node.outcomes").tags("node", "slow", "cause", "error").counter().count());
        assertEquals(1, r.get("funnel.node.outcomes").tags("node", "rank", "cause", "no_budget").counter().count());
        assertEquals(6.0, r.get("funnel.node.latency").tags("node", "hot").timer().totalTime(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(0, r.get("funnel.node.latency").tags("node", "rank").timer().count(), "not started: no latency");
        assertEquals(400, r.get("funnel.node.output.size").tags("node", "hot").summary().totalAmount(), 1e-9);
        assertEquals(0, r.get("funnel.node.output.size").tags("node", "slow").summary().count());

        l.onRequest("home", new DagResult("home", "v1", null, false, null, List.of(), List.of(), 1_000_000));
        l.onRequest("home", new DagResult("home", "v1", null, false, null,
                List.of(new Degradation("slow", NodeOutcome.TIMEOUT, Policy.SKIP, null)), List.of(), 1_000_000));
        l.onRequest("home", new DagResult("home", "v1", null, true, "x", List.of(), List.of(), 1_000_000));
        for (String result : List.of("ok", "partial", "failed")) {
            assertEquals(1, r.get("funnel.dag.runs").tags("result", result).counter().count(), result);
        }
    }

    @Test
    void concurrentRecordingLosesNothing() throws Exception {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        MicrometerExecutionListener l = new MicrometerExecutionListener(r);
        int threads = 8;
        int each = 5_000;
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int k = t;
            Thread th = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    l.onNode("d" + (i % 3), "n" + (k % 4), "op", NodeOutcome.values()[i % NodeOutcome.values().length], 1000, i % 50);
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        double total = r.find("funnel.node.outcomes").counters().stream().mapToDouble(c -> c.count()).sum();
        assertEquals(threads * each, total, 1e-9);
    }
}
