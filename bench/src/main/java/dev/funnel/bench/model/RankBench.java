package dev.funnel.bench.model;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.LoopScheduler;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.features.FeatureBatch;
import dev.funnel.features.FeatureSchema;
import dev.funnel.features.ItemAttributes;
import dev.funnel.features.ItemRows;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.index.IndexConfig;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemRecord;
import dev.funnel.index.ItemStore;
import dev.funnel.model.InferenceException;
import dev.funnel.model.BackendConfig;
import dev.funnel.model.InferenceBackend;
import dev.funnel.model.ModelSession;
import dev.funnel.model.backend.Backends;
import dev.funnel.model.batch.BatcherConfig;
import dev.funnel.model.ctr.CtrInputs;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.serving.CtrBootstrap;
import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.ModelRuntimeConfig;
import dev.funnel.model.serving.RankModel;
import dev.funnel.operators.rank.OnnxRank;
import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimItem;
import dev.funnel.sim.SimUser;
import dev.funnel.sim.SimWorld;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * Issue target (b): {@code rank.onnx} against bare ONNX Runtime on the same batches. Each op is
 * one request of {@code candidates} sim items for a sim user: {@code rankOnnx} runs the operator
 * (feature extraction, table lookups, input assembly, the batcher, fusion, top-K);
 * {@code bareOrt} runs the model once on that request's already-assembled inputs, from direct
 * buffers, on the caller's thread, in its own session with one intra-op thread. Same model (the
 * bootstrap {@code ctr} weights at two widths: the demo default 64×32 and 256×128), same rows. Two
 * threads (the machine's cores).
 */
@State(Scope.Benchmark)
@Threads(2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RankBench {

    @Param("300")
    public int candidates;

    /** The ctr model's hidden layers: the demo default, and a wider one (more FLOPs per row). */
    @Param({"64x32", "256x128"})
    public String hidden;

    /**
     * ONNX Runtime intra-op threads of the session the batcher runs (bare ORT runs the same session
     * from its two caller threads; with 1 both use one intra-op thread per run).
     */
    @Param("1")
    public int intraOpThreads;

    /**
     * Batcher runner threads: 1 serializes inference; 2 runs two batches at once, as bare ORT's two
     * caller threads run two inferences at once (like with like on two cores). JMH: {@code -p runners=1,2}.
     */
    @Param("1")
    public int runners;

    /**
     * The model's {@code field} and {@code wide} tables: {@code empty} (the demo before the trainer's
     * first delta: every id reads the default) or {@code learned} (every id these requests use has a
     * row, among 500 000 other rows of each 1 M-row table: a trained model, every read a probe).
     * JMH: {@code -p tables=empty,learned}.
     */
    @Param("empty")
    public String tables;

    /**
     * The inference backend of both variants ({@code BackendConfig.Kind} id): ONNX Runtime CPU by
     * default, {@code ort-cuda} on a GPU machine.
     */
    @Param("ort-cpu")
    public String backend;

    private ModelRuntime runtime;
    private RankModel model;
    private ItemIndex index;
    private Operator<?> operator;
    private InferenceBackend bareBackend;
    private ModelSession bare;
    private SimWorld world;
    private long[] ids;
    private UserProfile user;
    private byte[] onnx;

    @Setup(Level.Trial)
    public void setUp() {
        world = SimWorld.generate(SimConfig.DEFAULT.withSize(20_000, 1_000));
        index = new ItemIndex(IndexConfig.of(world.config().dim()), () -> world.config().nowMillis());
        List<ItemRecord> records = new ArrayList<>();
        for (SimItem i : world.items()) {
            records.add(new ItemRecord(i.id(), i.category(), i.author(), i.tags(), i.status(), i.createdAtMillis(),
                    i.popularity(), i.embedding(), Map.of()));
        }
        index.bulkLoad(records);
        FeatureSchema schema = FeatureSchema.defaultSchema(world.config().dim());
        ModelRuntimeConfig rc = ModelRuntimeConfig.DEFAULT.withBatcher(new BatcherConfig(1024, 200, 4096).withRunners(runners));
        BackendConfig.Kind kind = BackendConfig.Kind.fromId(backend);
        runtime = ModelRuntime.start(rc.withBackend(rc.backend().withKind(kind).withIntraOpThreads(intraOpThreads)),
                new SimpleMeterRegistry());
        int[] widths = java.util.Arrays.stream(hidden.split("x")).mapToInt(Integer::parseInt).toArray();
        CtrModelSpec spec = CtrModelSpec.forSchema(schema, CtrModelSpec.DEFAULT_FIELD_DIM, widths, CtrModelSpec.DEFAULT_HEADS);
        model = runtime.addCtrModel("ctr", schema, spec);
        onnx = CtrBootstrap.onnx(schema, spec, 42);
        runtime.registry().load("ctr", CtrBootstrap.VERSION, onnx).join();
        try {
            bareBackend = Backends.openExactly(BackendConfig.DEFAULT.withKind(kind)); // one intra-op thread per run, always
            bare = bareBackend.load(onnx);
        } catch (InferenceException e) {
            throw new IllegalStateException("cannot open the bare ONNX Runtime session", e);
        }
        OperatorEnv env = new OperatorEnv().register(ModelRuntime.class, runtime).register(ItemStore.class, index);
        OnnxRank f = new OnnxRank();
        Map<String, Object> p = new HashMap<>();
        for (ParamSpec s : f.params().all()) {
            p.put(s.name(), s.defaultValue());
        }
        p.put("model", "ctr");
        p.put("keep", 100);
        p.put("fusion", "click * (1 + 0.5 * like)");
        operator = f.create(Params.of(p), env);
        SplittableRandom rnd = new SplittableRandom(3);
        ids = new long[candidates];
        for (int i = 0; i < candidates; i++) {
            ids[i] = 1 + rnd.nextInt(world.items().size());
        }
        SimUser u = world.users().get(17);
        user = new UserProfile(u.id(), Map.of("age_bucket", u.ageBucket(), "gender", u.gender(), "country", u.country()),
                u.interestTags(), u.recentClicks(), world.items().get(5).embedding(), 0);
        if (tables.equals("learned")) {
            learnRows(rnd);
        } else if (!tables.equals("empty")) {
            throw new IllegalArgumentException("tables must be empty or learned, got '" + tables + "'");
        }
    }

    private void learnRows(SplittableRandom rnd) {
        float[] zeros = new float[model.spec().fieldDim()];
        float[] wideZeros = new float[model.spec().headCount()];
        for (long k = 0; k < 500_000; k++) {
            long id = (k * 0x9e3779b97f4a7c15L) >>> 1; // spread, non-negative, unlike feature ids only by chance
            model.fieldTable().put(id, zeros, 0);
            model.wideTable().put(id, wideZeros, 0);
        }
        learnRowsFor(ids, rnd);
    }

    /** Rows with random values in both tables for every feature id of these candidates (for this bench's user). */
    void learnRowsFor(long[] candidates, SplittableRandom rnd) {
        FeatureBatch fb = model.extractor().extract(user, Map.of(), System.currentTimeMillis(), attributes(), candidates,
                candidates.length);
        float[] field = new float[model.spec().fieldDim()];
        float[] wide = new float[model.spec().headCount()];
        for (int r = 0; r < fb.size(); r++) {
            for (int f = 0; f < fb.fieldCount(); f++) {
                for (int j = 0; j < field.length; j++) {
                    field[j] = (float) rnd.nextDouble(-0.1, 0.1);
                }
                model.fieldTable().put(fb.fieldId(r, f), field, 0);
            }
            for (int sl = 0; sl < fb.wideCount(); sl++) {
                long id = fb.wideId(r, sl);
                if (id != FeatureBatch.EMPTY_ID) {
                    for (int j = 0; j < wide.length; j++) {
                        wide[j] = (float) rnd.nextDouble(-0.1, 0.1);
                    }
                    model.wideTable().put(id, wide, 0);
                }
            }
        }
    }

    RankModel model() {
        return model;
    }

    UserProfile user() {
        return user;
    }

    long[] ids() {
        return ids;
    }

    byte[] onnx() {
        return onnx;
    }

    ItemAttributes attributes() {
        return new ItemAttributes() {
            @Override public String category(long id) { return index.category(id); }
            @Override public String author(long id) { return index.author(id); }
            @Override public List<String> tags(long id) { return index.tags(id); }
            @Override public long createdAtMillis(long id) { return index.createdAtMillis(id); }
            @Override public double popularity(long id) { return index.popularity(id); }
            @Override public float[] embedding(long id) { return index.embedding(id); }
            @Override public void read(long[] ids, int n, ItemRows out) { index.read(ids, n, out::set); }
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bare.close();
        bareBackend.close();
        runtime.close();
    }

    /** One thread's request: the candidates and, for bare ORT, the same rows already assembled. */
    @State(Scope.Thread)
    public static class Request {
        Inputs inputs;
        FloatBuffer[] assembled;
        float[][] outputs;

        @Setup(Level.Trial)
        public void setUp(RankBench b) {
            Candidates c = Candidates.fromSource("prerank", b.ids, new float[b.ids.length], b.ids.length);
            inputs = new Inputs("rank", new String[] {"prerank", "profile"}, new Object[] {c, b.user});
            ItemAttributes attrs = b.attributes();
            FeatureBatch fb = b.model.extractor().extract(b.user, Map.of(), System.currentTimeMillis(), attrs, b.ids, b.ids.length);
            float[][] arrays = new CtrInputs(b.model.spec(), b.ids.length).fill(fb, attrs, b.model.fieldTable(),
                    b.model.wideTable()).arrays();
            assembled = new FloatBuffer[arrays.length];
            for (int i = 0; i < arrays.length; i++) {
                assembled[i] = ByteBuffer.allocateDirect(arrays[i].length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                assembled[i].put(arrays[i]).flip();
            }
            outputs = new float[][] {new float[b.ids.length * b.model.heads().size()]};
        }
    }

    @Benchmark
    public Object rankOnnx(Request r) {
        RequestContext ctx = RequestContext.builder().requestId("b").userId(user.userId()).scene("home").count(10)
                .loop(DirectLoop.INSTANCE).timing(0, Long.MAX_VALUE / 2).build();
        return operator.apply(r.inputs, ctx).block(Duration.ofSeconds(10));
    }

    @Benchmark
    public float bareOrt(Request r) throws InferenceException {
        bare.run(candidates, r.assembled, r.outputs);
        return r.outputs[0][0];
    }

    /** Runs completions on the calling (runner) thread: the cheapest loop. */
    enum DirectLoop implements LoopScheduler {
        INSTANCE;

        @Override public long nanoTime() { return System.nanoTime(); }
        @Override public Cancellable schedule(long delayNanos, Runnable task) { return () -> { }; }
        @Override public void execute(Runnable task) { task.run(); }
        @Override public boolean inLoop() { return true; }
    }
}
