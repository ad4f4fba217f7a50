package dev.funnel.bench.streams;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.funnel.features.FeatureBatch;
import dev.funnel.features.FeatureExtractor;
import dev.funnel.features.FeatureSchema;
import dev.funnel.features.ItemAttributes;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.model.ctr.CtrInputs;
import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.ctr.CtrWeights;
import dev.funnel.model.embedding.EmbeddingTable;
import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimItem;
import dev.funnel.sim.SimWorld;
import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import dev.funnel.streams.schema.ModelDelta;
import dev.funnel.trainer.apply.DeltaApplier;
import dev.funnel.trainer.apply.DeltaConsumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The ranking step of one request (100 candidates: input assembly from the field and wide tables,
 * ONNX Runtime inference of the default ctr model) while a publisher thread sends sparse deltas
 * through Chronicle Queue at {@code deltaRowsPerSecond} rows (field + wide) and the replica's consumer
 * thread applies them into the same tables, versus no deltas. Sample mode: compare p99.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true"})
public class ServingUnderDeltasBenchmark {

    static final int CANDIDATES = 100;
    static final int DELTAS_PER_SECOND = 100;

    @Param({"0", "10000"})
    public int deltaRowsPerSecond;

    private Path dir;
    private Transport transport;
    private DeltaConsumer consumer;
    private Thread publisher;
    private final AtomicBoolean running = new AtomicBoolean();
    private EmbeddingTable field;
    private EmbeddingTable wide;
    private CtrModelSpec spec;
    private FeatureBatch batch;
    private ItemAttributes items;
    private OrtEnvironment env;
    private OrtSession session;
    private long[] hotIds;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        SimWorld world = SimWorld.generate(SimConfig.small(3));
        FeatureSchema schema = FeatureSchema.defaultSchema(world.config().dim());
        spec = CtrModelSpec.forSchema(schema);
        items = new WorldItems(world);
        long[] ids = new long[CANDIDATES];
        for (int i = 0; i < CANDIDATES; i++) {
            ids[i] = 1 + i * 37L;
        }
        UserProfile user = new UserProfile("u000001", Map.of("age_bucket", "25-34", "gender", "f", "country", "de"),
                Map.of(), new long[0], world.item(5).embedding(), 1);
        batch = new FeatureExtractor(schema).extract(user, Map.of("device", "ios"), world.config().nowMillis(), items, ids, CANDIDATES);
        field = EmbeddingTable.builder("field", spec.fieldDim()).maxRows(1 << 20).build();
        wide = EmbeddingTable.builder("wide", spec.headCount()).maxRows(1 << 20).build();
        // Deltas hit the very ids this request reads, plus others.
        hotIds = new long[batch.size() * batch.wideCount()];
        System.arraycopy(batch.wideIdArray(), 0, hotIds, 0, hotIds.length);
        env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setIntraOpNumThreads(1);
        session = env.createSession(CtrModel.toOnnx(CtrWeights.init(spec, 1, 0.05)), opts);

        dir = Files.createTempDirectory("funnel-serving-deltas");
        transport = new ChronicleTransport(dir);
        DeltaApplier applier = new DeltaApplier("ctr", Map.of("field", field, "wide", wide), d -> { }, System::currentTimeMillis);
        consumer = new DeltaConsumer(transport, "replica", applier, 100_000);
        consumer.start();
        if (deltaRowsPerSecond > 0) {
            running.set(true);
            StreamAppender appender = transport.appender(Topics.MODEL_DELTAS);
            int rowsPerDelta = deltaRowsPerSecond / DELTAS_PER_SECOND / 2;
            publisher = new Thread(() -> publish(appender, rowsPerDelta), "bench-publisher");
            publisher.setDaemon(true);
            publisher.start();
        }
    }

    private void publish(StreamAppender appender, int rowsPerDelta) {
        SplittableRandom r = new SplittableRandom(9);
        long v = 0;
        long periodNanos = 1_000_000_000L / DELTAS_PER_SECOND;
        long next = System.nanoTime();
        while (running.get()) {
            long[] ids = new long[rowsPerDelta];
            for (int i = 0; i < rowsPerDelta; i++) {
                ids[i] = i % 2 == 0 ? hotIds[r.nextInt(hotIds.length)] : r.nextLong(1, 1 << 30);
            }
            float[] f = new float[rowsPerDelta * spec.fieldDim()];
            float[] w = new float[rowsPerDelta * spec.headCount()];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) r.nextGaussian() * 0.01f;
            }
            appender.append(new ModelDelta("ctr", ++v, ModelDelta.Kind.SPARSE, System.currentTimeMillis(),
                    List.of(new ModelDelta.Rows("field", spec.fieldDim(), ids, f), new ModelDelta.Rows("wide", spec.headCount(), ids.clone(), w)),
                    null).encode());
            next += periodNanos;
            LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
        }
    }

    @Benchmark
    public float rank() throws Exception {
        CtrInputs in = new CtrInputs(spec, CANDIDATES).fill(batch, items, field, wide);
        int[] widths = CtrModel.inputWidths(spec);
        float[][] arrays = in.arrays();
        Map<String, OnnxTensor> feed = new HashMap<>(8);
        try {
            for (int i = 0; i < CtrModel.INPUTS.length; i++) {
                feed.put(CtrModel.INPUTS[i], OnnxTensor.createTensor(env, FloatBuffer.wrap(arrays[i]), new long[]{CANDIDATES, widths[i]}));
            }
            try (OrtSession.Result r = session.run(feed)) {
                float[][] probs = (float[][]) r.get(0).getValue();
                return probs[CANDIDATES - 1][0];
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        running.set(false);
        if (publisher != null) {
            publisher.join(2_000);
        }
        DeltaApplier a = consumer.applier();
        consumer.close();
        transport.close();
        session.close();
        System.out.println("\napplied " + a.appliedVersion() + " deltas, " + a.rowsApplied() + " rows, rejected " + a.rejected());
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Item attributes from the sim catalog. */
    static final class WorldItems implements ItemAttributes {
        private final SimWorld world;

        WorldItems(SimWorld world) {
            this.world = world;
        }

        private SimItem item(long id) {
            return id >= 1 && id <= world.items().size() ? world.item(id) : null;
        }

        @Override
        public String category(long itemId) {
            SimItem i = item(itemId);
            return i == null ? null : i.category();
        }

        @Override
        public String author(long itemId) {
            SimItem i = item(itemId);
            return i == null ? null : i.author();
        }

        @Override
        public List<String> tags(long itemId) {
            SimItem i = item(itemId);
            return i == null ? List.of() : i.tags();
        }

        @Override
        public long createdAtMillis(long itemId) {
            SimItem i = item(itemId);
            return i == null ? Long.MIN_VALUE : i.createdAtMillis();
        }

        @Override
        public double popularity(long itemId) {
            SimItem i = item(itemId);
            return i == null ? 0 : i.popularity();
        }

        @Override
        public float[] embedding(long itemId) {
            SimItem i = item(itemId);
            return i == null ? null : i.embedding();
        }
    }
}
