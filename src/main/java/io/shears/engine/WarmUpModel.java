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
import io.shears.onnx.TensorValues;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The model {@link EngineWarmUp} trains: a small ResNet of the layers most uploaded CNNs are made of (a strided
 * stem, a residual block, a downsampling block with a 1×1 projection, global average pooling and a linear head),
 * with He-initialised weights from a fixed seed, a free batch axis and one grey input channel.
 */
final class WarmUpModel {
    static final String INPUT = "images";
    static final String OUTPUT = "logits";

    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("shears_warm_up");
    private final Random random;
    private int nodes;

    private WarmUpModel(long seed) {
        this.random = new Random(seed);
    }

    /** The model for {@code side}×{@code side} grey images and {@code classes} classes, {@code width} stem filters. */
    static ModelProto build(int side, int width, int classes, long seed) {
        WarmUpModel m = new WarmUpModel(seed);
        m.graph.addInput(m.value(INPUT, 1, side, side));
        String x = m.convBnRelu(INPUT, 1, width, 3, 2);
        x = m.residualBlock(x, width, width, 1);
        x = m.residualBlock(x, width, 2 * width, 2);
        x = m.node("GlobalAveragePool", new String[] {x});
        x = m.node("Flatten", new String[] {x}, integer("axis", 1));
        String weight = m.initializer(new long[] {classes, 2 * width}, 2 * width);
        String bias = m.zeros(classes);
        m.graph.addNode(NodeProto.newBuilder().setOpType("Gemm").setName("head").addInput(x).addInput(weight)
                .addInput(bias).addOutput(OUTPUT).addAttribute(integer("transB", 1)));
        m.graph.addOutput(m.value(OUTPUT, classes));
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("shears-warm-up")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(m.graph).build();
    }

    /** Two 3×3 convolutions, each batch-normalised, added to the input (projected by a 1×1 convolution if it must). */
    private String residualBlock(String in, int from, int to, int stride) {
        String y = convBnRelu(in, from, to, 3, stride);
        y = batchNorm(conv(y, to, to, 3, 1), to);
        String shortcut = stride == 1 && from == to ? in : batchNorm(conv(in, from, to, 1, stride), to);
        return node("Relu", new String[] {node("Add", new String[] {y, shortcut})});
    }

    private String convBnRelu(String in, int from, int to, int kernel, int stride) {
        return node("Relu", new String[] {batchNorm(conv(in, from, to, kernel, stride), to)});
    }

    private String conv(String in, int from, int to, int kernel, int stride) {
        String weight = initializer(new long[] {to, from, kernel, kernel}, from * kernel * kernel);
        int pad = kernel / 2;
        return node("Conv", new String[] {in, weight},
                ints("kernel_shape", kernel, kernel), ints("strides", stride, stride), ints("pads", pad, pad, pad, pad));
    }

    private String batchNorm(String in, int channels) {
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        return node("BatchNormalization", new String[] {in, constant(ones), zeros(channels), zeros(channels),
                constant(ones)});
    }

    private String node(String op, String[] inputs, AttributeProto... attributes) {
        String name = op.toLowerCase(Locale.ROOT) + "_" + nodes++;
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(name);
        for (String input : inputs) {
            n.addInput(input);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return name;
    }

    /** Weights drawn from He's normal distribution for {@code fanIn} inputs. */
    private String initializer(long[] dims, int fanIn) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        float std = (float) Math.sqrt(2.0 / fanIn);
        float[] values = new float[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * std;
        }
        return add(dims, values);
    }

    private String zeros(int count) {
        return constant(new float[count]);
    }

    private String constant(float[] values) {
        return add(new long[] {values.length}, values);
    }

    private String add(long[] dims, float[] values) {
        String name = "w" + graph.getInitializerCount();
        TensorProto tensor = TensorValues.floatTensor(name, dims, values);
        graph.addInitializer(tensor);
        return name;
    }

    private static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** A float tensor of shape [batch, dims...], its batch axis free. */
    private ValueInfoProto value(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }
}
