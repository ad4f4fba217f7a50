package dev.funnel.engine.width;

import dev.funnel.engine.exec.DagResult;
import dev.funnel.engine.exec.ExecutionListener;
import dev.funnel.engine.exec.NodeOutcome;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Recent latency and outcomes of every (DAG, node), and requests per DAG, as an
 * {@link ExecutionListener}: the console's live numbers and the input of the {@link WidthController}.
 * Called on request loops; a lookup is two hash-map gets and a record is two atomic increments
 * (the first run of a node allocates its window).
 */
public final class NodeLatencies implements ExecutionListener {

    /** Window length when none is given: reads cover the last 15–30 s. */
    public static final long DEFAULT_WINDOW_NANOS = 15_000_000_000L;

    private final ConcurrentHashMap<String, ConcurrentHashMap<String, LatencyWindow>> byDag = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LatencyWindow> requests = new ConcurrentHashMap<>();
    private final long windowNanos;
    private final LongSupplier nanoClock;

    /**
     * @param windowNanos one window's length
     * @param nanoClock   monotonic clock (virtual in tests)
     */
    public NodeLatencies(long windowNanos, LongSupplier nanoClock) {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("windowNanos must be > 0, got " + windowNanos);
        }
        this.windowNanos = windowNanos;
        this.nanoClock = nanoClock;
    }

    public NodeLatencies() {
        this(DEFAULT_WINDOW_NANOS, System::nanoTime);
    }

    @Override
    public void onNode(String dag, String node, String op, NodeOutcome outcome, long tookNanos, int outputSize) {
        ConcurrentHashMap<String, LatencyWindow> nodes = byDag.get(dag);
        if (nodes == null) {
            nodes = byDag.computeIfAbsent(dag, k -> new ConcurrentHashMap<>());
        }
        LatencyWindow w = nodes.get(node);
        if (w == null) {
            w = nodes.computeIfAbsent(node, k -> new LatencyWindow(windowNanos));
        }
        boolean ran = outcome == NodeOutcome.OK || outcome == NodeOutcome.TIMEOUT || outcome == NodeOutcome.ERROR;
        w.record(nanoClock.getAsLong(), ran ? tookNanos : -1, outcomeClass(outcome));
    }

    @Override
    public void onRequest(String dag, DagResult result) {
        LatencyWindow w = requests.get(dag);
        if (w == null) {
            w = requests.computeIfAbsent(dag, k -> new LatencyWindow(windowNanos));
        }
        w.record(nanoClock.getAsLong(), result.tookNanos(),
                result.failed() ? LatencyWindow.ERROR : result.partial() ? LatencyWindow.OTHER : LatencyWindow.OK);
    }

    /** A listener that calls {@code first}, then this; both see every event. */
    public ExecutionListener after(ExecutionListener first) {
        NodeLatencies self = this;
        return new ExecutionListener() {
            @Override
            public void onNode(String dag, String node, String op, NodeOutcome outcome, long tookNanos, int outputSize) {
                first.onNode(dag, node, op, outcome, tookNanos, outputSize);
                self.onNode(dag, node, op, outcome, tookNanos, outputSize);
            }

            @Override
            public void onNodeCpu(String dag, String node, String op, long cpuNanos) {
                first.onNodeCpu(dag, node, op, cpuNanos);
            }

            @Override
            public void onRequest(String dag, DagResult result) {
                first.onRequest(dag, result);
                self.onRequest(dag, result);
            }
        };
    }

    /** The node's recent numbers, or null when it has not run in this process. */
    public LatencyWindow.Snapshot node(String dag, String node) {
        Map<String, LatencyWindow> nodes = byDag.get(dag);
        LatencyWindow w = nodes == null ? null : nodes.get(node);
        return w == null ? null : w.snapshot(nanoClock.getAsLong());
    }

    /** The DAG's recent whole-request numbers (OTHER counts partial answers), or null. */
    public LatencyWindow.Snapshot requests(String dag) {
        LatencyWindow w = requests.get(dag);
        return w == null ? null : w.snapshot(nanoClock.getAsLong());
    }

    private static int outcomeClass(NodeOutcome o) {
        return switch (o) {
            case OK -> LatencyWindow.OK;
            case TIMEOUT -> LatencyWindow.TIMEOUT;
            case ERROR -> LatencyWindow.ERROR;
            default -> LatencyWindow.OTHER;
        };
    }
}
