package dev.funnel.engine.exec;

import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.LoopScheduler;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamProblems;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.engine.time.VirtualLoopScheduler;
import reactor.core.publisher.Mono;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/** Operators for engine tests: sources, unions, delays, failures, CPU burners. */
public final class TestOps {

    /** How many delay operators were disposed before they fired. */
    public static final AtomicInteger DELAYS_CANCELLED = new AtomicInteger();

    private TestOps() {
    }

    /** A registry of every test operator. */
    public static OperatorRegistry registry() {
        return OperatorRegistry.of(
                // source: n candidates with ids base..base+n-1, found by the node itself
                new Factory("src", ParamSchema.of(ParamSpec.optionalInt("n", 3, 0, 10_000, "size"),
                        ParamSpec.optionalInt("base", 1, 0, Integer.MAX_VALUE, "first id")),
                        Candidates.class, Set.of(), -1, false, (p, env) -> {
                    int n = p.getInt("n");
                    int base = p.getInt("base");
                    return (in, ctx) -> Mono.just(source(in.nodeId(), base, n));
                }),
                // union of all Candidates inputs, in order (duplicates kept); min_inputs default 1
                new Factory("union", ParamSchema.NONE, Candidates.class, Set.of(), 1, false,
                        (p, env) -> (in, ctx) -> Mono.just(union(in))),
                // the first input after delay_ms of loop time; cancels its timer when disposed
                new Factory("delay", ParamSchema.of(ParamSpec.optionalInt("delay_ms", 10, 0, 100_000, "delay")),
                        Candidates.class, Set.of(), -1, false, (p, env) -> {
                    long nanos = p.getInt("delay_ms") * 1_000_000L;
                    return (in, ctx) -> Mono.create(sink -> {
                        Object first = in.size() == 0 ? source(in.nodeId(), 100, 2) : in.valueAt(0);
                        LoopScheduler.Cancellable t = ctx.loop().schedule(nanos, () -> sink.success(first));
                        sink.onCancel(() -> {
                            t.cancel();
                            DELAYS_CANCELLED.incrementAndGet();
                        });
                    });
                }),
                new Factory("boom", ParamSchema.NONE, Candidates.class, Set.of(), -1, false,
                        (p, env) -> (in, ctx) -> {
                            throw new IllegalStateException("kaboom");
                        }),
                new Factory("error", ParamSchema.NONE, Candidates.class, Set.of(), -1, false,
                        (p, env) -> (in, ctx) -> Mono.error(new RuntimeException("bad signal"))),
                // notices the deadline itself (as a batcher dropping expired rows does) before its timer fires
                new Factory("late", ParamSchema.NONE, Candidates.class, Set.of(), -1, false,
                        (p, env) -> (in, ctx) -> Mono.error(new java.util.concurrent.TimeoutException("deadline passed while queued"))),
                new Factory("empty", ParamSchema.NONE, Candidates.class, Set.of(), -1, false,
                        (p, env) -> (in, ctx) -> Mono.empty()),
                // spends burn_ms of virtual loop time synchronously, then passes its first input on
                new Factory("burn", ParamSchema.of(ParamSpec.optionalInt("burn_ms", 10, 0, 100_000, "cpu")),
                        Candidates.class, Set.of(), -1, false, (p, env) -> {
                    long nanos = p.getInt("burn_ms") * 1_000_000L;
                    return (in, ctx) -> {
                        ((VirtualLoopScheduler) ctx.loop()).burn(nanos);
                        return Mono.justOrEmpty(in.size() == 0 ? source(in.nodeId(), 200, 1) : in.valueAt(0));
                    };
                }),
                // cpu-heavy: records the thread it ran on in the request's attributes
                new Factory("heavy", ParamSchema.NONE, Candidates.class, Set.of(), -1, true,
                        (p, env) -> (in, ctx) -> {
                            ctx.attributes().put("heavy.thread", Thread.currentThread().getName());
                            return Mono.just(source(in.nodeId(), 300, 2));
                        }),
                // cpu-heavy: spins until its thread has used cpu_ms of CPU, records what it measured (ns)
                new Factory("spin", ParamSchema.of(ParamSpec.optionalInt("cpu_ms", 5, 0, 10_000, "cpu")),
                        Candidates.class, Set.of(), -1, true, (p, env) -> {
                    long nanos = p.getInt("cpu_ms") * 1_000_000L;
                    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
                    return (in, ctx) -> {
                        long start = threads.getCurrentThreadCpuTime();
                        long used = 0;
                        while (used < nanos) {
                            used = threads.getCurrentThreadCpuTime() - start;
                        }
                        ctx.attributes().put("spin.cpu", used);
                        return Mono.just(source(in.nodeId(), 300, 2));
                    };
                }),
                new Factory("profile", ParamSchema.NONE, String.class, Set.of(), -1, false,
                        (p, env) -> (in, ctx) -> Mono.just("profile-of-" + ctx.userId())),
                new Factory("needs_profile", ParamSchema.NONE, Candidates.class, Set.of(String.class), -1, false,
                        (p, env) -> (in, ctx) -> Mono.just(union(in))),
                new Factory("strict", ParamSchema.of(ParamSpec.requiredInt("keep", 1, 1000, "how many"),
                        ParamSpec.optionalEnum("mode", "a", java.util.List.of("a", "b"), "mode"),
                        ParamSpec.optionalDouble("ratio", 0.5, 0.0, 1.0, "ratio"),
                        ParamSpec.optionalString("model", null, "model name"),
                        ParamSpec.optionalBoolean("flag", false, "flag"),
                        ParamSpec.optionalStringList("fields", "fields"),
                        ParamSpec.optionalNumberMap("quota", "quotas")),
                        Candidates.class, Set.of(), -1, false, (p, env) -> {
                    if ("missing".equals(p.getStringOrNull("model"))) {
                        throw new IllegalArgumentException("model 'missing' is not registered");
                    }
                    int keep = p.getInt("keep");
                    return (in, ctx) -> {
                        Candidates c = in.first(Candidates.class);
                        return Mono.justOrEmpty(c == null ? null : c.truncate(keep));
                    };
                }));
    }

