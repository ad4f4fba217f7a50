package dev.funnel.bench.index;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.features.FeatureSchema;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.ModelRuntimeConfig;
import dev.funnel.operators.merge.Merge;
import dev.funnel.operators.prerank.TwoTowerPrerank;
import dev.funnel.operators.rank.OnnxRank;
import dev.funnel.operators.rerank.DppRerank;
import dev.funnel.operators.rerank.MmrRerank;
import dev.funnel.operators.rerank.RulesRerank;
import dev.funnel.sim.SimUser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of one {@code apply} of the post-recall stages that read catalog embeddings, with
 * home_feed's parameters, on the default sim world (100k items × 64): {@code prerank.two_tower}
 * over 940 candidates keeping 300 (what the exposure filter leaves of the 1,000 merged), and
 * {@code rank.onnx} scoring 300 with the demo's {@code ctr} model (feature extraction, input
 * assembly, the batcher, fusion, top-K), {@code rerank.mmr} / {@code rerank.dpp} choosing 50 of 200,
 * {@code rerank.rules} blocking the offline items of 200 (home_feed's rules node), and {@code merge} of home_feed's
 * seven recall lists (its list sizes, quotas and limit; ids drawn with a skew toward the popular end of the catalog,
 * so the lists overlap as recall branches do). Candidates are random catalog items (256 lists, one per op in turn),
 * so embedding reads miss the caches as they do in serving.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar org.openjdk.jmh.Main StagesBench -f 1 -wi 3 -w 1s -i 5 -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StagesBench {

    @Param({"prerank.two_tower", "rank.onnx", "rerank.mmr", "rerank.dpp", "rerank.rules", "merge"})
    public String op;

    /** home_feed's merge: its recall inputs, their list sizes ({@code limit} / {@code k}) and merge quotas. */
    private static final String[] MERGE_INPUTS = {"hot", "interest", "ann", "i2i", "fresh", "hot_wide", "hot_niche"};
    private static final int[] MERGE_SIZES = {300, 600, 500, 300, 150, 800, 200};
    private static final int[] MERGE_QUOTAS = {150, 400, 400, 200, 100, 100, 50};

    private Operator<Candidates> operator;
    private Inputs[] inputs;
    private RequestContext[] requests;
    private int next;
    private ModelRuntime runtime;

    @TearDown(Level.Trial)
    public void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() throws Exception {
        SimCatalog w = SimCatalog.get();
        Map<String, Object> given = new HashMap<>();
        OperatorFactory f;
        int candidates;
        switch (op) {
            case "prerank.two_tower" -> { f = new TwoTowerPrerank(); given.put("keep", 300); candidates = 940; }
            case "rank.onnx" -> {
                runtime = ModelRuntime.demo(FeatureSchema.defaultSchema(w.world.config().dim()), ModelRuntimeConfig.DEFAULT,
                        new SimpleMeterRegistry());
                f = new OnnxRank();
                given.put("model", "ctr");
                given.put("keep", 300);
                given.put("fusion", "click * (1 + 0.5 * like)");
                candidates = 300;
            }
            case "rerank.mmr" -> { f = new MmrRerank(); given.put("lambda", 0.7); given.put("size", 50); candidates = 200; }
            case "rerank.dpp" -> { f = new DppRerank(); given.put("size", 50); candidates = 200; }
            case "rerank.rules" -> { f = new RulesRerank(); given.put("block", List.of("status=offline")); candidates = 200; } // home_feed's rules node
            case "merge" -> {
                f = new Merge();
                Map<String, Object> quota = new HashMap<>();
                for (int b = 0; b < MERGE_INPUTS.length; b++) {
                    quota.put(MERGE_INPUTS[b], (double) MERGE_QUOTAS[b]); // validated params hold numbers as Double
                }
                given.put("quota", quota);
                given.put("limit", 1000);
                candidates = 0;
            }
            default -> throw new IllegalArgumentException(op);
        }
        OperatorEnv env = runtime == null ? w.env : w.env.register(ModelRuntime.class, runtime);
        operator = (Operator<Candidates>) f.create(SimCatalog.params(f, given), env);
        SplittableRandom rnd = new SplittableRandom(11);
        int lists = 256;
        inputs = new Inputs[lists];
        requests = new RequestContext[lists];
        int items = w.world.items().size();
        for (int i = 0; i < lists; i++) {
            SimUser u = w.world.users().get(i * 7);
            UserProfile p = new UserProfile(u.id(), Map.of(), u.interestTags(), u.recentClicks(),
                    w.world.items().get(rnd.nextInt(items)).embedding(), 0);
            if (op.equals("merge")) {
                Object[] branches = new Object[MERGE_INPUTS.length];
                for (int b = 0; b < branches.length; b++) {
                    int n = MERGE_SIZES[b];
                    long[] ids = new long[n];
                    float[] scores = new float[n];
                    for (int k = 0; k < n; k++) {
                        double x = rnd.nextDouble();
                        ids[k] = w.world.items().get((int) (items * x * x * x)).id(); // skewed: lists share items
                        scores[k] = n - k;
                    }
                    branches[b] = Candidates.fromSource(MERGE_INPUTS[b], ids, scores, n);
                }
                inputs[i] = new Inputs(op, MERGE_INPUTS.clone(), branches);
            } else {
                long[] ids = new long[candidates];
                float[] scores = new float[candidates];
                for (int k = 0; k < candidates; k++) {
                    ids[k] = w.world.items().get(rnd.nextInt(items)).id();
                    scores[k] = candidates - k;
                }
                inputs[i] = new Inputs(op, new String[] {"in", "profile"},
                        new Object[] {Candidates.fromSource("in", ids, scores, candidates), p});
            }
            requests[i] = RequestContext.builder().requestId("r" + i).userId(u.id()).scene("home").count(10)
                    .loop(SimCatalog.Loop.INSTANCE).timing(0, Long.MAX_VALUE).build();
        }
    }

    @Benchmark
    public Candidates apply() {
        int i = next++ & 255;
        return operator.apply(inputs[i], requests[i]).block();
    }
}
