package dev.funnel.bench.model;

import dev.funnel.features.FeatureSchema;
import dev.funnel.model.BackendConfig;
import dev.funnel.model.InferenceBackend;
import dev.funnel.model.InferenceException;
import dev.funnel.model.ModelLease;
import dev.funnel.model.ModelSession;
import dev.funnel.model.backend.Backends;
import dev.funnel.model.batch.BatcherConfig;
import dev.funnel.model.batch.DynamicBatcher;
import dev.funnel.model.batch.ScoringTask;
import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.ctr.CtrWeights;
import dev.funnel.model.registry.ModelDefinition;
import dev.funnel.model.registry.ModelRegistry;
import dev.funnel.model.serving.ModelRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
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
 * Issue target (a): the dynamic batcher against per-request inference, at {@code rowsPerRequest}
 * rows per request with 64 requests in flight (64 closed-loop threads, each waiting for its
 * result before sending the next). Same model (the default {@code ctr} model, content dim 64),
 * same backend ({@code backend}: ONNX Runtime CPU with one intra-op thread by default, or
 * {@code ort-cuda} where a GPU is), same inputs. {@code perRequest} runs one
 * {@code OrtSession.run} per request on the caller's thread; {@code batched} submits the request's
 * rows to the {@link DynamicBatcher} and waits. Run with {@code -bm thrpt} for throughput
 * (requests/s) and {@code -bm sample} for latency percentiles.
 */
@State(Scope.Benchmark)
@Threads(64)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class BatcherBench {

    @Param("16")
    public int rowsPerRequest;

    @Param("1024")
    public int maxBatchRows;

    @Param("200")
    public long maxQueueDelayMicros;

    /**
     * Batcher runner threads: 1 runs one batch at a time on one core, while {@code perRequest}'s
     * callers run inferences on every core; 2 lets the batcher use both of this machine's cores too.
     */
    @Param("1")
    public int runners;

    /** The inference backend both variants run on ({@code BackendConfig.Kind} id). */
    @Param("ort-cpu")
    public String backend;

    private InferenceBackend inference;
    private ModelRegistry registry;
    private DynamicBatcher batcher;
    private ModelLease lease;
    private float[][] inputs;

    @Setup(Level.Trial)
    public void setUp() throws InferenceException {
        FeatureSchema schema = FeatureSchema.DEFAULT;
        CtrModelSpec spec = CtrModelSpec.forSchema(schema);
        inference = Backends.openExactly(BackendConfig.DEFAULT.withKind(BackendConfig.Kind.fromId(backend)));
        registry = new ModelRegistry(inference, Runnable::run, new SimpleMeterRegistry());
        registry.define(ModelDefinition.of("ctr", ModelRuntime.ctrSignature(spec)));
        registry.load("ctr", "1", CtrModel.toOnnx(CtrWeights.init(spec, 1, 0.05))).join();
        batcher = new DynamicBatcher("ctr", registry, new BatcherConfig(maxBatchRows, maxQueueDelayMicros, 4096).withRunners(runners),
                System::nanoTime, new SimpleMeterRegistry());
        lease = registry.acquire("ctr");
        int[] widths = CtrModel.inputWidths(spec);
        SplittableRandom rnd = new SplittableRandom(7);
        inputs = new float[widths.length][];
        for (int i = 0; i < widths.length; i++) {
            inputs[i] = new float[rowsPerRequest * widths[i]];
            for (int j = 0; j < inputs[i].length; j++) {
                inputs[i][j] = (float) rnd.nextDouble(-1, 1);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        lease.close();
        batcher.close();
        registry.close();
        inference.close();
    }

    /** Per-thread direct input buffers, as a request handler would fill them. */
    @State(Scope.Thread)
    public static class Request {
        FloatBuffer[] buffers;
        float[][] outputs;

        @Setup(Level.Trial)
        public void setUp(BatcherBench b) {
            buffers = new FloatBuffer[b.inputs.length];
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = ByteBuffer.allocateDirect(b.inputs[i].length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                buffers[i].put(b.inputs[i]).flip();
            }
            outputs = new float[][] {new float[b.rowsPerRequest * 2]};
        }
    }

    @Benchmark
    public float perRequest(Request r) throws InferenceException {
        ModelSession s = lease.session();
        s.run(rowsPerRequest, r.buffers, r.outputs);
        return r.outputs[0][0];
    }

    @Benchmark
    public float batched() throws Exception {
        ScoringTask t = new ScoringTask(rowsPerRequest, inputs, System.nanoTime() + 30_000_000_000L, null); // a throughput bench: no request gives up
        batcher.offer(t);
        return t.result().get().outputs()[0][0];
    }
}
