package io.shears.testing;

import static io.shears.testing.OnnxGraphBuilder.BATCH;

/**
 * Small models with the structures a channel pruner has to get right, one per factory. All take the same input,
 * {@link #INPUT_NAME} of shape [batch, 3, 16, 16] with a symbolic batch, and have one output. Factories return the
 * builder so the caller picks the opset: {@code TestGraphs.resnetBasicBlocks().buildBytes(13)}.
 */
public final class TestGraphs {
    public static final String INPUT_NAME = "input";
    public static final int INPUT_CHANNELS = 3;
    public static final int INPUT_SIZE = 16;
    public static final int CLASSES = 10;

    private static final long SEED = 20240611L;

    private TestGraphs() {
    }

    public static long[] inputShape(long batch) {
        return new long[] {batch, INPUT_CHANNELS, INPUT_SIZE, INPUT_SIZE};
    }

    /** Stem, one identity BasicBlock, one BasicBlock with a strided 1x1 downsample shortcut, classifier. */
    public static OnnxGraphBuilder resnetBasicBlocks() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("resnet_basic_blocks", SEED);
        String stem = convBnRelu(b, standardInput(b), 16, 3, 1);
        String identityBlock = basicBlock(b, stem, 16, 1);
        String downsampleBlock = basicBlock(b, identityBlock, 32, 2);
        return classifierHead(b, downsampleBlock);
    }

    /** One bottleneck (1x1 reduce, 3x3, 1x1 expand) whose output is added to its input. */
    public static OnnxGraphBuilder resnetBottleneck() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("resnet_bottleneck", SEED);
        String stem = convBnRelu(b, standardInput(b), 16, 3, 1);
        String y = convBnRelu(b, stem, 4, 1, 1);
        y = convBnRelu(b, y, 4, 3, 1);
        y = b.batchNorm(b.conv(y, 16, 1, 1, 0, 1, false));
        return classifierHead(b, b.relu(b.add(y, stem)));
    }

    /** MobileNetV2 blocks with ReLU6 as Clip: one with the residual Add, one strided block without. */
    public static OnnxGraphBuilder mobilenetInvertedResidual() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("mobilenet_inverted_residual", SEED);
        String stem = b.relu6(b.batchNorm(b.conv(standardInput(b), 8, 3, 1, 1, 1, false)));
        String residual = invertedResidual(b, stem, 6, 8, 1);
        String strided = invertedResidual(b, residual, 6, 16, 2);
        return classifierHead(b, strided);
    }

    /** Two dense layers that each concatenate their growth onto the running features, then a transition. */
    public static OnnxGraphBuilder denseNetConcat() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("densenet_concat", SEED);
        int growth = 8;
        String features = b.conv(standardInput(b), 16, 3, 1, 1, 1, false);
        features = b.concat(1, features, denseLayer(b, features, growth));
        features = b.concat(1, features, denseLayer(b, features, growth));
        String transition = b.conv(b.relu(b.batchNorm(features)), 16, 1, 1, 0, 1, false);
        transition = b.averagePool(transition, 2, 2, 0, false);
        return classifierHead(b, b.relu(b.batchNorm(transition)));
    }

    /** Squeeze-and-excitation: the features are scaled per channel by a gate computed from themselves. */
    public static OnnxGraphBuilder squeezeExcitation() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("squeeze_excitation", SEED);
        String features = convBnRelu(b, standardInput(b), 16, 3, 1);
        String gate = b.globalAveragePool(features);
        gate = b.relu(b.conv(gate, 4, 1, 1, 0, 1, true));
        gate = b.sigmoid(b.conv(gate, 16, 1, 1, 0, 1, true));
        String scaled = b.mul(features, gate);
        return classifierHead(b, b.conv(scaled, 16, 3, 1, 1, 1, true));
    }

    /** Uneven channel Split into two convs joined by Concat, and a channel Slice feeding its own conv. */
    public static OnnxGraphBuilder splitAndSlice() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("split_and_slice", SEED);
        String features = convBnRelu(b, standardInput(b), 16, 3, 1);
        String[] parts = b.split(features, 1, 6, 10);
        String joined = b.concat(1,
                b.conv(parts[0], 8, 3, 1, 1, 1, true),
                b.conv(parts[1], 8, 3, 1, 1, 1, true));
        String sliced = b.conv(b.slice(features, 1, 4, 12), 8, 3, 1, 1, 1, true);
        return classifierHead(b, b.concat(1, joined, sliced));
    }

    /** Feature maps tiled over space (channels stay put, prunable) and over channels (copied, so kept). */
    public static OnnxGraphBuilder tiledFeatures() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("tiled_features", SEED);
        String features = convBnRelu(b, standardInput(b), 16, 3, 2);
        String spatial = b.conv(b.tile(features, 1, 1, 2, 2), 16, 3, 2, 1, 1, true);
        String channels = b.conv(b.tile(b.conv(features, 8, 1, 1, 0, 1, true), 1, 2, 1, 1), 16, 3, 1, 1, 1, true);
        return classifierHead(b, b.add(spatial, channels));
    }

    /** Depthwise + pointwise pair, then a depthwise conv with channel multiplier 2 (group = C, out = 2C). */
    public static OnnxGraphBuilder depthwiseSeparable() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("depthwise_separable", SEED);
        String features = convBnRelu(b, standardInput(b), 8, 3, 1);
        String depthwise = b.relu(b.batchNorm(b.depthwiseConv(features, 3, 1, 1)));
        String pointwise = convBnRelu(b, depthwise, 16, 1, 1);
        String multiplied = b.relu(b.batchNorm(b.depthwiseConv(pointwise, 3, 2, 2)));
        return classifierHead(b, b.conv(multiplied, 16, 1, 1, 0, 1, true));
    }

    /** Conv features [16, 4, 4] flattened into a Gemm: each channel owns a block of 16 consecutive features. */
    public static OnnxGraphBuilder flattenGemm() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("flatten_gemm", SEED);
        String y = b.relu(b.conv(standardInput(b), 8, 3, 2, 1, 1, true));
        y = b.conv(y, 16, 3, 2, 1, 1, true);
        String hidden = b.relu(b.gemm(b.flatten(y, 1), 32));
        return b.output(b.gemm(hidden, CLASSES));
    }

    /** Flattened convolution features, two hidden fully connected layers and the classifier, as VGG's head has. */
    public static OnnxGraphBuilder classifierMlp() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("classifier_mlp", SEED);
        String y = b.relu(b.conv(standardInput(b), 8, 3, 2, 1, 1, true));
        y = b.relu(b.gemm(b.flatten(y, 1), 32));
        y = b.relu(b.gemm(y, 24));
        return b.output(b.gemm(y, CLASSES));
    }

    /**
     * A transformer-style MLP block on channels-last tokens: patch embedding, two MatMul projections around a SiLU,
     * a residual Add into the token stream, the mean over tokens and the classifier.
     */
    public static OnnxGraphBuilder tokenMlpBlock() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("token_mlp_block", SEED);
        String patches = b.conv(standardInput(b), 8, 4, 4, 0, 1, true);
        String tokens = b.transpose(b.reshape(patches, 0, 8, 16), 0, 2, 1);
        String hidden = b.matmul(tokens, 32);
        hidden = b.mul(hidden, b.sigmoid(hidden));
        String stream = b.add(tokens, b.matmul(hidden, 8));
        return b.output(b.gemm(b.reduceMean(stream, new long[] {1}, false), CLASSES));
    }

    /**
     * Self-attention in the hub style: tokens from a patch convolution, one fused qkv projection reshaped to
     * [batch, tokens, 3, heads, head width] and permuted so that q, k and v are [batch, heads, tokens, head width],
     * Q·Kᵀ scaled, softmax, A·V, heads merged back and an output projection, a residual Add and the classifier.
     */
    public static OnnxGraphBuilder fusedQkvAttention() {
        return attention("fused_qkv_attention", false);
    }

    /**
     * The same, but the fused projection is reshaped to [.., 3, head width, heads]: a head's channels are not next to
     * each other, so Shears keeps the attention's channels and names the node that stops it.
     */
    public static OnnxGraphBuilder interleavedHeadsAttention() {
        return attention("interleaved_heads_attention", true);
    }

    private static OnnxGraphBuilder attention(String name, boolean interleaved) {
        OnnxGraphBuilder b = new OnnxGraphBuilder(name, SEED);
        String patches = b.conv(standardInput(b), 16, 4, 4, 0, 1, true);
        String tokens = b.transpose(b.reshape(patches, 0, 16, 16), 0, 2, 1);
        String qkv = b.matmul(tokens, 48);
        String split = interleaved
                ? b.transpose(b.reshape(qkv, 0, 16, 3, 4, 4), 2, 0, 4, 1, 3)
                : b.transpose(b.reshape(qkv, 0, 16, 3, 4, 4), 2, 0, 3, 1, 4);
        String q = b.squeeze(b.slice(split, 0, 0, 1), 0);
        String k = b.squeeze(b.slice(split, 0, 1, 2), 0);
        String v = b.squeeze(b.slice(split, 0, 2, 3), 0);
        String scores = b.mulByScalar(b.matmulOf(q, b.transpose(k, 0, 1, 3, 2)), 0.5f);
        String mixed = b.matmulOf(b.softmax(scores, -1), v);
        String merged = b.reshape(b.transpose(mixed, 0, 2, 1, 3), 0, 16, 16);
        String stream = b.add(tokens, b.matmul(merged, 16));
        return b.output(b.gemm(b.reduceMean(stream, new long[] {1}, false), CLASSES));
    }

    /** Two pairs of convs sharing one weight initializer each; one pair meets in an Add, the other in a Concat. */
    public static OnnxGraphBuilder sharedWeights() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("shared_weights", SEED);
        String stem = convBnRelu(b, standardInput(b), 8, 3, 1);
        String first = b.conv(stem, 8, 3, 1, 1, 1, true);
        String second = b.convWithWeight(b.maxPool(stem, 3, 1, 1), b.weightOf(first), 1, 1, 1, true);
        String summed = b.add(first, second);
        String third = b.conv(summed, 8, 3, 1, 1, 1, false);
        String fourth = b.convWithWeight(b.relu(summed), b.weightOf(third), 1, 1, 1, false);
        return classifierHead(b, b.concat(1, third, fourth));
    }

    /** Conv-BN-ReLU-conv classifier whose parameters all live in Constant nodes, as PaddlePaddle exports them. */
    public static OnnxGraphBuilder paddleConstantWeights() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("paddle_constant_weights", SEED).constantWeights(true);
        String y = b.relu(b.batchNorm(b.conv(standardInput(b), 8, 3, 1, 1, 1, true)));
        return classifierHead(b, b.conv(y, 16, 3, 2, 1, 1, true));
    }

    /**
     * Conv weights reached through Identity nodes: one weight used only through its alias, and one used directly by
     * a conv and through an alias by another, which is how exporters write deduplicated initializers.
     */
    public static OnnxGraphBuilder identityAliasedWeights() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("identity_aliased_weights", SEED);
        String aliasOnly = b.identityAliasedWeight(b.convWeight(8, INPUT_CHANNELS, 3));
        String stem = b.relu(b.convWithWeight(standardInput(b), aliasOnly, 1, 1, 1, true));
        String direct = b.conv(stem, 16, 3, 1, 1, 1, true);
        String aliased = b.convWithWeight(b.maxPool(stem, 3, 1, 1), b.identityAliasedWeight(b.weightOf(direct)),
                1, 1, 1, true);
        return classifierHead(b, b.relu(b.add(direct, aliased)));
    }

    /** Per-channel Mul ([C,1,1]) and Add ([1,C,1,1]) constants and a per-channel PRelu between two convs. */
    public static OnnxGraphBuilder channelConstantOps() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("channel_constant_ops", SEED);
        String y = b.conv(standardInput(b), 8, 3, 1, 1, 1, true);
        y = b.prelu(b.addChannelConstant(b.mulByChannelConstant(y)));
        return classifierHead(b, b.conv(y, 16, 3, 1, 1, 1, true));
    }

    /** A group=2 conv: neither a plain conv nor depthwise, so channels are pruned per group. */
    public static OnnxGraphBuilder groupedConv() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("grouped_conv", SEED);
        String features = convBnRelu(b, standardInput(b), 8, 3, 1);
        String grouped = b.relu(b.batchNorm(b.conv(features, 16, 3, 1, 1, 2, false)));
        return classifierHead(b, b.conv(grouped, 16, 1, 1, 0, 1, true));
    }

    /** Every activation and element-wise op of the builder between convs; HardSwish needs opset 14. */
    public static OnnxGraphBuilder activationZoo() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("activation_zoo", SEED);
        String y = b.leakyRelu(b.conv(standardInput(b), 8, 3, 1, 1, 1, true), 0.1f);
        y = b.conv(y, 8, 3, 1, 1, 1, true);
        y = b.hardSwish(b.mul(y, b.hardSigmoid(y)));
        String activated = b.tanh(b.conv(y, 8, 3, 1, 1, 1, true));
        // The divisor is a sigmoid, so it stays strictly positive.
        String divided = b.div(activated, b.sigmoid(b.conv(activated, 8, 1, 1, 0, 1, true)));
        y = b.prelu(b.clip(b.sub(divided, activated), -1f, 1f));
        return classifierHead(b, b.conv(y, 16, 3, 1, 1, 1, true));
    }

    /** Every pooling, reshaping and fully connected op of the builder on one path; ReduceMean caps it at opset 17. */
    public static OnnxGraphBuilder shapeOpsZoo() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("shape_ops_zoo", SEED);
        String y = b.conv(standardInput(b), 8, 3, 2, 1, 1, true);
        y = b.convTranspose(y, 8, 2, 2, 0, true);
        y = b.maxPool(y, 3, 2, 1);
        y = b.pad(y, 0, 0, 1, 1, 0, 0, 1, 1);
        y = b.averagePool(y, 3, 1, 0, true);
        y = b.resize(y, 2f);
        y = b.averagePool(y, 3, 2, 1, false);
        y = b.dropout(b.identity(y));
        y = b.reduceMean(y, new long[] {2, 3}, true);
        y = b.unsqueeze(b.squeeze(y, 2, 3), 1);
        y = b.reshape(b.transpose(y, 0, 2, 1), -1, 8);
        y = b.gemm(b.matmul(y, 16), 12, false);
        return b.output(b.softmax(y, 1));
    }

    private static String standardInput(OnnxGraphBuilder b) {
        return b.input(INPUT_NAME, BATCH, INPUT_CHANNELS, INPUT_SIZE, INPUT_SIZE);
    }

    private static OnnxGraphBuilder classifierHead(OnnxGraphBuilder b, String features) {
        String pooled = b.flatten(b.globalAveragePool(features), 1);
        return b.output(b.gemm(pooled, CLASSES));
    }

    private static String convBnRelu(OnnxGraphBuilder b, String x, int outChannels, int kernel, int stride) {
        return b.relu(b.batchNorm(b.conv(x, outChannels, kernel, stride, kernel / 2, 1, false)));
    }

    private static String basicBlock(OnnxGraphBuilder b, String x, int outChannels, int stride) {
        String y = convBnRelu(b, x, outChannels, 3, stride);
        y = b.batchNorm(b.conv(y, outChannels, 3, 1, 1, 1, false));
        boolean shapeKept = stride == 1 && b.shapeOf(x)[1] == outChannels;
        String shortcut = shapeKept ? x : b.batchNorm(b.conv(x, outChannels, 1, stride, 0, 1, false));
        return b.relu(b.add(y, shortcut));
    }

    private static String invertedResidual(OnnxGraphBuilder b, String x, int expansion, int outChannels, int stride) {
        long inChannels = b.shapeOf(x)[1];
        String y = b.relu6(b.batchNorm(b.conv(x, Math.toIntExact(inChannels * expansion), 1, 1, 0, 1, false)));
        y = b.relu6(b.batchNorm(b.depthwiseConv(y, 3, stride, 1)));
        y = b.batchNorm(b.conv(y, outChannels, 1, 1, 0, 1, false));
        return stride == 1 && inChannels == outChannels ? b.add(x, y) : y;
    }

    /** BN-ReLU-Conv1x1 (4 x growth) - BN-ReLU-Conv3x3 (growth): the new features a dense layer contributes. */
    private static String denseLayer(OnnxGraphBuilder b, String x, int growth) {
        String y = b.conv(b.relu(b.batchNorm(x)), 4 * growth, 1, 1, 0, 1, false);
        return b.conv(b.relu(b.batchNorm(y)), growth, 3, 1, 1, 1, false);
    }
}
