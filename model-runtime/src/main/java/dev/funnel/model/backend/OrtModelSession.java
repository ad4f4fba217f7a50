package dev.funnel.model.backend;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.funnel.model.InferenceException;
import dev.funnel.model.ModelSession;
import dev.funnel.model.ModelSignature;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ONNX Runtime session over float32 [N, width] inputs and outputs. A caller that runs again on
 * the same direct buffers (a batcher's runner) reuses the tensors bound to them and the outputs'
 * pinned tensors ({@link Bindings}); other inputs get tensors made for the one run.
 */
final class OrtModelSession implements ModelSession {

    private static final Logger LOG = LoggerFactory.getLogger(OrtModelSession.class);

    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelSignature signature;
    private final String[] inputNames;
    private final String[] outputNames;
    private final int[] inputWidths;
    private final int[] outputWidths;
    private final Bindings bindings = new Bindings();

    OrtModelSession(OrtEnvironment env, OrtSession session) throws InferenceException {
        this.env = env;
        this.session = session;
        try {
            List<ModelSignature.Tensor> ins = tensors("input", session.getInputInfo());
            List<ModelSignature.Tensor> outs = tensors("output", session.getOutputInfo());
            this.signature = new ModelSignature(ins, outs, session.getMetadata().getCustomMetadata());
        } catch (OrtException e) {
            throw new InferenceException("cannot read model signature: " + e.getMessage(), e);
        }
        inputNames = signature.inputs().stream().map(ModelSignature.Tensor::name).toArray(String[]::new);
        outputNames = signature.outputs().stream().map(ModelSignature.Tensor::name).toArray(String[]::new);
        inputWidths = signature.inputs().stream().mapToInt(ModelSignature.Tensor::width).toArray();
        outputWidths = signature.outputs().stream().mapToInt(ModelSignature.Tensor::width).toArray();
    }

    private static List<ModelSignature.Tensor> tensors(String kind, Map<String, NodeInfo> infos) throws InferenceException {
        List<ModelSignature.Tensor> out = new ArrayList<>();
        for (NodeInfo n : infos.values()) {
            if (!(n.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT || t.getShape().length != 2
                    || t.getShape()[1] < 1) {
                throw new InferenceException(kind + " '" + n.getName() + "' is " + n.getInfo()
                        + "; only float32 [N, width] tensors with a fixed width are supported");
            }
            out.add(new ModelSignature.Tensor(n.getName(), (int) ((TensorInfo) n.getInfo()).getShape()[1]));
        }
        return out;
    }

    @Override
    public ModelSignature signature() {
        return signature;
    }

    @Override
    public void run(int rows, FloatBuffer[] inputs, float[][] outputs) throws InferenceException {
        if (inputs.length != inputNames.length || outputs.length != outputNames.length) {
            throw new IllegalArgumentException("expected " + inputNames.length + " inputs and " + outputNames.length
                    + " outputs, got " + inputs.length + " and " + outputs.length);
        }
        Bound bound = bindings.acquire(rows, inputs);
        if (bound != null) {
            InferenceException boundFailure;
            try {
                runBound(rows, bound, outputs);
                return;
            } catch (InferenceException e) {
                boundFailure = e;
            } finally {
                bound.release();
            }
            runUnbound(rows, inputs, outputs); // fails too: the failure was the inputs', not the binding's
            bindings.disable(boundFailure); // where bound runs fail and plain ones do not, run plain from now on
            return;
        }
        runUnbound(rows, inputs, outputs);
    }

    /** Tensors made for this run alone; the output read from the result's own value. */
    private void runUnbound(int rows, FloatBuffer[] inputs, float[][] outputs) throws InferenceException {
        Map<String, OnnxTensor> feeds = new HashMap<>(inputNames.length * 2);
        try {
            for (int i = 0; i < inputNames.length; i++) {
                feeds.put(inputNames[i], OnnxTensor.createTensor(env, from0(inputs[i], rows * inputWidths[i]),
                        new long[] {rows, inputWidths[i]}));
            }
            try (OrtSession.Result r = session.run(feeds)) {
                for (int o = 0; o < outputNames.length; o++) {
                    OnnxValue v = r.get(outputNames[o]).orElseThrow();
                    FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
                    int n = rows * outputWidths[o];
                    if (fb.remaining() < n) {
                        throw new InferenceException("output '" + outputNames[o] + "' has " + fb.remaining()
                                + " values for " + rows + " rows × " + outputWidths[o]);
                    }
                    fb.get(outputs[o], 0, n);
                }
            }
        } catch (OrtException e) {
            throw new InferenceException("inference failed on " + rows + " rows: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : feeds.values()) {
                t.close();
            }
        }
    }

    /** ONNX Runtime writes the outputs into the binding's own buffers (pinned): no Java value is built for them. */
    private void runBound(int rows, Bound bound, float[][] outputs) throws InferenceException {
        if (failBoundRunsForTests) {
            throw new InferenceException("bound run refused (test)");
        }
        try (OrtSession.Result r = session.run(bound.feeds, bound.pinned)) {
            for (int o = 0; o < outputNames.length; o++) {
                bound.outputs[o].get(0, outputs[o], 0, rows * outputWidths[o]);
            }
        } catch (OrtException e) {
            throw new InferenceException("inference failed on " + rows + " rows: " + e.getMessage(), e);
        }
    }

    /** Whether {@code a} holds the very buffer objects of {@code b}, in order. */
    private static boolean sameBuffers(FloatBuffer[] a, FloatBuffer[] b) {
        if (a == null || a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    private static FloatBuffer from0(FloatBuffer b, int floats) {
        FloatBuffer d = b.duplicate();
        d.position(0).limit(floats);
        return d;
    }

    /**
     * One caller's input buffers at one row count, bound to ONNX Runtime values that are kept across
     * runs: the input tensors read the caller's direct buffers in place (ONNX Runtime reads them when
     * it runs, not when the tensor is made), and the outputs are pinned tensors over direct buffers of
     * this binding's own. Used by one run at a time ({@link #inUse}).
     */
    private static final class Bound {
        final FloatBuffer[] key;
        final int rows;
        final Map<String, OnnxTensor> feeds;
        final Map<String, OnnxTensor> pinned;
        final FloatBuffer[] outputs;
        /** Held by a run, or by whoever closes it. */
        final AtomicBoolean inUse = new AtomicBoolean();
        /** Evicted: whoever holds it last closes it. */
        volatile boolean retired;

        Bound(OrtModelSession s, FloatBuffer[] key, int rows) throws OrtException {
            this.key = key.clone();
            this.rows = rows;
            this.feeds = new HashMap<>(s.inputNames.length * 2);
            this.pinned = new HashMap<>(s.outputNames.length * 2);
            this.outputs = new FloatBuffer[s.outputNames.length];
            try {
                for (int i = 0; i < s.inputNames.length; i++) {
                    feeds.put(s.inputNames[i], OnnxTensor.createTensor(s.env, from0(key[i], rows * s.inputWidths[i]),
                            new long[] {rows, s.inputWidths[i]}));
                }
                for (int o = 0; o < s.outputNames.length; o++) {
                    int n = rows * s.outputWidths[o];
                    outputs[o] = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
                    pinned.put(s.outputNames[o], OnnxTensor.createTensor(s.env, outputs[o], new long[] {rows, s.outputWidths[o]}));
                }
            } catch (OrtException | RuntimeException e) {
                close();
                throw e;
            }
        }

        boolean matches(FloatBuffer[] inputs, int rows) {
            return this.rows == rows && sameBuffers(key, inputs);
        }

        void release() {
            inUse.set(false);
            if (retired && inUse.compareAndSet(false, true)) {
                close(); // evicted while this run held it
            }
        }

        /** Out of the session's list: closed now, or by the run that holds it when it releases it. */
        void retire() {
            retired = true;
            if (inUse.compareAndSet(false, true)) {
                close();
            }
        }

        void close() {
            feeds.values().forEach(OnnxTensor::close);
            pinned.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * The session's {@link Bound}s, most recently used first, at most {@link #MAX_BOUND}: a batcher
     * runner runs again and again on the same input buffers with a few batch sizes. Building the input
     * tensors and the output's Java value on every run went through JNI class lookups
     * ({@code FindClass}, {@code NewObject}) that cost more than a small batch's arithmetic. Callers
     * run on batcher runners and benchmark threads, never on an event loop; the lock guards a list
     * search of at most {@link #MAX_BOUND} entries, never a run.
     */
    private final class Bindings {
        private final ArrayDeque<Bound> recent = new ArrayDeque<>(MAX_BOUND);
        /** The last few inputs that no binding had, by identity (a ring: several runners alternate). */
        private final FloatBuffer[][] unbound = new FloatBuffer[4][];
        private int nextUnbound;
        private boolean closed;
        private boolean disabled;

        /**
         * A binding for these inputs and rows, marked in use, or null: inputs that are not all direct
         * native-order buffers (ONNX Runtime would copy them when the tensor is made, so a kept tensor
         * would go stale), a binding another run holds, a closed session or a failure to bind (the
         * caller then builds its tensors for this run alone, as before).
         */
        Bound acquire(int rows, FloatBuffer[] inputs) {
            for (FloatBuffer b : inputs) {
                if (!b.isDirect() || b.order() != ByteOrder.nativeOrder()) {
                    return null;
                }
            }
            Bound evicted = null;
            Bound found;
            synchronized (this) {
                if (closed || disabled) {
                    return null;
                }
                found = null;
                boolean known = false;
                for (FloatBuffer[] u : unbound) {
                    known |= sameBuffers(u, inputs);
                }
                for (Iterator<Bound> it = recent.iterator(); it.hasNext(); ) {
                    Bound b = it.next();
                    if (b.matches(inputs, rows)) {
                        it.remove();
                        found = b;
                        break;
                    }
                    known |= sameBuffers(b.key, inputs);
                }
                if (found == null) {
                    if (!known) {
                        // First sight of these buffers: a caller with new buffers for every run would
                        // only churn bindings. Bound from the second run on the same buffers.
                        unbound[nextUnbound++ & (unbound.length - 1)] = inputs.clone();
                        return null;
                    }
                    try {
                        found = new Bound(OrtModelSession.this, inputs, rows);
                    } catch (OrtException | RuntimeException e) {
                        return null;
                    }
                    if (recent.size() == MAX_BOUND) {
                        evicted = recent.pollLast();
                    }
                }
                recent.addFirst(found);
            }
            if (evicted != null) {
                evicted.retire();
            }
            return found.inUse.compareAndSet(false, true) ? found : null;
        }

        /**
         * Runs on this session stop binding: a bound run failed where the same run unbound did not
         * (an execution provider that cannot write pinned outputs, say). Logged once.
         */
        void disable(InferenceException why) {
            synchronized (this) {
                if (disabled) {
                    return;
                }
                disabled = true;
            }
            LOG.warn("ONNX Runtime session {}: a run on bound tensors failed where the same run on fresh ones did not; "
                    + "this session runs on fresh tensors from now on: {}", OrtModelSession.this, why.getMessage());
        }

        /** Not concurrent with runs ({@link ModelSession#close}). */
        synchronized void close() {
            closed = true;
            recent.forEach(Bound::close);
            recent.clear();
            Arrays.fill(unbound, null);
        }
    }

    /** Bindings kept per session: a few runners × a few batch sizes. */
    static final int MAX_BOUND = 32;

    /** Tests: every bound run fails, as on a provider that cannot write pinned outputs. */
    static volatile boolean failBoundRunsForTests;

    @Override
    public void close() {
        bindings.close();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing ONNX Runtime session failed", e);
        }
    }

    @Override
    public String toString() {
        return "OrtModelSession{inputs=" + Arrays.toString(inputNames) + ", outputs=" + Arrays.toString(outputNames) + '}';
    }
}
