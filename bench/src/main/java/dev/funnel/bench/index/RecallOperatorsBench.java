package dev.funnel.bench.index;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.LoopScheduler;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.features.profile.InProcessProfileStore;
import dev.funnel.features.profile.ProfileConfig;
import dev.funnel.features.profile.ProfileStore;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.index.ClickCounts;
import dev.funnel.index.CoClickTable;
import dev.funnel.index.IndexConfig;
import dev.funnel.index.IndexSnapshot;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemRecord;
import dev.funnel.operators.recall.AnnRecall;
import dev.funnel.operators.recall.ExploreRecall;
import dev.funnel.operators.recall.FreshRecall;
import dev.funnel.operators.recall.HotRecall;
import dev.funnel.operators.recall.I2iRecall;
import dev.funnel.operators.recall.InvertedRecall;
import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimItem;
import dev.funnel.sim.SimUser;
import dev.funnel.sim.SimWorld;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Cost of one {@code apply} of each recall operator with home_feed's parameters, on the default
 * sim world (100k items × 64): what a request pays per branch. The index is restored from a
 * snapshot in {@code data/} when present (built and written otherwise), and held in a static so
 * that an in-process run ({@code -f 0}) builds it once for all operators.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar org.openjdk.jmh.Main RecallOperatorsBench -f 0 -wi 2 -w 1s -i 3 -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RecallOperatorsBench {

    @Param({"recall.hot", "recall.hot_per_category", "recall.inverted", "recall.ann", "recall.ann_ivf", "recall.i2i", "recall.fresh", "recall.explore"})
    public String op;

    private Operator<Candidates> operator;
    private UserProfile[] profiles;
    private Inputs[] inputs;
    private RequestContext[] requests;
    private int next;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() throws Exception {
        SimCatalog w = SimCatalog.get();
        Map<String, Object> given = new HashMap<>();
        OperatorFactory f;
        switch (op) {
            case "recall.hot" -> { f = new HotRecall(); given.put("limit", 300); }
            case "recall.hot_per_category" -> { f = new HotRecall(); given.put("limit", 800); given.put("per_category", 40); }
            case "recall.inverted" -> { f = new InvertedRecall(); given.put("limit", 600); given.put("max_terms", 12); }
            case "recall.ann" -> { f = new AnnRecall(); given.put("k", 500); given.put("ef", 500); }
            case "recall.ann_ivf" -> { f = new AnnRecall(); given.put("k", 500); given.put("nprobe", 8); } // home_feed's ann node
            case "recall.i2i" -> { f = new I2iRecall(); given.put("limit", 300); }
            case "recall.fresh" -> { f = new FreshRecall(); given.put("limit", 150); given.put("max_age_hours", 48.0); }
            case "recall.explore" -> { f = new ExploreRecall(); given.put("limit", 50); }
            default -> throw new IllegalArgumentException(op);
        }
        operator = (Operator<Candidates>) f.create(SimCatalog.params(f, given), w.env);
        int n = 256;
        profiles = new UserProfile[n];
        inputs = new Inputs[n];
        requests = new RequestContext[n];
        for (int i = 0; i < n; i++) {
            profiles[i] = w.profiles.get(w.world.users().get(i * 7).id());
            inputs[i] = new Inputs(op, new String[] {"profile"}, new Object[] {profiles[i]});
            requests[i] = RequestContext.builder().requestId("r" + i).userId(profiles[i].userId()).scene("home").count(10)
                    .loop(SimCatalog.Loop.INSTANCE).timing(0, Long.MAX_VALUE).build();
        }
    }

    @Benchmark
    public Candidates apply() {
        int i = next++ & 255;
        return operator.apply(inputs[i], requests[i]).block();
    }
}
