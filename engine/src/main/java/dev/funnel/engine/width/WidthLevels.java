package dev.funnel.engine.width;

import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.ParamType;
import dev.funnel.engine.spi.Params;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The current width level of every node that declares {@code target_p95_ms}, shared by every
 * compilation of its DAG (all routes, every hot swap). Register one in the
 * {@link OperatorEnv}: the compiler then builds, for such a node, one operator per level of
 * {@link #FACTORS} with its width parameters ({@link #WIDTH_PARAMS}) scaled, and the executor runs
 * the variant of the node's current level; a {@link WidthController} moves the levels.
 *
 * <p>Thread-safety: levels are created under a concurrent map; reads are one volatile read.
 */
public final class WidthLevels {

    /** Width factor of each level; level 0 is full width. */
    public static final double[] FACTORS = {1.0, 0.8, 0.64, 0.5, 0.4, 0.32, 0.25};
    /** Integer params that set how many candidates a node fetches or keeps. */
    public static final List<String> WIDTH_PARAMS = List.of("limit", "keep", "k");

    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Level>> byDag = new ConcurrentHashMap<>();
    private final Consumer<Level> onNewLevel;

    /** @param onNewLevel called once per new (dag, node), e.g. to register a gauge; any thread */
    public WidthLevels(Consumer<Level> onNewLevel) {
        this.onNewLevel = onNewLevel;
    }

    public WidthLevels() {
        this(l -> { });
    }

    /** One node's level. */
    public static final class Level {
        private final String dag;
        private final String node;
        private final AtomicInteger index = new AtomicInteger();
        private volatile double targetP95Ms;

        Level(String dag, String node, double targetP95Ms) {
            this.dag = dag;
            this.node = node;
            this.targetP95Ms = targetP95Ms;
        }

        public String dag() {
            return dag;
        }

        public String node() {
            return node;
        }

        /** The level, 0 (full width) .. {@code FACTORS.length - 1}. Any thread. */
        public int index() {
            return index.get(); // an AtomicInteger read: never blocks
        }

        /** The width factor now, 1.0 at full width. */
        public double factor() {
            return FACTORS[index.get()];
        }

        public double targetP95Ms() {
            return targetP95Ms;
        }

        /** Moves the level; the controller's thread only. */
        void set(int i) {
            index.set(Math.max(0, Math.min(FACTORS.length - 1, i)));
        }

        @Override
        public String toString() {
            return dag + "/" + node + " level " + index.get() + " (x" + factor() + ", target p95 " + targetP95Ms + " ms)";
        }
    }

    /** The level of a node, created at full width on first use; the target is the latest compiled. */
    public Level level(String dag, String node, double targetP95Ms) {
        if (!(targetP95Ms > 0)) {
            throw new IllegalArgumentException("target_p95_ms must be > 0, got " + targetP95Ms + " for " + dag + "/" + node);
        }
        boolean[] created = {false};
        Level l = byDag.computeIfAbsent(dag, d -> new ConcurrentHashMap<>()).computeIfAbsent(node, n -> {
            created[0] = true;
            return new Level(dag, node, targetP95Ms);
        });
        l.targetP95Ms = targetP95Ms;
        if (created[0]) {
            onNewLevel.accept(l);
        }
        return l;
    }

    /** Whether the node has a level (has {@code target_p95_ms} and width params). Any thread; no allocation. */
    public boolean controls(String dag, String node) {
        Map<String, Level> m = byDag.get(dag);
        return m != null && m.containsKey(node);
    }

    /** The width factor of a node now: 1.0 for nodes without a level. */
    public double factor(String dag, String node) {
        Map<String, Level> m = byDag.get(dag);
        Level l = m == null ? null : m.get(node);
        return l == null ? 1.0 : l.factor();
    }

    /** Every level. */
    public List<Level> all() {
        List<Level> out = new ArrayList<>();
        byDag.values().forEach(m -> out.addAll(m.values()));
        return out;
    }

    /**
     * One operator per level for a node whose factory declares width params, or null when it
     * declares none (the node then always runs at full width). Level 0 is {@code full} itself.
     *
     * @throws IllegalArgumentException when the factory rejects a narrowed variant
     */
    public static Operator<?>[] variants(OperatorFactory factory, Params params, Operator<?> full, OperatorEnv env) {
        List<ParamSpec> width = widthParams(factory, params);
        if (width.isEmpty()) {
            return null;
        }
        Operator<?>[] out = new Operator<?>[FACTORS.length];
        out[0] = full;
        for (int i = 1; i < FACTORS.length; i++) {
            out[i] = factory.create(scaled(params, width, FACTORS[i]), env);
        }
        return out;
    }

    /**
     * The width params a node of {@code factory} with {@code params} (defaults filled) has: what
     * {@code target_p95_ms} narrows. Empty when there is none, and the validator then rejects
     * {@code target_p95_ms}, which could only be ignored.
     */
    public static List<ParamSpec> widthParams(OperatorFactory factory, Params params) {
        List<ParamSpec> width = new ArrayList<>();
        for (String name : WIDTH_PARAMS) {
            factory.params().get(name).filter(p -> p.type() == ParamType.INT && params.has(name)).ifPresent(width::add);
        }
        return width;
    }

    /** The params with each width param scaled by {@code factor}, rounded, kept within its bounds. */
    static Params scaled(Params params, List<ParamSpec> width, double factor) {
        Map<String, Object> m = new LinkedHashMap<>(params.asMap());
        for (ParamSpec p : width) {
            int base = params.getInt(p.name());
            long lower = Math.max(1, p.min() == null ? 1 : (long) Math.ceil(p.min()));
            m.put(p.name(), (int) Math.min(base, Math.max(Math.round(base * factor), lower)));
        }
        return Params.of(m);
    }
}
