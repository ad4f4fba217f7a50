package dev.funnel.bench.streams;

import dev.funnel.features.FeatureSchema;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.ctr.CtrWeights;
import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import dev.funnel.streams.schema.ImpressionLog;
import dev.funnel.trainer.Trainer;
import dev.funnel.trainer.TrainerConfig;
import dev.funnel.trainer.TrainerMain;
import dev.funnel.trainer.join.JoinConfig;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The trainer's checkpoint at steady state: {@code pending} impressions wait in the join window (at
 * 16 req/s a 30-minute window holds 28,800), each with 10 served items carrying the default schema's
 * features and 64-float embeddings. Before each checkpoint (not measured) one second of traffic
 * arrives: 16 new impressions are appended and read by a trainer turn, and as many leave the window.
 * Run with {@code -prof gc} for the bytes allocated per checkpoint.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true"})
public class CheckpointBenchmark {

    static final int PER_SECOND = 16;
    static final int SLATE = 10;

    /** Impressions in the join window. */
    @Param({"2000", "28800"})
    public int pending;

    private Path dir;
    private Transport transport;
    private StreamAppender appender;
    private Trainer trainer;
    private FeatureSchema schema;
    private final SplittableRandom random = new SplittableRandom(3);
    private long next;

    @Setup(Level.Trial)
    public void setup() {
        dir = tempDir();
        transport = new ChronicleTransport(dir.resolve("topics"));
        appender = transport.appender(Topics.IMPRESSIONS);
        schema = FeatureSchema.defaultSchema(64);
        CtrModelSpec spec = CtrModelSpec.forSchema(schema, 8, new int[]{128, 64}, List.of("click", "like"));
        long windowMillis = pending * 1000L / PER_SECOND;
        // No publish in the measured loop: the benchmark calls checkpoint() itself, as a publish does.
        TrainerConfig cfg = TrainerConfig.defaults("ctr", dir.resolve("ckpt")).withIntervals(1L << 40, 1L << 40)
                .withJoin(new JoinConfig(Math.min(30_000, windowMillis), windowMillis)).withIdleAfter(0);
        trainer = TrainerMain.newTrainer(cfg, transport, spec, schema, CtrWeights.init(spec, 1, 0.05));
        for (int i = 0; i < pending; i++) {
            appender.append(impression().encode());
        }
        appender.flush();
        while (trainer.runOnce() > 0) {
            // drain
        }
        trainer.checkpoint();
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("funnel-ckpt");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private ImpressionLog impression() {
        long n = next++;
        List<ImpressionLog.Served> items = new ArrayList<>(SLATE);
        for (int i = 0; i < SLATE; i++) {
            items.add(new ImpressionLog.Served(random.nextLong(1, 1_000_000), i, (float) random.nextDouble(),
                    ids(schema.fieldCount()), ids(schema.wideCount()), floats(schema.denseCount()), floats(schema.contentDim())));
        }
        return new ImpressionLog("req-" + n, "user-" + random.nextInt(100_000), "home", "ctr", 7, "ctr-v1@bench",
                n * 1000 / PER_SECOND, floats(schema.contentDim()), items);
    }

    private long[] ids(int n) {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
            a[i] = random.nextLong();
        }
        return a;
    }

    private float[] floats(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    /** One second of traffic, read by the trainer (not measured). */
    @Setup(Level.Invocation)
    public void oneSecondOfTraffic() {
        for (int i = 0; i < PER_SECOND; i++) {
            appender.append(impression().encode());
        }
        appender.flush();
        trainer.runOnce();
    }

    @Benchmark
    public void checkpoint() {
        trainer.checkpoint();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        System.out.println("\njoin at end: " + trainer.joinStats());
        try (var files = Files.list(dir.resolve("ckpt"))) {
            files.forEach(f -> System.out.println("checkpoint file " + f.getFileName() + ": " + f.toFile().length() + " bytes"));
        }
        trainer.close();
        transport.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
