package io.shears.graph;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.onnx.Protos;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static io.shears.onnx.Protos.DYNAMIC;
import static io.shears.onnx.Protos.attr;
import static io.shears.onnx.Protos.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** MACs, FLOPs and parameter counts against numbers computed by hand. */
class CostModelTest {
    private static CostReport analyze(ModelProto model, long... inputShape) {
        Graph graph = new Graph(model);
        return CostModel.analyze(graph, ShapeInference.infer(graph, Map.of(ShapeInference.ONLY_INPUT, inputShape)));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 4})
    void aSingleConvCostsNTimesCoutHoutWoutCinKhKw(long batch) {
        Net n = new Net(13, DYNAMIC, 3, 16, 16);
        String y = n.node("Conv", List.of("x", n.weight(8, 3, 3, 3), n.weight(8)), ints("pads", 1, 1, 1, 1));

        CostReport report = analyze(n.build(y), batch, 3, 16, 16);

        long macs = batch * 8 * 16 * 16 * 3 * 3 * 3;
        assertThat(report.macs()).isEqualTo(macs);
        assertThat(report.flops()).isEqualTo(2 * macs);
        assertThat(report.params()).isEqualTo(8 * 3 * 3 * 3 + 8);
        assertThat(report.layers()).singleElement().satisfies(layer -> {
            assertThat(layer.node()).isEqualTo("conv1");
            assertThat(layer.op()).isEqualTo("Conv");
            assertThat(layer.macs()).isEqualTo(macs);
            assertThat(layer.flops()).isEqualTo(2 * macs);
            assertThat(layer.params()).isEqualTo(224);
            assertThat(layer.outputShape()).isEqualTo(batch + "x8x16x16");
        });
    }

    @Test
    void aStridedDepthwiseConvCostsOneInputChannelPerFilter() {
        Net n = new Net(13, 1, 8, 16, 16);
        String y = n.node("Conv", List.of("x", n.weight(8, 1, 3, 3)), attr("group", 8L), ints("strides", 2, 2),
                ints("pads", 1, 1, 1, 1));

        CostReport report = analyze(n.build(y), 1, 8, 16, 16);

        assertThat(report.macs()).isEqualTo(8 * 8 * 8 * 9);
        assertThat(report.params()).isEqualTo(72);
    }

    @Test
    void aGroupedConvCostsCinOverGroupPerFilter() {
        Net n = new Net(13, 1, 8, 10, 10);
        String y = n.node("Conv", List.of("x", n.weight(12, 2, 3, 3)), attr("group", 4L));

        CostReport report = analyze(n.build(y), 1, 8, 10, 10);

        // out 12 x 8 x 8, each output reads 8 / 4 = 2 input channels of 3 x 3
        assertThat(report.macs()).isEqualTo(12 * 8 * 8 * 2 * 9);
    }

    @Test
    void convTransposeCostsEveryInputPixelTimesCoutKhKw() {
        Net n = new Net(13, DYNAMIC, 4, 5, 5);
        String y = n.node("ConvTranspose", List.of("x", n.weight(4, 3, 3, 3)), ints("strides", 2, 2));
        String grouped = n.node("ConvTranspose", List.of("x", n.weight(4, 2, 3, 3)), attr("group", 2L));

        CostReport report = analyze(n.build(y, grouped), 2, 4, 5, 5);

        long plain = 2L * 4 * 5 * 5 * 3 * 3 * 3;
        long groupedMacs = 2L * 4 * 5 * 5 * 2 * 3 * 3;
        assertThat(report.layers()).extracting(LayerCost::node, LayerCost::macs)
                .containsExactly(tuple("convtranspose1", plain), tuple("convtranspose2", groupedMacs));
        assertThat(report.macs()).isEqualTo(plain + groupedMacs);
    }

    @Test
    void gemmCostsMTimesKTimesNWithOrWithoutTransposes() {
        Net n = new Net(13, DYNAMIC, 64);
        String fc = n.node("Gemm", List.of("x", n.weight(10, 64), n.weight(10)), attr("transB", 1L));
        String t = n.node("Gemm", List.of(n.weight(10, 5), fc), attr("transA", 1L), attr("transB", 1L));

        CostReport report = analyze(n.build(fc, t), 2, 64);

        assertThat(report.layers()).extracting(LayerCost::node, LayerCost::macs, LayerCost::params)
                .containsExactly(tuple("gemm1", 2L * 64 * 10, 650L), tuple("gemm2", 5L * 10 * 2, 50L));
        assertThat(report.macs()).isEqualTo(1280 + 100);
        assertThat(report.params()).isEqualTo(700);
    }

    @Test
    void matMulCostsTheOutputTimesTheInnerDimension() {
        Net n = new Net(13, DYNAMIC, 3, 5);
        String y = n.node("MatMul", List.of("x", n.weight(5, 7)));
        String v = n.node("MatMul", List.of(y, n.weight(7)));

        CostReport report = analyze(n.build(y, v), 2, 3, 5);

        assertThat(report.layers()).extracting(LayerCost::macs).containsExactly(2L * 3 * 7 * 5, 2L * 3 * 7);
    }

    /** Attention's Q·Kᵀ and A·V, both operands activations, with heads broadcast against a shared key. */
    @Test
    void attentionMatMulsBetweenActivationsCountAsMacs() {
        Net n = new Net(13, DYNAMIC, 4, 17, 16);
        String keys = n.node("Transpose", List.of("x"), ints("perm", 0, 1, 3, 2));
        String scores = n.node("MatMul", List.of("x", keys));
        String shared = n.node("ReduceMean", List.of("x"), ints("axes", 1));
        String mixed = n.node("MatMul", List.of(scores, shared));

        CostReport report = analyze(n.build(mixed), 2, 4, 17, 16);

        assertThat(report.layers()).extracting(LayerCost::op, LayerCost::macs).containsExactly(
                org.assertj.core.groups.Tuple.tuple("MatMul", 2L * 4 * 17 * 17 * 16),
                org.assertj.core.groups.Tuple.tuple("MatMul", 2L * 4 * 17 * 16 * 17));
        assertThat(report.macs()).isEqualTo(2L * 2 * 4 * 17 * 17 * 16);
    }

    /** A contraction of two operands costs one MAC per combination of all labels; one operand only moves data. */
    @Test
    void einsumCostsItsContraction() {
        Net n = new Net(12, DYNAMIC, 4, 17, 16);
        String scores = n.node("Einsum", List.of("x", "x"), attr("equation", "bhqd,bhkd->bhqk"));
        String mixed = n.node("Einsum", List.of(scores, "x"), attr("equation", "bhqk,bhkd->bhqd"));
        String moved = n.node("Einsum", List.of(mixed), attr("equation", "bhqd->bqhd"));

        CostReport report = analyze(n.build(moved), 2, 4, 17, 16);

        assertThat(report.layers()).extracting(LayerCost::macs).containsExactly(2L * 4 * 17 * 17 * 16,
                2L * 4 * 17 * 17 * 16);
        assertThat(OrtShapes.assertMatchesOrt(n.build(moved), 2, 4, 17, 16).dims(moved))
                .containsExactly(2, 17, 4, 16);
    }

    @Test
    void otherOperatorsCostNoMacs() {
        Net n = new Net(13, DYNAMIC, 3, 8, 8);
        String y = n.node("Relu", List.of("x"));
        y = n.node("MaxPool", List.of(y), ints("kernel_shape", 2, 2), ints("strides", 2, 2));
        y = n.node("Add", List.of(y, n.weight(3, 1, 1)));
        y = n.node("GlobalAveragePool", List.of(y));

        CostReport report = analyze(n.build(y), 1, 3, 8, 8);

        assertThat(report.macs()).isZero();
        assertThat(report.params()).isEqualTo(3);
        assertThat(report.layers()).extracting(LayerCost::op, LayerCost::macs, LayerCost::params)
                .containsExactly(tuple("Add", 0L, 3L));
    }

    /**
     * resnetBasicBlocks at 16x16: stem 3->16, block 16->16 (two 3x3), block 16->32 stride 2 (two 3x3 and a 1x1
     * stride-2 shortcut), Gemm 32->10. Parameters are all stored float weights, BN statistics included.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 8})
    void resnetBasicBlocksByHand(long batch) {
        CostReport report = analyze(TestGraphs.resnetBasicBlocks().build(13), TestGraphs.inputShape(batch));

        long stem = 16L * 16 * 16 * 3 * 9;
        long block1 = 2 * (16L * 16 * 16 * 16 * 9);
        long block2a = 32L * 8 * 8 * 16 * 9;
        long block2b = 32L * 8 * 8 * 32 * 9;
        long shortcut = 32L * 8 * 8 * 16;
        long fc = 32L * 10;
        assertThat(report.macs()).isEqualTo(batch * (stem + block1 + block2a + block2b + shortcut + fc))
                .isEqualTo(batch * 2_208_064L);
        assertThat(report.flops()).isEqualTo(2 * report.macs());

        long convWeights = 16 * 3 * 9 + 2 * 16 * 16 * 9 + 32 * 16 * 9 + 32 * 32 * 9 + 32 * 16;
        long bn = 4 * (16 + 16 + 16 + 32 + 32 + 32);
        long gemm = 32 * 10 + 10;
        assertThat(report.params()).isEqualTo(convWeights + bn + gemm).isEqualTo(20_282);

        assertThat(report.layers().stream().filter(l -> l.op().equals("Conv")))
                .extracting(LayerCost::node, LayerCost::macs, LayerCost::outputShape)
                .containsExactly(
                        tuple("conv0", batch * stem, batch + "x16x16x16"),
                        tuple("conv1", batch * block1 / 2, batch + "x16x16x16"),
                        tuple("conv2", batch * block1 / 2, batch + "x16x16x16"),
                        tuple("conv3", batch * block2a, batch + "x32x8x8"),
                        tuple("conv4", batch * block2b, batch + "x32x8x8"),
                        tuple("conv5", batch * shortcut, batch + "x32x8x8"));
        assertThat(report.layers().stream().filter(l -> l.op().equals("BatchNormalization")))
                .extracting(LayerCost::macs).containsOnly(0L).hasSize(6);
        assertThat(report.layers().stream().mapToLong(LayerCost::macs).sum()).isEqualTo(report.macs());
        assertThat(report.layers().stream().mapToLong(LayerCost::params).sum()).isEqualTo(report.params());
    }

    @Test
    void constantNodeWeightsCountAsParameters() {
        CostReport paddle = analyze(TestGraphs.paddleConstantWeights().build(13), TestGraphs.inputShape(1));
        // conv 3->8 3x3 + bias, BN 4 x 8, conv 8->16 3x3 stride 2 + bias, Gemm 16->10 + bias
        long params = (8 * 3 * 9 + 8) + 4 * 8 + (16 * 8 * 9 + 16) + (16 * 10 + 10);
        long macs = 8L * 16 * 16 * 3 * 9 + 16L * 8 * 8 * 8 * 9 + 16 * 10;

        assertThat(paddle.params()).isEqualTo(params);
        assertThat(paddle.macs()).isEqualTo(macs);
    }

    @Test
    void aSharedWeightIsOneParameterTensorButCostsInEveryLayerThatUsesIt() {
        Graph graph = new Graph(TestGraphs.identityAliasedWeights().build(13));
        CostReport report = CostModel.analyze(graph, ShapeInference.infer(graph, Map.of()));

        // weight0 (8x3x3x3) used via an alias; conv1.weight (16x8x3x3) used directly and via an alias; 3 conv biases
        long convParams = 8 * 27 + 8 + 16 * 72 + 16 + 16;
        assertThat(report.params()).isEqualTo(convParams + 16 * 10 + 10);
        assertThat(report.layers().stream().filter(l -> l.op().equals("Conv")))
                .extracting(LayerCost::params).containsExactly(8L * 27 + 8, 16L * 72 + 16, 16L * 72 + 16);
        assertThat(report.layers()).noneMatch(l -> l.op().equals("Identity"));
    }

    @Test
    void integerInitializersAreNotParameters() {
        CostReport report = analyze(TestGraphs.splitAndSlice().build(13), TestGraphs.inputShape(1));
        ModelProto model = TestGraphs.splitAndSlice().build(13);
        long floats = model.getGraph().getInitializerList().stream()
                .filter(t -> t.getDataType() == Protos.FLOAT)
                .mapToLong(t -> t.getDimsList().stream().reduce(1L, Math::multiplyExact)).sum();
        long all = model.getGraph().getInitializerList().stream()
                .mapToLong(t -> t.getDimsList().stream().reduce(1L, Math::multiplyExact)).sum();

        assertThat(all).isGreaterThan(floats);
        assertThat(report.params()).isEqualTo(floats);
    }
}
