package io.shears.testing;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * Fluent builder for small ONNX models used as pruning fixtures. Every op method appends one node (plus the
 * parameters it needs) and returns the name of the tensor it produced, so layers chain like
 * {@code relu(batchNorm(conv(x, 16, 3, 1, 1, 1, false)))}.
 *
 * <p>Node names are readable and unique per op kind ({@code conv3}, {@code bn3}); a node's output is
 * {@code <node>_out} and its parameters are {@code <node>.<role>} ({@code conv3.weight}). Parameters are seeded
 * random floats scaled as {@link WeightSampler} explains, so the same seed always gives the same model bytes. The
 * builder tracks the shape of every tensor it creates: that is how a conv knows its input channel count, and it lets
 * {@link #output} declare real shapes.
 *
 * <p>Ops are emitted in their opset 13 form. Forms that only exist in part of the opset range narrow
 * {@link #minimumOpset()}..{@link #maximumOpset()}, and {@link #build(int)} refuses opsets outside it rather than
 * emitting a model that ONNX Runtime would reject for reasons unrelated to the test.
 *
 * <p>The builder checks what it needs to compute shapes, not everything ONNX checks: {@link #convWithWeight} and
 * {@link #reshape} accept inconsistent arguments on purpose, so tests can also produce models that fail at run time.
 */
public final class OnnxGraphBuilder {
    /** Use as a dimension of {@link #input} to declare the symbolic batch, {@code dim_param "batch"}. */
    public static final long BATCH = TensorShape.BATCH;
    /** Reported by {@link #shapeOf} for a dimension the builder cannot know, e.g. batch x channels. */
    public static final long UNKNOWN = TensorShape.UNKNOWN;

    private static final long IR_VERSION = 8;
    private static final String PRODUCER = "shears-tests";
    private static final float BN_EPSILON = 1e-5f;

    private final String graphName;
    private final WeightSampler sampler;
    private final List<ValueInfoProto> graphInputs = new ArrayList<>();
    private final List<ValueInfoProto> graphOutputs = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private final List<NodeProto> nodes = new ArrayList<>();
    private final Map<String, TensorShape> shapes = new HashMap<>();
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, Integer> nodeCounters = new HashMap<>();
    private boolean constantWeights;
    private int minimumOpset = 7;
    private String minimumOpsetReason = "the oldest opset these tests care about";
    private int maximumOpset = Integer.MAX_VALUE;
    private String maximumOpsetReason = "";

    public OnnxGraphBuilder(String graphName, long seed) {
        this.graphName = graphName;
        this.sampler = new WeightSampler(seed);
    }

    // ---------------------------------------------------------------- graph interface and configuration

    /** Declares a FLOAT graph input; a dimension equal to {@link #BATCH} becomes {@code dim_param "batch"}. */
    public String input(String name, long... dims) {
        requireNewTensorName(name);
        TensorShape shape = TensorShape.of(dims);
        graphInputs.add(floatValueInfo(name, shape));
        shapes.put(name, shape);
        return name;
    }

    /** Declares a graph output with the shape the builder tracked for it. */
    public OnnxGraphBuilder output(String tensor) {
        graphOutputs.add(floatValueInfo(tensor, shape(tensor)));
        return this;
    }

    /**
     * From now on, parameters go into {@code Constant} nodes instead of initializers, as PaddlePaddle exports them.
     * Applies to every constant tensor the builder creates, including int64 operands such as Reshape's shape.
     */
    public OnnxGraphBuilder constantWeights(boolean enabled) {
        this.constantWeights = enabled;
        return this;
    }

    /** Tracked shape of a tensor; {@link #BATCH} and {@link #UNKNOWN} mark symbolic dimensions. */
    public long[] shapeOf(String tensor) {
        return shape(tensor).dims();
    }

    /** Name of the weight tensor (input 1) of the node that produced {@code output}, e.g. to share it. */
    public String weightOf(String output) {
        NodeProto producer = producers.get(output);
        if (producer == null || producer.getInputCount() < 2) {
            throw new IllegalArgumentException(output + " is not produced by a node with a weight input");
        }
        return producer.getInput(1);
    }

    public int minimumOpset() {
        return minimumOpset;
    }

    public int maximumOpset() {
        return maximumOpset;
    }

    public boolean supportsOpset(int opset) {
        return opset >= minimumOpset && opset <= maximumOpset;
    }

    // ---------------------------------------------------------------- convolutions

    public String conv(String x, int outChannels, int kernel, int stride, int pad, int group, boolean bias) {
        long inChannels = shape(x).channels();
        requireDivisible(inChannels, group, "input channels by group");
        requireDivisible(outChannels, group, "output channels by group");
        String name = nextNodeName("conv");
        String weight = randomConvWeight(name + ".weight", outChannels, inChannels / group, kernel);
        return convNode(name, x, weight, stride, pad, group, bias);
    }

    /** Depthwise conv: group = channels, {@code channelMultiplier} outputs per input channel, "same" padding. */
    public String depthwiseConv(String x, int kernel, int stride, int channelMultiplier) {
        int channels = Math.toIntExact(shape(x).channels());
        return conv(x, channels * channelMultiplier, kernel, stride, kernel / 2, channels, false);
    }

    /** Conv over an existing weight tensor, e.g. one shared with another conv; kernel and out channels come from it. */
    public String convWithWeight(String x, String weight, int stride, int pad, int group, boolean bias) {
        return convNode(nextNodeName("conv"), x, weight, stride, pad, group, bias);
    }

    /** A fresh random conv weight [out, inPerGroup, k, k] that no node uses yet. */
    public String convWeight(int outChannels, int inChannelsPerGroup, int kernel) {
        return randomConvWeight(nextNodeName("weight"), outChannels, inChannelsPerGroup, kernel);
    }

    /** Routes a weight through an Identity node, the way exporters alias deduplicated initializers. */
    public String identityAliasedWeight(String weight) {
        return identity(weight);
    }

    public String convTranspose(String x, int outChannels, int kernel, int stride, int pad, boolean bias) {
        TensorShape in = shape(x);
        long inChannels = in.channels();
        String name = nextNodeName("convtranspose");
        long fanIn = Math.max(1, inChannels * kernel * kernel / ((long) stride * stride));
        String weight = floatParameter(name + ".weight", TensorShape.of(inChannels, outChannels, kernel, kernel),
                sampler.weights(inChannels * outChannels * kernel * kernel, fanIn));
        List<String> inputs = new ArrayList<>(List.of(x, weight));
        if (bias) {
            inputs.add(floatParameter(name + ".bias", TensorShape.of(outChannels), sampler.biases(outChannels, fanIn)));
        }
        TensorShape out = spatialMap(in.withDim(1, outChannels), size -> (size - 1) * stride - 2L * pad + kernel);
        return addNode(name, "ConvTranspose", inputs, out,
                Attributes.ofInts("kernel_shape", kernel, kernel),
                Attributes.ofInts("strides", stride, stride),
                Attributes.ofInts("pads", pad, pad, pad, pad));
    }

    // ---------------------------------------------------------------- normalization and activations

    public String batchNorm(String x) {
        long channels = shape(x).channels();
        String name = nextNodeName("bn");
        TensorShape perChannel = TensorShape.of(channels);
        String scale = floatParameter(name + ".scale", perChannel, sampler.uniform(channels, 0.5, 1.5));
        String bias = floatParameter(name + ".bias", perChannel, sampler.uniform(channels, -0.1, 0.1));
        String mean = floatParameter(name + ".mean", perChannel, sampler.uniform(channels, -0.1, 0.1));
        String variance = floatParameter(name + ".var", perChannel, sampler.uniform(channels, 0.5, 1.5));
        return addNode(name, "BatchNormalization", List.of(x, scale, bias, mean, variance), shape(x),
                Attributes.ofFloat("epsilon", BN_EPSILON));
    }

    public String relu(String x) {
        return unary("Relu", "relu", x);
    }

    public String leakyRelu(String x, float alpha) {
        return addNode(nextNodeName("leakyrelu"), "LeakyRelu", List.of(x), shape(x),
                Attributes.ofFloat("alpha", alpha));
    }

    /** PRelu with a per-channel slope of shape [C, 1, 1]. */
    public String prelu(String x) {
        long channels = shape(x).channels();
        String name = nextNodeName("prelu");
        String slope = floatParameter(name + ".slope", TensorShape.of(channels, 1, 1),
                sampler.uniform(channels, 0, 0.5));
        return addNode(name, "PRelu", List.of(x, slope), shape(x));
    }

    /** Clip with min and max as scalar inputs (opset 11 and later). */
    public String clip(String x, float min, float max) {
        requireMinimumOpset(11, "Clip takes min/max as inputs");
        String name = nextNodeName("clip");
        String low = floatParameter(name + ".min", TensorShape.scalar(), new float[] {min});
        String high = floatParameter(name + ".max", TensorShape.scalar(), new float[] {max});
        return addNode(name, "Clip", List.of(x, low, high), shape(x));
    }

    /** ReLU6 as exporters write it: Clip(x, 0, 6). */
    public String relu6(String x) {
        return clip(x, 0f, 6f);
    }

    public String sigmoid(String x) {
        return unary("Sigmoid", "sigmoid", x);
    }

    public String hardSigmoid(String x) {
        return unary("HardSigmoid", "hardsigmoid", x);
    }

    public String hardSwish(String x) {
        requireMinimumOpset(14, "HardSwish");
        return unary("HardSwish", "hardswish", x);
    }

    public String tanh(String x) {
        return unary("Tanh", "tanh", x);
    }

    public String softmax(String x, int axis) {
        return addNode(nextNodeName("softmax"), "Softmax", List.of(x), shape(x), Attributes.ofInt("axis", axis));
    }

    // ---------------------------------------------------------------- element-wise arithmetic

    public String add(String a, String b) {
        return binary("Add", "add", a, b);
    }

    public String sub(String a, String b) {
        return binary("Sub", "sub", a, b);
    }

    public String mul(String a, String b) {
        return binary("Mul", "mul", a, b);
    }

    public String div(String a, String b) {
        return binary("Div", "div", a, b);
    }

    /** Mul by one stored number (attention's 1/√d scale). */
    public String mulByScalar(String x, float factor) {
        String name = nextNodeName("mul");
        String value = floatParameter(name + ".factor", TensorShape.of(), new float[] {factor});
        return addNode(name, "Mul", List.of(x, value), shape(x));
    }

    /** Mul by a [C, 1, 1] constant; kept away from zero so it never silences a channel. */
    public String mulByChannelConstant(String x) {
        long channels = shape(x).channels();
        String name = nextNodeName("mul");
        String factor = floatParameter(name + ".factor", TensorShape.of(channels, 1, 1),
                sampler.uniform(channels, 0.5, 1.5));
        return addNode(name, "Mul", List.of(x, factor), shape(x).broadcast(shape(factor)));
    }

    /** Add of a [1, C, 1, 1] constant: deliberately a different rank than {@link #mulByChannelConstant}. */
    public String addChannelConstant(String x) {
        long channels = shape(x).channels();
        String name = nextNodeName("add");
        String offset = floatParameter(name + ".offset", TensorShape.of(1, channels, 1, 1),
                sampler.uniform(channels, -0.5, 0.5));
        return addNode(name, "Add", List.of(x, offset), shape(x).broadcast(shape(offset)));
    }

    // ---------------------------------------------------------------- pooling and reduction

    public String maxPool(String x, int kernel, int stride, int pad) {
        return addNode(nextNodeName("maxpool"), "MaxPool", List.of(x), pooledShape(x, kernel, stride, pad),
                Attributes.ofInts("kernel_shape", kernel, kernel),
                Attributes.ofInts("strides", stride, stride),
                Attributes.ofInts("pads", pad, pad, pad, pad));
    }

    public String averagePool(String x, int kernel, int stride, int pad, boolean countIncludePad) {
        return addNode(nextNodeName("avgpool"), "AveragePool", List.of(x), pooledShape(x, kernel, stride, pad),
                Attributes.ofInts("kernel_shape", kernel, kernel),
                Attributes.ofInts("strides", stride, stride),
                Attributes.ofInts("pads", pad, pad, pad, pad),
                Attributes.ofInt("count_include_pad", countIncludePad ? 1 : 0));
    }

    public String globalAveragePool(String x) {
        return addNode(nextNodeName("gap"), "GlobalAveragePool", List.of(x), spatialMap(shape(x), size -> 1));
    }

    /** ReduceMean with axes as an attribute, the form valid up to opset 17. */
    public String reduceMean(String x, long[] axes, boolean keepDims) {
        requireMaximumOpset(17, "ReduceMean takes axes as an attribute");
        TensorShape in = shape(x);
        boolean[] reduced = axisMask(in, axes);
        List<Long> dims = new ArrayList<>();
        for (int i = 0; i < in.rank(); i++) {
            if (!reduced[i]) {
                dims.add(in.dim(i));
            } else if (keepDims) {
                dims.add(1L);
            }
        }
        return addNode(nextNodeName("reducemean"), "ReduceMean", List.of(x), shapeFrom(dims),
                Attributes.ofInts("axes", axes), Attributes.ofInt("keepdims", keepDims ? 1 : 0));
    }

    // ---------------------------------------------------------------- shape manipulation

    public String flatten(String x, int axis) {
        TensorShape in = shape(x);
        int split = axis < 0 ? axis + in.rank() : axis;
        TensorShape out = TensorShape.of(in.product(0, split), in.product(split, in.rank()));
        return addNode(nextNodeName("flatten"), "Flatten", List.of(x), out, Attributes.ofInt("axis", axis));
    }

    /** Reshape with ONNX semantics for the target: 0 copies the input dimension, -1 is inferred. */
    public String reshape(String x, long... targetShape) {
        String name = nextNodeName("reshape");
        String shapeTensor = int64Parameter(name + ".shape", targetShape);
        return addNode(name, "Reshape", List.of(x, shapeTensor), ReshapeInference.infer(shape(x), targetShape));
    }

    public String transpose(String x, int... perm) {
        TensorShape in = shape(x);
        long[] dims = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            dims[i] = in.dim(perm[i]);
        }
        return addNode(nextNodeName("transpose"), "Transpose", List.of(x), TensorShape.of(dims),
                Attributes.ofInts("perm", Arrays.stream(perm).asLongStream().toArray()));
    }

    /** Squeeze with axes as an input (opset 13 and later). */
    public String squeeze(String x, long... axes) {
        requireMinimumOpset(13, "Squeeze takes axes as an input");
        TensorShape in = shape(x);
        boolean[] removed = axisMask(in, axes);
        List<Long> dims = new ArrayList<>();
        for (int i = 0; i < in.rank(); i++) {
            if (!removed[i]) {
                dims.add(in.dim(i));
            }
        }
        String name = nextNodeName("squeeze");
        return addNode(name, "Squeeze", List.of(x, int64Parameter(name + ".axes", axes)), shapeFrom(dims));
    }

    /** Unsqueeze with axes as an input (opset 13 and later); axes refer to the output rank. */
    public String unsqueeze(String x, long... axes) {
        requireMinimumOpset(13, "Unsqueeze takes axes as an input");
        TensorShape in = shape(x);
        int outRank = in.rank() + axes.length;
        boolean[] inserted = axisMask(TensorShape.of(new long[outRank]), axes);
        long[] dims = new long[outRank];
        int next = 0;
        for (int i = 0; i < outRank; i++) {
            dims[i] = inserted[i] ? 1 : in.dim(next++);
        }
        String name = nextNodeName("unsqueeze");
        return addNode(name, "Unsqueeze", List.of(x, int64Parameter(name + ".axes", axes)), TensorShape.of(dims));
    }

    public String concat(int axis, String... xs) {
        TensorShape first = shape(xs[0]);
        long total = 0;
        for (String x : xs) {
            long size = shape(x).dim(axis);
            total = size < 0 || total < 0 ? TensorShape.UNKNOWN : total + size;
        }
        List<String> inputs = List.of(xs);
        return addNode(nextNodeName("concat"), "Concat", inputs, first.withDim(axis, total),
                Attributes.ofInt("axis", axis));
    }

    /** Split with the part sizes as an int64 input (opset 13 and later); returns one tensor per part. */
    public String[] split(String x, int axis, long... sizes) {
        requireMinimumOpset(13, "Split takes the sizes as an input");
        TensorShape in = shape(x);
        String name = nextNodeName("split");
        NodeProto.Builder node = NodeProto.newBuilder().setName(name).setOpType("Split")
                .addInput(x).addInput(int64Parameter(name + ".split", sizes))
                .addAttribute(Attributes.ofInt("axis", axis));
        String[] outputs = new String[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            outputs[i] = name + "_out" + i;
            node.addOutput(outputs[i]);
            shapes.put(outputs[i], in.withDim(axis, sizes[i]));
        }
        register(node.build());
        return outputs;
    }

    /** Slice along one axis with step 1, starts/ends/axes as int64 inputs (opset 10 and later). */
    public String slice(String x, int axis, long start, long end) {
        requireMinimumOpset(10, "Slice takes starts/ends/axes as inputs");
        TensorShape in = shape(x);
        long size = in.dim(axis);
        long length = size < 0 ? TensorShape.UNKNOWN : Math.max(0, clampIndex(end, size) - clampIndex(start, size));
        String name = nextNodeName("slice");
        List<String> inputs = List.of(x,
                int64Parameter(name + ".starts", start),
                int64Parameter(name + ".ends", end),
                int64Parameter(name + ".axes", axis));
        return addNode(name, "Slice", inputs, in.withDim(axis, length));
    }

    /** Constant zero padding; {@code pads} lists all begins, then all ends, as in ONNX (opset 11 and later). */
    public String pad(String x, long... pads) {
        requireMinimumOpset(11, "Pad takes pads as an input");
        TensorShape in = shape(x);
        if (pads.length != 2 * in.rank()) {
            throw new IllegalArgumentException("pad needs " + 2 * in.rank() + " values for shape " + in);
        }
        long[] dims = in.dims();
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] >= 0) {
                dims[i] += pads[i] + pads[i + dims.length];
            }
        }
        String name = nextNodeName("pad");
        return addNode(name, "Pad", List.of(x, int64Parameter(name + ".pads", pads)), TensorShape.of(dims),
                Attributes.ofString("mode", "constant"));
    }

    /** Einsum of one or two tensors (static shapes); opset 12 and later. */
    public String einsum(String equation, String... xs) {
        requireMinimumOpset(12, "Einsum");
        List<long[]> dims = java.util.Arrays.stream(xs).map(x -> shape(x).dims()).toList();
        String name = nextNodeName("einsum");
        return addNode(name, "Einsum", List.of(xs),
                TensorShape.of(io.shears.graph.EinsumEquation.resolve(equation, dims).outputDims()),
                Attributes.ofString("equation", equation));
    }

    /** Tile: every axis repeated {@code repeats} times (a dynamic axis must repeat once). */
    public String tile(String x, long... repeats) {
        TensorShape in = shape(x);
        long[] dims = in.dims();
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] >= 0) {
                dims[i] *= repeats[i];
            } else if (repeats[i] != 1) {
                throw new IllegalArgumentException("a dynamic axis repeats once");
            }
        }
        String name = nextNodeName("tile");
        return addNode(name, "Tile", List.of(x, int64Parameter(name + ".repeats", repeats)), TensorShape.of(dims));
    }

    /** Nearest-neighbour Resize of the spatial dims by {@code scale}; roi is left empty (opset 13 and later). */
    public String resize(String x, float scale) {
        requireMinimumOpset(13, "Resize with an empty roi input");
        TensorShape in = shape(x);
        float[] scales = new float[in.rank()];
        Arrays.fill(scales, 1f);
        for (int i = 2; i < scales.length; i++) {
            scales[i] = scale;
        }
        String name = nextNodeName("resize");
        String scalesTensor = floatParameter(name + ".scales", TensorShape.of(scales.length), scales);
        TensorShape out = spatialMap(in, size -> (long) Math.floor(size * (double) scale));
        return addNode(name, "Resize", List.of(x, "", scalesTensor), out, Attributes.ofString("mode", "nearest"));
    }

    public String identity(String x) {
        return unary("Identity", "identity", x);
    }

    /** Dropout as exported for inference: a single output, no ratio input, so it acts as Identity. */
    public String dropout(String x) {
        return unary("Dropout", "dropout", x);
    }

    // ---------------------------------------------------------------- fully connected

    public String gemm(String x, int outFeatures) {
        return gemm(x, outFeatures, true);
    }

    /** Gemm with bias; the weight is [N, K] with transB, as PyTorch exports Linear, else [K, N]. */
    public String gemm(String x, int outFeatures, boolean transB) {
        TensorShape in = shape(x);
        long inFeatures = in.dim(1);
        String name = nextNodeName("gemm");
        TensorShape weightShape = transB
                ? TensorShape.of(outFeatures, inFeatures)
                : TensorShape.of(inFeatures, outFeatures);
        String weight = floatParameter(name + ".weight", weightShape,
                sampler.weights(inFeatures * outFeatures, inFeatures));
        String bias = floatParameter(name + ".bias", TensorShape.of(outFeatures),
                sampler.biases(outFeatures, inFeatures));
        return addNode(name, "Gemm", List.of(x, weight, bias), TensorShape.of(in.dim(0), outFeatures),
                Attributes.ofInt("transB", transB ? 1 : 0));
    }

    /** MatMul by a [K, N] weight initializer, without bias. */
    public String matmul(String x, int outFeatures) {
        TensorShape in = shape(x);
        long inFeatures = in.dim(-1);
        String name = nextNodeName("matmul");
        String weight = floatParameter(name + ".weight", TensorShape.of(inFeatures, outFeatures),
                sampler.weights(inFeatures * outFeatures, inFeatures));
        return addNode(name, "MatMul", List.of(x, weight), in.withDim(-1, outFeatures));
    }

    /** MatMul of two activations ([..., M, K] by [..., K, N], same leading dimensions), as attention computes. */
    public String matmulOf(String a, String b) {
        TensorShape left = shape(a);
        return addNode(nextNodeName("matmul"), "MatMul", List.of(a, b), left.withDim(-1, shape(b).dim(-1)));
    }

    // ---------------------------------------------------------------- output

    public ModelProto build(int opset) {
        if (opset < minimumOpset) {
            throw new IllegalStateException("opset " + opset + " is too old: " + minimumOpsetReason
                    + " needs opset " + minimumOpset);
        }
        if (opset > maximumOpset) {
            throw new IllegalStateException("opset " + opset + " is too new: " + maximumOpsetReason
                    + " only up to opset " + maximumOpset);
        }
        if (graphOutputs.isEmpty()) {
            throw new IllegalStateException("graph " + graphName + " declares no output");
        }
        GraphProto graph = GraphProto.newBuilder()
                .setName(graphName)
                .addAllInput(graphInputs)
                .addAllOutput(graphOutputs)
                .addAllInitializer(initializers)
                .addAllNode(nodes)
                .build();
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(PRODUCER)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph)
                .build();
    }

    public byte[] buildBytes(int opset) {
        return build(opset).toByteArray();
    }

    // ---------------------------------------------------------------- internals

    private String convNode(String name, String x, String weight, int stride, int pad, int group, boolean bias) {
        TensorShape weightShape = shape(weight);
        long outChannels = weightShape.dim(0);
        long kernel = weightShape.dim(2);
        List<String> inputs = new ArrayList<>(List.of(x, weight));
        if (bias) {
            long fanIn = weightShape.product(1, weightShape.rank());
            inputs.add(floatParameter(name + ".bias", TensorShape.of(outChannels), sampler.biases(outChannels, fanIn)));
        }
        TensorShape out = spatialMap(shape(x).withDim(1, outChannels), size -> (size + 2L * pad - kernel) / stride + 1);
        return addNode(name, "Conv", inputs, out,
                Attributes.ofInts("kernel_shape", kernel, kernel),
                Attributes.ofInts("strides", stride, stride),
                Attributes.ofInts("pads", pad, pad, pad, pad),
                Attributes.ofInts("dilations", 1, 1),
                Attributes.ofInt("group", group));
    }

    private String randomConvWeight(String name, long outChannels, long inChannelsPerGroup, int kernel) {
        long fanIn = inChannelsPerGroup * kernel * kernel;
        return floatParameter(name, TensorShape.of(outChannels, inChannelsPerGroup, kernel, kernel),
                sampler.weights(outChannels * fanIn, fanIn));
    }

    private TensorShape pooledShape(String x, int kernel, int stride, int pad) {
        return spatialMap(shape(x), size -> (size + 2L * pad - kernel) / stride + 1);
    }

    /** Applies {@code sizeRule} to the known spatial dims (2 and up) of an NCHW shape. */
    private static TensorShape spatialMap(TensorShape in, LongUnaryOperator sizeRule) {
        long[] dims = in.dims();
        for (int i = 2; i < dims.length; i++) {
            dims[i] = dims[i] < 0 ? TensorShape.UNKNOWN : sizeRule.applyAsLong(dims[i]);
            if (dims[i] <= 0 && in.dim(i) >= 0) {
                throw new IllegalArgumentException("spatial size of " + in + " collapses to " + dims[i]);
            }
        }
        return TensorShape.of(dims);
    }

    private String unary(String opType, String kind, String x) {
        return addNode(nextNodeName(kind), opType, List.of(x), shape(x));
    }

    private String binary(String opType, String kind, String a, String b) {
        return addNode(nextNodeName(kind), opType, List.of(a, b), shape(a).broadcast(shape(b)));
    }

    private String addNode(String name, String opType, List<String> inputs, TensorShape outputShape,
                           AttributeProto... attributes) {
        String output = name + "_out";
        NodeProto node = NodeProto.newBuilder()
                .setName(name)
                .setOpType(opType)
                .addAllInput(inputs)
                .addOutput(output)
                .addAllAttribute(List.of(attributes))
                .build();
        shapes.put(output, outputShape);
        register(node);
        return output;
    }

    private void register(NodeProto node) {
        for (String input : node.getInputList()) {
            if (!input.isEmpty()) {
                shape(input);
            }
        }
        for (String output : node.getOutputList()) {
            producers.put(output, node);
        }
        nodes.add(node);
    }

    private String floatParameter(String name, TensorShape shape, float[] values) {
        return constantTensor(TensorProtos.floats(name, shape, values), shape);
    }

    private String int64Parameter(String name, long... values) {
        TensorShape shape = TensorShape.of(values.length);
        return constantTensor(TensorProtos.int64s(name, shape, values), shape);
    }

    private String constantTensor(TensorProto tensor, TensorShape shape) {
        String name = tensor.getName();
        requireNewTensorName(name);
        if (constantWeights) {
            NodeProto constant = NodeProto.newBuilder()
                    .setName(nextNodeName("constant"))
                    .setOpType("Constant")
                    .addOutput(name)
                    .addAttribute(Attributes.ofTensor("value", tensor))
                    .build();
            register(constant);
        } else {
            initializers.add(tensor);
        }
        shapes.put(name, shape);
        return name;
    }

    private String nextNodeName(String kind) {
        int index = nodeCounters.merge(kind, 1, Integer::sum) - 1;
        return kind + index;
    }

    private TensorShape shape(String tensor) {
        TensorShape shape = shapes.get(tensor);
        if (shape == null) {
            throw new IllegalArgumentException("unknown tensor '" + tensor + "' in graph " + graphName);
        }
        return shape;
    }

    private void requireNewTensorName(String name) {
        if (shapes.containsKey(name)) {
            throw new IllegalArgumentException("tensor name '" + name + "' is already used");
        }
    }

    private void requireMinimumOpset(int opset, String reason) {
        if (opset > minimumOpset) {
            minimumOpset = opset;
            minimumOpsetReason = reason;
        }
    }

    private void requireMaximumOpset(int opset, String reason) {
        if (opset < maximumOpset) {
            maximumOpset = opset;
            maximumOpsetReason = reason;
        }
    }

    private static void requireDivisible(long value, long divisor, String what) {
        if (divisor <= 0 || value % divisor != 0) {
            throw new IllegalArgumentException("cannot divide " + what + ": " + value + " / " + divisor);
        }
    }

    private static boolean[] axisMask(TensorShape shape, long[] axes) {
        boolean[] mask = new boolean[shape.rank()];
        for (long axis : axes) {
            mask[shape.normalizeAxis(Math.toIntExact(axis))] = true;
        }
        return mask;
    }

    private static long clampIndex(long index, long size) {
        long absolute = index < 0 ? index + size : index;
        return Math.max(0, Math.min(size, absolute));
    }

    private static TensorShape shapeFrom(List<Long> dims) {
        return TensorShape.of(dims.stream().mapToLong(Long::longValue).toArray());
    }

    private static ValueInfoProto floatValueInfo(String name, TensorShape shape) {
        TensorShapeProto.Builder shapeProto = TensorShapeProto.newBuilder();
        for (long dim : shape.dims()) {
            TensorShapeProto.Dimension.Builder dimension = TensorShapeProto.Dimension.newBuilder();
            if (dim == TensorShape.BATCH) {
                dimension.setDimParam("batch");
            } else if (dim >= 0) {
                dimension.setDimValue(dim);
            }
            shapeProto.addDim(dimension);
        }
        TypeProto.Tensor tensorType = TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE)
                .setShape(shapeProto)
                .build();
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder().setTensorType(tensorType))
                .build();
    }
}
