package dev.funnel.bench.e2e;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.funnel.features.FeatureSchema;
import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.serving.CtrBootstrap;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The rank stage's compute bound: the {@code ctr} model {@code funnel demo} serves (default feature
 * schema, default spec, {@code CtrBootstrap} weights), run by bare
 * ONNX Runtime on {@code rows} rows per call (the rows one request brings to {@code rank.onnx}),
 * from {@code threads} threads (one intra-op thread each) for {@code seconds}, inputs prepared once.
 * Calls per second is the most requests per second this machine could rank if it did nothing
 * else; the end-to-end sustainable rate is compared with it.
 *
 * <p>Usage: {@code RankComputeBound [--rows 300] [--threads 2] [--seconds 10] [--warmup-seconds 3]
 * [--hidden 64,32]} ({@code --hidden}: the hidden layers, as the server's {@code model.ctr.hidden}).
 * The dense work of an MLP does not depend on the input values, so random rows of the right shape
 * cost what served rows cost.
 */
public final class RankComputeBound {
    private RankComputeBound() {
    }

    public static void main(String[] args) throws Exception {
        int rows = 300;
        int threads = Runtime.getRuntime().availableProcessors();
        int seconds = 10;
        int warmup = 3;
        int[] hidden = CtrModelSpec.DEFAULT_HIDDEN;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--hidden")) { // as the server's model.ctr.hidden: 256,128
                hidden = CtrModelSpec.parseHidden("--hidden", args[i + 1]);
                continue;
            }
            int v = Integer.parseInt(args[i + 1]);
            if (v <= 0) {
                throw new IllegalArgumentException(args[i] + " must be > 0, got " + v);
            }
            switch (args[i]) {
                case "--rows" -> rows = v;
                case "--threads" -> threads = v;
                case "--seconds" -> seconds = v;
                case "--warmup-seconds" -> warmup = v;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        CtrModelSpec spec = CtrModelSpec.forSchema(FeatureSchema.DEFAULT, CtrModelSpec.DEFAULT_FIELD_DIM, hidden,
                CtrModelSpec.DEFAULT_HEADS);
        // The model the demo serves (ModelRuntime.demo): same schema, spec and bootstrap weights.
        byte[] model = CtrBootstrap.onnx(FeatureSchema.DEFAULT, spec, 42);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            opts.setInterOpNumThreads(1);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(model, opts)) {
                Map<String, OnnxTensor> inputs = inputs(env, spec, rows);
                run(session, inputs, threads, warmup, null);
                LongAdder calls = new LongAdder();
                long took = run(session, inputs, threads, seconds, calls);
                double perSecond = calls.sum() / (took / 1e9);
                System.out.printf(Locale.ROOT,
                        "rank compute bound: ctr %s (mlp input %d, hidden %s), %d rows/call, %d thread(s): %.0f calls/s, %.1f us/call/thread, %.3f us/row%n",
                        spec.schemaVersion(), spec.mlpInputWidth(), java.util.Arrays.toString(spec.hidden()), rows, threads,
                        perSecond, threads * 1e6 / perSecond, threads * 1e6 / perSecond / rows);
                for (OnnxTensor t : inputs.values()) {
                    t.close();
                }
            }
        }
    }

    private static Map<String, OnnxTensor> inputs(OrtEnvironment env, CtrModelSpec spec, int rows) throws OrtException {
        int[] widths = CtrModel.inputWidths(spec);
        SplittableRandom r = new SplittableRandom(3);
        Map<String, OnnxTensor> m = new HashMap<>();
        for (int i = 0; i < CtrModel.INPUTS.length; i++) {
            float[] data = new float[rows * widths[i]];
            for (int k = 0; k < data.length; k++) {
                data[k] = (float) (r.nextDouble() * 2 - 1) * 0.1f;
            }
            m.put(CtrModel.INPUTS[i], OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {rows, widths[i]}));
        }
        return m;
    }

    /** Runs from {@code threads} threads for {@code seconds}; returns the elapsed nanos. */
    private static long run(OrtSession session, Map<String, OnnxTensor> inputs, int threads, int seconds, LongAdder calls)
            throws InterruptedException {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        Thread[] ts = new Thread[threads];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        try (OrtSession.Result ignored = session.run(inputs)) {
                            if (calls != null) {
                                calls.increment();
                            }
                        }
                    }
                } catch (OrtException e) {
                    failure[0] = e;
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        if (failure[0] != null) {
            throw new IllegalStateException("onnx run failed", failure[0]);
        }
        return System.nanoTime() - start;
    }
}
