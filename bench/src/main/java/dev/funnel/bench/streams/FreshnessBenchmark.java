package dev.funnel.bench.streams;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.funnel.model.embedding.EmbeddingTable;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Freshness: time from the trainer's publish (encode + append to Chronicle Queue) until a serving
 * replica's consumer thread has checked and applied the delta (rows in the embedding tables; for a
 * dense delta also a new ONNX Runtime session swapped in, as the registry does). Sample mode gives
 * p50 / p99 per delta.
 *
 * <p>{@code idleParkMicros} is the consumer's first park when the topic is empty, doubling up to
 * {@code idleParkMaxMicros} while it stays empty: 200 and 5,000 are what the server's learning-loop
 * wiring uses; 0 busy-polls. The benchmark thread waits for the apply by parking
 * {@link #WAIT_PARK_NANOS} between checks rather than spinning, as a publishing trainer does not
 * wait at all: two spinning threads on a small shared machine measure the scheduler, not the path.
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
public class FreshnessBenchmark {

    /** Rows per sparse delta (field and wide rows each): about one second of touched rows. */
    @Param({"1000"})
    public int rows;

    /** The consumer's park when no delta is waiting, in microseconds (0: busy-poll). */
    @Param({"200", "0"})
    public int idleParkMicros;

    /** The consumer's longest park while no delta comes, in microseconds. */
    @Param({"5000"})
    public int idleParkMaxMicros;

    /** Between two checks of the applied version; adds at most a timer slack (~50 µs) to a sample. */
    static final long WAIT_PARK_NANOS = 10_000;

    private Path dir;
    private Transport transport;
    private StreamAppender appender;
    private DeltaConsumer consumer;
    private long version;
    private List<ModelDelta.Rows> sparseRows;
    private ModelDelta denseTemplate;
    private final AtomicReference<OrtSession> live = new AtomicReference<>();
    private OrtEnvironment env;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        dir = Files.createTempDirectory("funnel-fresh");
        transport = new ChronicleTransport(dir);
        appender = transport.appender(Topics.MODEL_DELTAS);
        env = OrtEnvironment.getEnvironment();
        Map<String, EmbeddingTable> tables = Map.of(
                "field", EmbeddingTable.builder("field", Deltas.SPEC.fieldDim()).maxRows(1 << 21).build(),
                "wide", EmbeddingTable.builder("wide", Deltas.SPEC.headCount()).maxRows(1 << 21).build());
        DeltaApplier applier = new DeltaApplier("ctr", tables, this::swap, System::currentTimeMillis);
        consumer = new DeltaConsumer(transport, "replica-bench", applier, idleParkMicros * 1_000L,
                Math.max(idleParkMicros, idleParkMaxMicros) * 1_000L);
        consumer.start();
        sparseRows = Deltas.sparseRows(rows, new SplittableRandom(1));
        denseTemplate = Deltas.dense(1, 7);
    }

    private void swap(ModelDelta d) throws OrtException {
        OrtSession s = env.createSession(d.onnx(), new OrtSession.SessionOptions());
        OrtSession old = live.getAndSet(s);
        if (old != null) {
            old.close();
        }
    }

    private void awaitApplied(long v) {
        DeltaApplier a = consumer.applier();
        while (a.appliedVersion() < v) {
            LockSupport.parkNanos(WAIT_PARK_NANOS);
        }
    }

    @Benchmark
    public long sparse() {
        long v = ++version;
        appender.append(new ModelDelta("ctr", v, ModelDelta.Kind.SPARSE, System.currentTimeMillis(), sparseRows, null).encode());
        awaitApplied(v);
        return v;
    }

    @Benchmark
    public long dense() {
        long v = ++version;
        ModelDelta d = new ModelDelta("ctr", v, ModelDelta.Kind.DENSE, System.currentTimeMillis(), denseTemplate.tables(),
                denseTemplate.onnx());
        appender.append(d.encode());
        awaitApplied(v);
        return v;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (consumer.applier().rejected() != 0) {
            throw new IllegalStateException("deltas rejected: " + consumer.applier());
        }
        consumer.close();
        transport.close();
        OrtSession s = live.getAndSet(null);
        if (s != null) {
            s.close();
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
