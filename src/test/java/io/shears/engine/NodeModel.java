package io.shears.engine;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import io.shears.onnx.TensorValues;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Tiny models for kernel tests: one float graph input {@code x} of a fixed shape, operands as initializers, and one or
 * more nodes written as they are. Outputs that are not float get a Cast to float appended, since {@code OrtRunner}
 * reads float outputs only.
 */
public final class NodeModel {
    public static final String INPUT = "x";

    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();
    private final long[] inputShape;
    private final SplittableRandom random;
    private int names;

    public NodeModel(long seed, long... inputShape) {
        this.inputShape = inputShape;
        this.random = new SplittableRandom(seed);
    }

    /** A float initializer of uniform(-1, 1) values. */
    public String randomFloats(String name, long... dims) {
        float[] values = new float[Math.toIntExact(Arrays.stream(dims).reduce(1, Math::multiplyExact))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return floats(name, dims, values);
    }

    public String floats(String name, long[] dims, float... values) {
        initializers.add(TensorValues.floatTensor(name, dims, values));
        return name;
    }

    public String scalar(String name, float value) {
        return floats(name, new long[0], value);
    }

    public String longs(String name, long... values) {
        initializers.add(TensorValues.longTensor(name, new long[] {values.length}, values));
        return name;
    }

    public NodeModel initializer(TensorProto tensor) {
        initializers.add(tensor);
        return this;
    }

    public String longScalar(String name, long value) {
        initializers.add(TensorValues.longTensor(name, new long[0], new long[] {value}));
        return name;
    }

    /** Appends a node; {@code outputs} names its outputs, "" for an omitted one. */
    public NodeModel node(String op, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
        nodes.add(NodeProto.newBuilder().setName(op.toLowerCase() + "_" + names++).setOpType(op).addAllInput(inputs)
                .addAllOutput(outputs).addAllAttribute(List.of(attributes)).build());
        return this;
    }

    /** A node with one output named {@code y}, declared as the graph output. */
    public NodeModel single(String op, List<String> inputs, AttributeProto... attributes) {
        return node(op, inputs, List.of("y"), attributes).output("y");
    }

    public NodeModel output(String tensor) {
        outputs.add(tensor);
        return this;
    }

    /** Declares {@code tensor} (of a non-float type) as an output through a Cast to float. */
    public NodeModel outputAsFloat(String tensor) {
        String cast = tensor + "_float";
        node("Cast", List.of(tensor), List.of(cast), intAttr("to", TensorProto.DataType.FLOAT_VALUE));
        return output(cast);
    }

    public ModelProto build(int opset) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("kernel_test").addInput(valueInfo(INPUT, inputShape))
                .addAllInitializer(initializers).addAllNode(nodes);
        for (String out : outputs) {
            g.addOutput(valueInfo(out, null));
        }
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("shears-engine-tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(g).build();
    }

    public long[] inputShape() {
        return inputShape.clone();
    }

    private static ValueInfoProto valueInfo(String name, long[] dims) {
        TypeProto.Tensor.Builder tensor = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE);
        if (dims != null) {
            TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
            for (long d : dims) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
            tensor.setShape(shape);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    public static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static AttributeProto intsAttr(String name, long... values) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
                .addAllInts(Arrays.stream(values).boxed().toList()).build();
    }

    public static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    public static AttributeProto floatsAttr(String name, float... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.FLOATS);
        for (float v : values) {
            b.addFloats(v);
        }
        return b.build();
    }

    public static AttributeProto stringAttr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    public static AttributeProto tensorAttr(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value)
                .build();
    }
}
