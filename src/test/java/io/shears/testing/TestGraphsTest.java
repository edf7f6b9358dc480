package io.shears.testing;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TestGraphsTest {
    private static final int[] OPSETS = {13, 17};
    private static final long[] BATCHES = {1, 8};

    /** A factory, the output it must produce per sample and the oldest opset it may need. */
    private record Factory(String name, Supplier<OnnxGraphBuilder> builder, long[] perSampleOutput, int minimumOpset) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final long[] LOGITS = {TestGraphs.CLASSES};

    private static final List<Factory> FACTORIES = List.of(
            new Factory("resnetBasicBlocks", TestGraphs::resnetBasicBlocks, LOGITS, 13),
            new Factory("resnetBottleneck", TestGraphs::resnetBottleneck, LOGITS, 13),
            new Factory("mobilenetInvertedResidual", TestGraphs::mobilenetInvertedResidual, LOGITS, 13),
            new Factory("denseNetConcat", TestGraphs::denseNetConcat, LOGITS, 13),
            new Factory("squeezeExcitation", TestGraphs::squeezeExcitation, LOGITS, 13),
            new Factory("splitAndSlice", TestGraphs::splitAndSlice, LOGITS, 13),
            new Factory("depthwiseSeparable", TestGraphs::depthwiseSeparable, LOGITS, 13),
            new Factory("flattenGemm", TestGraphs::flattenGemm, LOGITS, 13),
            new Factory("sharedWeights", TestGraphs::sharedWeights, LOGITS, 13),
            new Factory("paddleConstantWeights", TestGraphs::paddleConstantWeights, LOGITS, 13),
            new Factory("identityAliasedWeights", TestGraphs::identityAliasedWeights, LOGITS, 13),
            new Factory("channelConstantOps", TestGraphs::channelConstantOps, LOGITS, 13),
            new Factory("groupedConv", TestGraphs::groupedConv, LOGITS, 13),
            new Factory("activationZoo", TestGraphs::activationZoo, LOGITS, 14),
            new Factory("shapeOpsZoo", TestGraphs::shapeOpsZoo, new long[] {12}, 13));

    static Stream<Arguments> factoriesAtOpsets() {
        return FACTORIES.stream().flatMap(factory -> Arrays.stream(OPSETS)
                .filter(opset -> opset >= factory.minimumOpset())
                .mapToObj(opset -> Arguments.of(factory, opset)));
    }

    static Stream<Factory> factories() {
        return FACTORIES.stream();
    }

    @ParameterizedTest(name = "{0} at opset {1}")
    @MethodSource("factoriesAtOpsets")
    void runsInOnnxRuntimeWithFiniteOutputsOfTheExpectedShape(Factory factory, int opset) {
        byte[] model = factory.builder().get().buildBytes(opset);

        for (long batch : BATCHES) {
            long[] inputShape = TestGraphs.inputShape(batch);
            Map<String, OrtRunner.Output> outputs = OrtRunner.runAll(model, OrtRunner.randomInput(batch, inputShape),
                    inputShape);

            assertThat(outputs).hasSize(1);
            OrtRunner.Output output = outputs.values().iterator().next();
            assertThat(output.shape()).as("output shape at batch %d", batch)
                    .containsExactly(withBatch(batch, factory.perSampleOutput()));
            assertThat(boxed(output.values())).as("outputs at batch %d", batch)
                    .allSatisfy(value -> assertThat(value).isFinite());
            assertThat(boxed(output.values())).as("outputs must not all be zero")
                    .anySatisfy(value -> assertThat(value).isNotZero());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void declaresTheOutputShapeOnnxRuntimeProduces(Factory factory) {
        ModelProto model = factory.builder().get().build(17);
        ValueInfoProto declared = model.getGraph().getOutput(0);

        long batch = 8;
        long[] inputShape = TestGraphs.inputShape(batch);
        long[] actual = OrtRunner.outputShape(model.toByteArray(), OrtRunner.randomInput(1, inputShape), inputShape);

        assertThat(concreteShape(declared, batch)).containsExactly(actual);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void everyNodeReadsOnlyTensorsDefinedBeforeIt(Factory factory) {
        ModelProto model = factory.builder().get().build(Math.max(13, factory.minimumOpset()));

        assertThat(GraphInvariants.violations(model)).isEmpty();
        assertThat(model.getIrVersion()).isEqualTo(8);
        assertThat(model.getProducerName()).isEqualTo("shears-tests");
        assertThat(model.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam())
                .isEqualTo("batch");
    }

    /** Exposes every intermediate tensor as an output so ONNX Runtime checks the builder's whole shape tracker. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void tracksTheShapeOfEveryIntermediateTensor(Factory factory) {
        OnnxGraphBuilder builder = factory.builder().get();
        ModelProto model = builder.build(17);
        GraphProto.Builder graph = model.getGraph().toBuilder();
        Set<String> declared = model.getGraph().getOutputList().stream().map(ValueInfoProto::getName)
                .collect(Collectors.toSet());
        model.getGraph().getNodeList().stream()
                .filter(node -> !node.getOpType().equals("Constant"))
                .flatMap(node -> node.getOutputList().stream())
                .filter(name -> !declared.contains(name))
                .forEach(name -> graph.addOutput(untypedFloat(name)));
        byte[] everything = model.toBuilder().setGraph(graph).build().toByteArray();

        long batch = 2;
        long[] inputShape = TestGraphs.inputShape(batch);
        Map<String, OrtRunner.Output> outputs = OrtRunner.runAll(everything, OrtRunner.randomInput(3, inputShape),
                inputShape);

        assertThat(outputs).hasSize(graph.getOutputCount());
        outputs.forEach((name, output) -> assertThat(output.shape()).as(name)
                .containsExactly(expectedShape(builder.shapeOf(name), output.shape(), batch)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void eachSampleOfABatchGivesTheSameResultAsAlone(Factory factory) {
        byte[] model = factory.builder().get().buildBytes(17);
        long[] batchShape = TestGraphs.inputShape(8);
        float[] batchInput = OrtRunner.randomInput(5, batchShape);
        int sampleSize = batchInput.length / 8;
        float[] lastSample = Arrays.copyOfRange(batchInput, 7 * sampleSize, batchInput.length);

        float[] batched = OrtRunner.run(model, batchInput, batchShape);
        float[] alone = OrtRunner.run(model, lastSample, TestGraphs.inputShape(1));

        float[] batchedLast = Arrays.copyOfRange(batched, 7 * alone.length, batched.length);
        assertThat(batchedLast).containsExactly(alone, within(1e-5f));
    }

    /**
     * Guards the weight scaling: if activations vanished, tests comparing outputs before and after pruning would
     * pass no matter what the pruner did.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void outputsDependOnTheInput(Factory factory) {
        byte[] model = factory.builder().get().buildBytes(17);
        long[] shape = TestGraphs.inputShape(1);

        float[] first = OrtRunner.run(model, OrtRunner.randomInput(1, shape), shape);
        float[] second = OrtRunner.run(model, OrtRunner.randomInput(2, shape), shape);

        double meanDifference = IntStream.range(0, first.length)
                .mapToDouble(i -> Math.abs(first[i] - second[i])).average().orElseThrow();
        assertThat(meanDifference).isGreaterThan(1e-3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void sameFactoryGivesIdenticalBytesAndOutputs(Factory factory) {
        byte[] first = factory.builder().get().buildBytes(17);
        byte[] second = factory.builder().get().buildBytes(17);
        long[] shape = TestGraphs.inputShape(1);
        float[] input = OrtRunner.randomInput(9, shape);

        assertThat(first).isEqualTo(second);
        assertThat(OrtRunner.run(first, input, shape)).containsExactly(OrtRunner.run(second, input, shape));
    }

    // ---------------------------------------------------------------- each factory has the structure it promises

    @Test
    void resnetBasicBlocksHaveIdentityAndStridedProjectionShortcuts() {
        GraphProto graph = TestGraphs.resnetBasicBlocks().build(13).getGraph();

        assertThat(opCount(graph, "Add")).isEqualTo(2);
        assertThat(graph.getNodeList()).anySatisfy(node -> {
            assertThat(node.getOpType()).isEqualTo("Conv");
            assertThat(ints(node, "kernel_shape")).containsExactly(1L, 1L);
            assertThat(ints(node, "strides")).containsExactly(2L, 2L);
        });
        assertThat(graph.getNodeList()).extracting(NodeProto::getOpType)
                .contains("GlobalAveragePool", "Flatten", "Gemm");
    }

    @Test
    void resnetBottleneckReducesThenExpandsAroundAResidualAdd() {
        GraphProto graph = TestGraphs.resnetBottleneck().build(13).getGraph();

        assertThat(opCount(graph, "Add")).isEqualTo(1);
        assertThat(weightShapes(graph, "Conv")).contains(List.of(4L, 16L, 1L, 1L), List.of(4L, 4L, 3L, 3L),
                List.of(16L, 4L, 1L, 1L));
    }

    @Test
    void mobilenetHasRelu6ClipsDepthwiseConvsAndOneResidual() {
        GraphProto graph = TestGraphs.mobilenetInvertedResidual().build(13).getGraph();

        assertThat(opCount(graph, "Clip")).isEqualTo(5);
        assertThat(opCount(graph, "Add")).isEqualTo(1);
        assertThat(graph.getNodeList()).filteredOn(node -> group(node) == 48).hasSize(2);
    }

    @Test
    void denseNetConcatenatesGrowthOnTheChannelAxis() {
        GraphProto graph = TestGraphs.denseNetConcat().build(13).getGraph();

        assertThat(graph.getNodeList()).filteredOn(node -> node.getOpType().equals("Concat"))
                .hasSize(2).allSatisfy(node -> assertThat(intAttribute(node, "axis")).isEqualTo(1));
        assertThat(opCount(graph, "AveragePool")).isEqualTo(1);
    }

    @Test
    void squeezeExcitationGatesTheFeaturesItPooled() {
        GraphProto graph = TestGraphs.squeezeExcitation().build(13).getGraph();

        assertThat(graph.getNodeList()).extracting(NodeProto::getOpType)
                .containsSubsequence("GlobalAveragePool", "Conv", "Relu", "Conv", "Sigmoid", "Mul");
    }

    @Test
    void splitAndSliceCutTheChannelAxis() {
        GraphProto graph = TestGraphs.splitAndSlice().build(13).getGraph();

        assertThat(graph.getNodeList()).filteredOn(node -> node.getOpType().equals("Split"))
                .singleElement().satisfies(node -> assertThat(node.getOutputCount()).isEqualTo(2));
        assertThat(opCount(graph, "Slice")).isEqualTo(1);
    }

    @Test
    void depthwiseSeparableHasADepthwiseConvWithChannelMultiplierTwo() {
        GraphProto graph = TestGraphs.depthwiseSeparable().build(13).getGraph();

        assertThat(weightShapes(graph, "Conv")).contains(List.of(8L, 1L, 3L, 3L), List.of(32L, 1L, 3L, 3L));
        assertThat(graph.getNodeList()).filteredOn(node -> group(node) == 16).hasSize(1);
    }

    @Test
    void flattenGemmFeedsSixteenChannelsOfFourByFourIntoTheGemm() {
        GraphProto graph = TestGraphs.flattenGemm().build(13).getGraph();

        assertThat(weightShapes(graph, "Gemm")).containsExactly(List.of(32L, 256L), List.of(10L, 32L));
    }

    @Test
    void sharedWeightsAreReadByTwoConvsEach() {
        GraphProto graph = TestGraphs.sharedWeights().build(13).getGraph();

        Map<String, Long> readers = graph.getNodeList().stream()
                .filter(node -> node.getOpType().equals("Conv"))
                .collect(Collectors.groupingBy(node -> node.getInput(1), Collectors.counting()));
        assertThat(readers.values()).filteredOn(count -> count == 2).hasSize(2);
    }

    @Test
    void paddleWeightsLiveInConstantNodesOnly() {
        GraphProto graph = TestGraphs.paddleConstantWeights().build(13).getGraph();

        assertThat(graph.getInitializerList()).isEmpty();
        assertThat(opCount(graph, "Constant")).isGreaterThanOrEqualTo(10);
    }

    @Test
    void identityAliasedWeightsReachConvsThroughIdentityNodes() {
        GraphProto graph = TestGraphs.identityAliasedWeights().build(13).getGraph();
        Set<String> initializers = graph.getInitializerList().stream().map(TensorProto::getName)
                .collect(Collectors.toSet());
        Map<String, NodeProto> producers = graph.getNodeList().stream()
                .collect(Collectors.toMap(node -> node.getOutput(0), node -> node));

        List<NodeProto> aliasedConvs = graph.getNodeList().stream()
                .filter(node -> node.getOpType().equals("Conv"))
                .filter(node -> producers.containsKey(node.getInput(1)))
                .toList();
        assertThat(aliasedConvs).hasSize(2).allSatisfy(conv -> {
            NodeProto alias = producers.get(conv.getInput(1));
            assertThat(alias.getOpType()).isEqualTo("Identity");
            assertThat(initializers).contains(alias.getInput(0));
        });
    }

    @Test
    void channelConstantsUseBothBroadcastRanks() {
        OnnxGraphBuilder builder = TestGraphs.channelConstantOps();
        GraphProto graph = builder.build(13).getGraph();

        assertThat(initializerDims(graph, "mul0.factor")).containsExactly(8L, 1L, 1L);
        assertThat(initializerDims(graph, "add0.offset")).containsExactly(1L, 8L, 1L, 1L);
        assertThat(initializerDims(graph, "prelu0.slope")).containsExactly(8L, 1L, 1L);
    }

    @Test
    void groupedConvUsesTwoGroups() {
        GraphProto graph = TestGraphs.groupedConv().build(13).getGraph();

        assertThat(graph.getNodeList()).filteredOn(node -> group(node) == 2).singleElement()
                .satisfies(node -> assertThat(initializerDims(graph, node.getInput(1)))
                        .containsExactly(16L, 4L, 3L, 3L));
    }

    @Test
    void activationZooCannotBeBuiltBeforeHardSwishExists() {
        assertThatThrownBy(() -> TestGraphs.activationZoo().build(13))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HardSwish");
    }

    @Test
    void shapeOpsZooCannotBeBuiltWhenReduceMeanTakesAxesAsInput() {
        assertThatThrownBy(() -> TestGraphs.shapeOpsZoo().build(18))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ReduceMean");
    }

    // ---------------------------------------------------------------- helpers

    private static long[] withBatch(long batch, long[] perSample) {
        long[] shape = new long[perSample.length + 1];
        shape[0] = batch;
        System.arraycopy(perSample, 0, shape, 1, perSample.length);
        return shape;
    }

    private static long[] concreteShape(ValueInfoProto declared, long batch) {
        return declared.getType().getTensorType().getShape().getDimList().stream()
                .mapToLong(dim -> dim.hasDimValue() ? dim.getDimValue()
                        : dim.getDimParam().equals("batch") ? batch : -1)
                .toArray();
    }

    /** Builder shape with the batch filled in; an UNKNOWN dimension accepts whatever ONNX Runtime produced. */
    private static long[] expectedShape(long[] tracked, long[] actual, long batch) {
        return IntStream.range(0, tracked.length)
                .mapToLong(i -> tracked[i] == OnnxGraphBuilder.BATCH ? batch
                        : tracked[i] == OnnxGraphBuilder.UNKNOWN && i < actual.length ? actual[i] : tracked[i])
                .toArray();
    }

    private static ValueInfoProto untypedFloat(String name) {
        TypeProto.Tensor tensor = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    private static long opCount(GraphProto graph, String opType) {
        return graph.getNodeList().stream().filter(node -> node.getOpType().equals(opType)).count();
    }

    private static List<List<Long>> weightShapes(GraphProto graph, String opType) {
        return graph.getNodeList().stream()
                .filter(node -> node.getOpType().equals(opType))
                .map(node -> initializerDims(graph, node.getInput(1)))
                .toList();
    }

    private static List<Long> initializerDims(GraphProto graph, String name) {
        return graph.getInitializerList().stream()
                .filter(tensor -> tensor.getName().equals(name))
                .findFirst()
                .map(TensorProto::getDimsList)
                .orElseThrow(() -> new AssertionError("no initializer " + name));
    }

    private static long group(NodeProto node) {
        return node.getOpType().equals("Conv") ? intAttribute(node, "group") : 0;
    }

    private static long intAttribute(NodeProto node, String name) {
        return node.getAttributeList().stream().filter(attribute -> attribute.getName().equals(name))
                .findFirst().orElseThrow().getI();
    }

    private static List<Long> ints(NodeProto node, String name) {
        return node.getAttributeList().stream().filter(attribute -> attribute.getName().equals(name))
                .findFirst().orElseThrow().getIntsList();
    }

    private static List<Float> boxed(float[] values) {
        List<Float> list = new ArrayList<>(values.length);
        for (float value : values) {
            list.add(value);
        }
        return list;
    }
}
