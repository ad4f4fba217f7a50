package dev.funnel.model.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds an ONNX model (IR version 8, default-domain opset 13) from nodes and weight arrays and
 * writes its {@code ModelProto} bytes with our own protobuf encoder — no codegen, no Python. Used
 * by the trainer to publish dense snapshots and by tests and the demo to make models.
 *
 * <p>Shapes: a dimension of {@link #DYNAMIC} is written as the symbolic dimension {@code N}
 * (the batch). Initializers are float32 or int64, stored as little-endian {@code raw_data}.
 * Not thread-safe; build on one thread, then {@link #toModelBytes()}.
 */
public final class OnnxGraph {

    /** A symbolic (batch) dimension. */
    public static final int DYNAMIC = -1;
    /** The IR version written. */
    public static final long IR_VERSION = 8;
    /** The default-domain opset written. */
    public static final long OPSET = 13;

    private static final int FLOAT = 1;
    private static final int INT64 = 7;

    private final String name;
    private final List<byte[]> nodes = new ArrayList<>();
    private final List<byte[]> initializers = new ArrayList<>();
    private final List<byte[]> inputs = new ArrayList<>();
    private final List<byte[]> outputs = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private int nodeCounter;

    private OnnxGraph(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** An empty graph with this name. */
    public static OnnxGraph named(String name) {
        return new OnnxGraph(name);
    }

    /** Declares a float32 graph input. */
    public OnnxGraph input(String inputName, int... dims) {
        inputs.add(valueInfo(inputName, FLOAT, dims));
        return this;
    }

    /** Declares a float32 graph output. */
    public OnnxGraph output(String outputName, int... dims) {
        outputs.add(valueInfo(outputName, FLOAT, dims));
        return this;
    }

    /** A float32 constant tensor of this shape ({@code data.length} must equal its size). */
    public OnnxGraph initializer(String tensorName, float[] data, int... dims) {
        checkSize(tensorName, data.length, dims);
        ByteBuffer raw = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(data);
        initializers.add(tensor(tensorName, FLOAT, dims, raw.array()));
        return this;
    }

    /** An int64 constant tensor of this shape (axes, shapes). */
    public OnnxGraph initializerInt64(String tensorName, long[] data, int... dims) {
        checkSize(tensorName, data.length, dims);
        ByteBuffer raw = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(data);
        initializers.add(tensor(tensorName, INT64, dims, raw.array()));
        return this;
    }

    /** Adds a node of the default domain. */
    public OnnxGraph node(String opType, String[] nodeInputs, String[] nodeOutputs, Attr... attrs) {
        ProtoWriter n = new ProtoWriter();
        for (String in : nodeInputs) {
            n.string(1, in);
        }
        for (String out : nodeOutputs) {
            n.string(2, out);
        }
        n.string(3, opType.toLowerCase(java.util.Locale.ROOT) + "_" + (nodeCounter++));
        n.string(4, opType);
        for (Attr a : attrs) {
            n.message(5, a.encode());
        }
        nodes.add(n.toByteArray());
        return this;
    }

    /** {@code out = a · w + b} with {@code w} of shape [in, out] (Gemm). */
    public OnnxGraph gemm(String a, String w, String b, String out) {
        return node("Gemm", new String[] {a, w, b}, new String[] {out});
    }

    /** A single-input, single-output op such as Relu or Sigmoid. */
    public OnnxGraph unary(String opType, String in, String out) {
        return node(opType, new String[] {in}, new String[] {out});
    }

    /** A two-input, single-output op such as Add, Mul or MatMul. */
    public OnnxGraph binary(String opType, String a, String b, String out) {
        return node(opType, new String[] {a, b}, new String[] {out});
    }

    /** Concatenation along an axis. */
    public OnnxGraph concat(int axis, String out, String... ins) {
        return node("Concat", ins, new String[] {out}, Attr.i("axis", axis));
    }

    /** Sum over {@code axesTensor} (an int64 initializer) keeping dims (opset 13 ReduceSum). */
    public OnnxGraph reduceSum(String in, String axesTensor, String out) {
        return node("ReduceSum", new String[] {in, axesTensor}, new String[] {out}, Attr.i("keepdims", 1));
    }

    /** A {@code metadata_props} entry on the model. */
    public OnnxGraph metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** The serialized {@code ModelProto}. */
    public byte[] toModelBytes() {
        ProtoWriter g = new ProtoWriter();
        for (byte[] n : nodes) {
            g.bytes(1, n);
        }
        g.string(2, name);
        for (byte[] t : initializers) {
            g.bytes(5, t);
        }
        for (byte[] v : inputs) {
            g.bytes(11, v);
        }
        for (byte[] v : outputs) {
            g.bytes(12, v);
        }
        ProtoWriter m = new ProtoWriter();
        m.varint(1, IR_VERSION);
        m.string(2, "funnel");
        m.string(3, "1");
        m.varint(5, 1);
        m.message(7, g);
        m.message(8, new ProtoWriter().string(1, "").varint(2, OPSET));
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            m.message(14, new ProtoWriter().string(1, e.getKey()).string(2, e.getValue()));
        }
        return m.toByteArray();
    }

    private static byte[] tensor(String tensorName, int dataType, int[] dims, byte[] raw) {
        ProtoWriter t = new ProtoWriter();
        long[] d = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            d[i] = dims[i];
        }
        if (d.length > 0) {
            t.packedVarints(1, d);
        }
        t.varint(2, dataType);
        t.string(8, tensorName);
        t.bytes(9, raw);
        return t.toByteArray();
    }

    private static byte[] valueInfo(String valueName, int elemType, int[] dims) {
        ProtoWriter shape = new ProtoWriter();
        for (int d : dims) {
            ProtoWriter dim = new ProtoWriter();
            if (d == DYNAMIC) {
                dim.string(2, "N");
            } else {
                dim.varint(1, d);
            }
            shape.message(1, dim);
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, elemType).message(2, shape);
        ProtoWriter type = new ProtoWriter().message(1, tensorType);
        return new ProtoWriter().string(1, valueName).message(2, type).toByteArray();
    }

    private static void checkSize(String tensorName, int length, int[] dims) {
        long size = 1;
        for (int d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("initializer '" + tensorName + "': dims must be > 0, got " + java.util.Arrays.toString(dims));
            }
            size *= d;
        }
        if (size != length) {
            throw new IllegalArgumentException("initializer '" + tensorName + "': " + length + " values for shape "
                    + java.util.Arrays.toString(dims));
        }
    }

    /** A node attribute. */
    public static final class Attr {
        private final byte[] encoded;

        private Attr(byte[] encoded) {
            this.encoded = encoded;
        }

        /** An INT attribute. */
        public static Attr i(String name, long value) {
            return new Attr(new ProtoWriter().string(1, name).varint(3, value).varint(20, 2).toByteArray());
        }

        /** A FLOAT attribute. */
        public static Attr f(String name, float value) {
            return new Attr(new ProtoWriter().string(1, name).fixedFloat(2, value).varint(20, 1).toByteArray());
        }

        /** A STRING attribute. */
        public static Attr s(String name, String value) {
            return new Attr(new ProtoWriter().string(1, name)
                    .bytes(4, value.getBytes(java.nio.charset.StandardCharsets.UTF_8)).varint(20, 3).toByteArray());
        }

        /** An INTS attribute. */
        public static Attr ints(String name, long... values) {
            return new Attr(new ProtoWriter().string(1, name).packedVarints(8, values).varint(20, 7).toByteArray());
        }

        ProtoWriter encode() {
            ProtoWriter w = new ProtoWriter();
            // Re-wrap the pre-encoded fields as a nested message body.
            return w.raw(encoded);
        }
    }
}
