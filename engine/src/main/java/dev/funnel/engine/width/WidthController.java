package dev.funnel.engine.width;

import dev.funnel.engine.exec.DagResult;
import dev.funnel.engine.exec.ExecutionListener;
import dev.funnel.engine.exec.NodeOutcome;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Latency-driven width: watches each width-controlled node's p95 over a short window and moves its
 * {@link WidthLevels.Level} one step narrower while p95 is above {@code target_p95_ms}, one step
 * wider once it is below {@link #DEFAULT_RECOVER_BELOW} of the target. After each step it waits
 * {@link #cooldownNanos} (two windows) so the next decision sees only samples of the new width —
 * graceful before partial, without oscillating.
 *
 * <p>Thread-safety: {@link #onNode} from any event loop (it only records); {@link #tick} from one
 * scheduler thread.
 */
public final class WidthController implements ExecutionListener {

    /** Length of one latency window. */
    public static final long DEFAULT_WINDOW_NANOS = 1_000_000_000L;
    /** Samples a decision needs. */
    public static final int DEFAULT_MIN_SAMPLES = 20;
    /** Widen again once p95 is below this share of the target. */
    public static final double DEFAULT_RECOVER_BELOW = 0.7;

    private final WidthLevels levels;
    private final NodeLatencies recent;
    private final LongSupplier nanoClock;
    private final long cooldownNanos;
    private final int minSamples;
    private final double recoverBelow;
    private final Map<WidthLevels.Level, Long> lastChangeNanos = new HashMap<>(); // tick thread only

    /**
     * @param levels       the levels to move
     * @param nanoClock    monotonic clock (virtual in tests)
     * @param windowNanos  latency window length; decisions see one to two windows
     * @param minSamples   samples needed for a decision
     * @param recoverBelow widen when p95 &lt; this × target, in (0, 1)
     */
    public WidthController(WidthLevels levels, LongSupplier nanoClock, long windowNanos, int minSamples,
                           double recoverBelow) {
        if (minSamples < 1) {
            throw new IllegalArgumentException("minSamples must be >= 1, got " + minSamples);
        }
        if (!(recoverBelow > 0 && recoverBelow < 1)) {
            throw new IllegalArgumentException("recoverBelow must be in (0, 1), got " + recoverBelow);
        }
        this.levels = levels;
        this.nanoClock = nanoClock;
        this.recent = new NodeLatencies(windowNanos, nanoClock);
        this.cooldownNanos = 2 * windowNanos;
        this.minSamples = minSamples;
        this.recoverBelow = recoverBelow;
    }

    public WidthController(WidthLevels levels) {
        this(levels, System::nanoTime, DEFAULT_WINDOW_NANOS, DEFAULT_MIN_SAMPLES, DEFAULT_RECOVER_BELOW);
    }

    @Override
    public void onNode(String dag, String node, String op, NodeOutcome outcome, long tookNanos, int outputSize) {
        if (levels.controls(dag, node)) { // most nodes have no target: one map lookup, nothing recorded
            recent.onNode(dag, node, op, outcome, tookNanos, outputSize);
        }
    }

    @Override
    public void onRequest(String dag, DagResult result) {
        // Width follows node latency only.
    }

    /** One control step over every level; returns how many levels moved. */
    public int tick() {
        long now = nanoClock.getAsLong();
        int moved = 0;
        for (WidthLevels.Level l : levels.all()) {
            Long last = lastChangeNanos.get(l);
            if (last != null && now - last < cooldownNanos) {
                continue;
            }
            LatencyWindow.Snapshot s = recent.node(l.dag(), l.node());
            if (s == null || s.count() < minSamples) {
                continue;
            }
            double p95Ms = s.p95Nanos() / 1e6;
            int i = l.index();
            int next = i;
            if (p95Ms > l.targetP95Ms() && i < WidthLevels.FACTORS.length - 1) {
                next = i + 1;
            } else if (p95Ms < recoverBelow * l.targetP95Ms() && i > 0) {
                next = i - 1;
            }
            if (next != i) {
                l.set(next);
                lastChangeNanos.put(l, now);
                moved++;
            }
        }
        return moved;
    }
}
