package io.shears.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Hand-made ONNX protos for tests of the onnx and graph packages: value infos, tensors in every storage field,
 * nodes with attributes, models, and models whose external data was moved out into a file. Kept separate from
 * {@code io.shears.testing.OnnxGraphBuilder} because these tests need forms (dilations, auto_pad, Constant chains,
 * typed storage) that builder does not emit.
 */
public final class Protos {
    public static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    public static final int INT64 = TensorProto.DataType.INT64_VALUE;
    /** A dimension given to {@link #valueInfo} as DYNAMIC becomes {@code dim_param "batch"}. */
    public static final long DYNAMIC = -1;

    private Protos() {
    }

    // ---------------------------------------------------------------- value infos

    public static ValueInfoProto valueInfo(String name, int elemType, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d == DYNAMIC) {
                dim.setDimParam("batch");
            } else {
                dim.setDimValue(d);
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }

    public static ValueInfoProto floatInfo(String name, long... dims) {
        return valueInfo(name, FLOAT, dims);
    }

    /** A value info with an element type but no shape at all, as extra graph outputs for ONNX Runtime. */
    public static ValueInfoProto untypedShape(String name, int elemType) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(elemType))).build();
    }

    // ---------------------------------------------------------------- tensors

    public static TensorProto rawFloats(String name, long[] dims, float... values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        return tensor(name, FLOAT, dims).setRawData(ByteString.copyFrom(buf.array())).build();
    }

    public static TensorProto typedFloats(String name, long[] dims, float... values) {
        TensorProto.Builder b = tensor(name, FLOAT, dims);
        for (float v : values) {
            b.addFloatData(v);
        }
        return b.build();
    }

    public static TensorProto rawLongs(String name, long[] dims, long... values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            buf.putLong(v);
        }
        return tensor(name, INT64, dims).setRawData(ByteString.copyFrom(buf.array())).build();
    }

    public static TensorProto typedLongs(String name, long[] dims, long... values) {
        TensorProto.Builder b = tensor(name, INT64, dims);
        for (long v : values) {
            b.addInt64Data(v);
        }
        return b.build();
    }

    /** A 1-D int64 tensor with raw data. */
    public static TensorProto longs(String name, long... values) {
        return rawLongs(name, new long[] {values.length}, values);
    }

    /** A scalar (rank 0) int64 tensor. */
    public static TensorProto scalarLong(String name, long value) {
        return rawLongs(name, new long[0], value);
    }

    public static TensorProto.Builder tensor(String name, int dataType, long[] dims) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(dataType);
        for (long d : dims) {
            b.addDims(d);
        }
        return b;
    }

    /** Seeded values in [-1, 1) with a count given by dims. */
    public static float[] values(long seed, long... dims) {
        int n = Math.toIntExact(Arrays.stream(dims).reduce(1, Math::multiplyExact));
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextDouble(-1, 1);
        }
        return out;
    }

    public static TensorProto randomFloats(String name, long seed, long... dims) {
        return rawFloats(name, dims, values(seed, dims));
    }

    // ---------------------------------------------------------------- attributes and nodes

    public static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
    }

    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    public static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(value).build();
    }

    public static AttributeProto floats(String name, float... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOATS);
        for (float v : values) {
            b.addFloats(v);
        }
        return b.build();
    }

    public static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    public static AttributeProto attr(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR).setT(value).build();
    }

    public static NodeProto node(String name, String op, List<String> inputs, List<String> outputs,
                                 AttributeProto... attributes) {
        return NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(inputs).addAllOutput(outputs)
                .addAllAttribute(List.of(attributes)).build();
    }

    /** A single-output node whose output is named {@code name}. */
    public static NodeProto node(String name, String op, List<String> inputs, AttributeProto... attributes) {
        return node(name, op, inputs, List.of(name), attributes);
    }

    /** A Constant node producing {@code value} under the tensor's own name. */
    public static NodeProto constant(TensorProto value) {
        return node("const_" + value.getName(), "Constant", List.of(), List.of(value.getName()),
                attr("value", value.toBuilder().clearName().build()));
    }

    // ---------------------------------------------------------------- models

    public static ModelProto model(int opset, GraphProto graph) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("shears-onnx-tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build();
    }

    /** Starts a graph with the given inputs and outputs. */
    public static GraphProto.Builder graph(String name, List<ValueInfoProto> inputs, List<ValueInfoProto> outputs) {
        return GraphProto.newBuilder().setName(name).addAllInput(inputs).addAllOutput(outputs);
    }

    /**
     * The model with every node output of a given element type (except Constant outputs and existing outputs) also
     * declared as a graph output, so ONNX Runtime returns it.
     */
    public static ModelProto exposeAll(ModelProto model, java.util.function.Predicate<String> include) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        Set<String> declared = new HashSet<>();
        model.getGraph().getOutputList().forEach(o -> declared.add(o.getName()));
        for (NodeProto node : model.getGraph().getNodeList()) {
            if (node.getOpType().equals("Constant")) {
                continue;
            }
            for (String out : node.getOutputList()) {
                if (!out.isEmpty() && !declared.contains(out) && include.test(out)) {
                    declared.add(out);
                    g.addOutput(untypedShape(out, FLOAT));
                }
            }
        }
        return model.toBuilder().setGraph(g).build();
    }

    // ---------------------------------------------------------------- external data

    /**
     * Moves the raw_data of every initializer (and of Constant nodes' value tensors, if {@code constants}) with at
     * least {@code minBytes} bytes into {@code data}, written with 64-byte alignment as onnx's save_as_external_data
     * does, and marks the tensors EXTERNAL with location, offset and length entries.
     *
     * @return the model that refers to the data; the data bytes are appended to {@code data}
     */
    public static ModelProto externalize(ModelProto model, String location, java.io.ByteArrayOutputStream data,
                                         int minBytes) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            if (t.hasRawData() && t.getRawData().size() >= minBytes) {
                g.setInitializer(i, moveOut(t, location, data));
            }
        }
        return model.toBuilder().setGraph(g).build();
    }

    public static TensorProto moveOut(TensorProto t, String location, java.io.ByteArrayOutputStream data) {
        while (data.size() % 64 != 0) {
            data.write(0);
        }
        long offset = data.size();
        byte[] bytes = t.getRawData().toByteArray();
        data.writeBytes(bytes);
        return external(t.toBuilder().clearRawData().build(), location, offset, bytes.length);
    }

    public static TensorProto external(TensorProto withoutData, String location, long offset, long length) {
        return withoutData.toBuilder()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .clearExternalData()
                .addExternalData(kv("location", location))
                .addExternalData(kv("offset", Long.toString(offset)))
                .addExternalData(kv("length", Long.toString(length)))
                .build();
    }

    public static StringStringEntryProto kv(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** Names of all initializers that are stored externally. */
    public static List<String> externalNames(ModelProto model) {
        List<String> names = new ArrayList<>();
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                names.add(t.getName());
            }
        }
        return names;
    }
}