    /** A list of n ids from base, all found by {@code source}, score = -id. */
    public static Candidates source(String source, int base, int n) {
        long[] ids = new long[n];
        float[] scores = new float[n];
        for (int i = 0; i < n; i++) {
            ids[i] = base + i;
            scores[i] = -(base + i);
        }
        return Candidates.fromSource(source, ids, scores, n);
    }

    static Candidates union(Inputs in) {
        java.util.List<Candidates> all = in.all(Candidates.class);
        int total = 0;
        for (Candidates c : all) {
            total += c.size();
        }
        Candidates.Builder b = Candidates.builder(new String[0], total);
        for (Candidates c : all) {
            for (int i = 0; i < c.size(); i++) {
                b.add(c.id(i), c.score(i), -1, 0f);
            }
        }
        return b.build();
    }

    /** A request context on a virtual loop, arriving now, with the loop's current time as arrival. */
    public static RequestContext ctx(VirtualLoopScheduler loop, long deadlineMs, boolean debug) {
        long now = loop.nanoTime();
        return RequestContext.builder().requestId("r1").userId("u000001").scene("home").count(10)
                .debug(debug).loop(loop).timing(now, now + deadlineMs * 1_000_000L).build();
    }

    /** A configurable factory. */
    static final class Factory implements OperatorFactory {
        private final String name;
        private final ParamSchema schema;
        private final Class<?> out;
        private final Set<Class<?>> required;
        private final int minInputs;
        private final boolean heavy;
        private final BiFunction<Params, OperatorEnv, Operator<?>> create;

        Factory(String name, ParamSchema schema, Class<?> out, Set<Class<?>> required, int minInputs, boolean heavy,
                BiFunction<Params, OperatorEnv, Operator<?>> create) {
            this.name = name;
            this.schema = schema;
            this.out = out;
            this.required = required;
            this.minInputs = minInputs;
            this.heavy = heavy;
            this.create = create;
        }

        @Override public String name() { return name; }
        @Override public String description() { return "test operator " + name; }
        @Override public ParamSchema params() { return schema; }
        @Override public Class<?> outputType() { return out; }
        @Override public Set<Class<?>> requiredInputTypes() { return required; }
        @Override public int defaultMinInputs() { return minInputs; }
        @Override public boolean cpuHeavy() { return heavy; }
        @Override public Operator<?> create(Params params, OperatorEnv env) { return create.apply(params, env); }

        /**
         * strict's own check: model 'bad' is malformed; a field 'input:x' must name an input x; each
         * quota key must name a node upstream, each reported at its key's line.
         */
        @Override
        public void check(Params params, java.util.List<String> inputIds, Set<String> upstreamIds, OperatorEnv env) {
            if (!name.equals("strict")) {
                return;
            }
            if ("bad".equals(params.getStringOrNull("model"))) {
                throw new IllegalArgumentException("model 'bad' is malformed");
            }
            for (String f : params.getStringList("fields")) {
                if (f.startsWith("input:") && !inputIds.contains(f.substring(6))) {
                    throw new IllegalArgumentException("param 'fields': '" + f.substring(6) + "' is not an input " + inputIds);
                }
            }
            java.util.List<ParamProblems.Entry> bad = new java.util.ArrayList<>();
            for (String key : params.getNumberMap("quota").keySet()) {
                if (!upstreamIds.contains(key)) {
                    bad.add(new ParamProblems.Entry("quota", key, "quota '" + key + "' is not upstream " + new java.util.TreeSet<>(upstreamIds)));
                }
            }
            if (!bad.isEmpty()) {
                throw new ParamProblems(bad);
            }
        }
    }
}
