package io.shears.testing;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OrtException;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.shears.testing.OnnxGraphBuilder.BATCH;
import static io.shears.testing.OnnxGraphBuilder.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OnnxGraphBuilderTest {

    @Test
    void namesNodesPerKindAndTensorsAfterTheirNode() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("names", 1);
        String x = b.input("x", BATCH, 3, 8, 8);
        String first = b.conv(x, 4, 3, 1, 1, 1, true);
        String normalized = b.batchNorm(first);
        String second = b.conv(normalized, 4, 3, 1, 1, 1, false);
        GraphProto graph = b.output(second).build(13).getGraph();

        assertThat(first).isEqualTo("conv0_out");
        assertThat(normalized).isEqualTo("bn0_out");
        assertThat(second).isEqualTo("conv1_out");
        assertThat(graph.getNodeList()).extracting(NodeProto::getName).containsExactly("conv0", "bn0", "conv1");
        assertThat(graph.getInitializerList()).extracting(TensorProto::getName).containsExactly(
                "conv0.weight", "conv0.bias", "bn0.scale", "bn0.bias", "bn0.mean", "bn0.var", "conv1.weight");
        assertThat(b.weightOf(second)).isEqualTo("conv1.weight");
    }

    @Test
    void storesWeightsAsLittleEndianRawFloatsKaimingScaledByFanIn() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("weights", 7);
        b.output(b.conv(b.input("x", 1, 8, 4, 4), 16, 3, 1, 1, 1, false));
        TensorProto weight = b.build(13).getGraph().getInitializer(0);

        float[] values = decodeFloats(weight);
        double bound = Math.sqrt(6.0 / (8 * 3 * 3));
        assertThat(weight.getDataType()).isEqualTo(TensorProto.DataType.FLOAT_VALUE);
        assertThat(weight.getFloatDataCount()).isZero();
        assertThat(weight.getDimsList()).containsExactly(16L, 8L, 3L, 3L);
        assertThat(values).hasSize(16 * 8 * 9);
        assertThat(boxed(values)).allSatisfy(value -> assertThat(Math.abs(value)).isLessThanOrEqualTo((float) bound));
        assertThat(boxed(values)).anySatisfy(value -> assertThat(Math.abs(value)).isGreaterThan((float) bound / 2));
    }

    @Test
    void batchNormVarianceIsPositive() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("bn", 3);
        b.output(b.batchNorm(b.input("x", 1, 64, 2, 2)));
        TensorProto variance = b.build(13).getGraph().getInitializerList().stream()
                .filter(tensor -> tensor.getName().equals("bn0.var")).findFirst().orElseThrow();

        assertThat(boxed(decodeFloats(variance))).hasSize(64).allSatisfy(value -> assertThat(value).isPositive());
    }

    @Test
    void seedDecidesTheWeights() {
        assertThat(oneConv(5).toByteArray()).isEqualTo(oneConv(5).toByteArray());
        assertThat(oneConv(5).toByteArray()).isNotEqualTo(oneConv(6).toByteArray());
    }

    @Test
    void declaresTheSymbolicBatchAndLeavesDerivedDimensionsBlank() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("dims", 1);
        String x = b.input("x", BATCH, 4, 2, 2);
        b.output(b.flatten(x, 2));
        ModelProto model = b.build(13);

        assertThat(dims(model.getGraph().getInput(0))).extracting(TensorShapeProto.Dimension::getDimParam)
                .containsExactly("batch", "", "", "");
        List<TensorShapeProto.Dimension> output = dims(model.getGraph().getOutput(0));
        assertThat(output.get(0).hasDimValue() || output.get(0).hasDimParam()).isFalse();
        assertThat(output.get(1).getDimValue()).isEqualTo(4);
    }

    @Test
    void computesShapesOfStridedPaddedAndTransposedConvs() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("shapes", 1);
        String x = b.input("x", BATCH, 3, 15, 15);

        assertThat(b.shapeOf(b.conv(x, 8, 3, 2, 1, 1, false))).containsExactly(BATCH, 8, 8, 8);
        assertThat(b.shapeOf(b.conv(x, 6, 5, 1, 0, 3, false))).containsExactly(BATCH, 6, 11, 11);
        assertThat(b.shapeOf(b.convTranspose(x, 4, 4, 2, 1, false))).containsExactly(BATCH, 4, 30, 30);
        assertThat(b.shapeOf(b.maxPool(x, 2, 2, 0))).containsExactly(BATCH, 3, 7, 7);
        assertThat(b.shapeOf(b.resize(x, 2f))).containsExactly(BATCH, 3, 30, 30);
    }

    @Test
    void computesShapesOfChannelAndReshapingOps() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("shapes", 1);
        String x = b.input("x", BATCH, 12, 4, 4);

        String[] parts = b.split(x, 1, 5, 7);
        assertThat(b.shapeOf(parts[0])).containsExactly(BATCH, 5, 4, 4);
        assertThat(b.shapeOf(parts[1])).containsExactly(BATCH, 7, 4, 4);
        assertThat(b.shapeOf(b.slice(x, 1, 2, -1))).containsExactly(BATCH, 9, 4, 4);
        assertThat(b.shapeOf(b.slice(x, 1, 8, Long.MAX_VALUE))).containsExactly(BATCH, 4, 4, 4);
        assertThat(b.shapeOf(b.concat(1, x, parts[0]))).containsExactly(BATCH, 17, 4, 4);
        assertThat(b.shapeOf(b.flatten(x, 1))).containsExactly(BATCH, 192);
        assertThat(b.shapeOf(b.reshape(x, -1, 192))).containsExactly(BATCH, 192);
        assertThat(b.shapeOf(b.reshape(x, -1, 48))).containsExactly(UNKNOWN, 48);
        assertThat(b.shapeOf(b.reshape(x, 0, -1))).containsExactly(BATCH, 192);
        assertThat(b.shapeOf(b.reshape(x, 0, 3, 4, 16))).containsExactly(BATCH, 3, 4, 16);
        assertThat(b.shapeOf(b.reshape(x, -1))).containsExactly(UNKNOWN);
        assertThat(b.shapeOf(b.transpose(x, 0, 2, 3, 1))).containsExactly(BATCH, 4, 4, 12);
        assertThat(b.shapeOf(b.unsqueeze(x, 0, 5))).containsExactly(1, BATCH, 12, 4, 4, 1);
        assertThat(b.shapeOf(b.squeeze(b.globalAveragePool(x), 2, 3))).containsExactly(BATCH, 12);
        assertThat(b.shapeOf(b.reduceMean(x, new long[] {1}, false))).containsExactly(BATCH, 4, 4);
        assertThat(b.shapeOf(b.pad(x, 0, 0, 1, 2, 0, 0, 3, 4))).containsExactly(BATCH, 12, 8, 10);
    }

    @Test
    void constantModePutsEveryParameterInAConstantNodeBeforeItsReader() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("paddle", 1).constantWeights(true);
        String x = b.input("x", BATCH, 3, 4, 4);
        b.output(b.reshape(b.batchNorm(b.conv(x, 4, 3, 1, 1, 1, true)), 0, -1));
        ModelProto model = b.build(13);

        assertThat(model.getGraph().getInitializerList()).isEmpty();
        assertThat(model.getGraph().getNodeList()).filteredOn(node -> node.getOpType().equals("Constant"))
                .extracting(node -> node.getOutput(0))
                .containsExactly("conv0.weight", "conv0.bias", "bn0.scale", "bn0.bias", "bn0.mean", "bn0.var",
                        "reshape0.shape");
        assertThat(GraphInvariants.violations(model)).isEmpty();
    }

    @Test
    void rejectsTensorsItDoesNotKnowAndImpossibleGroups() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("errors", 1);
        String x = b.input("x", 1, 6, 4, 4);

        assertThatThrownBy(() -> b.relu("nowhere")).hasMessageContaining("unknown tensor 'nowhere'");
        assertThatThrownBy(() -> b.conv(x, 8, 3, 1, 1, 4, false)).hasMessageContaining("group");
        assertThatThrownBy(() -> b.input("x", 1)).hasMessageContaining("already used");
        assertThatThrownBy(() -> b.build(13)).hasMessageContaining("no output");
    }

    @Test
    void inconsistentSharedWeightFailsInOnnxRuntime() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("broken", 1);
        String x = b.input("x", 1, 3, 8, 8);
        String wide = b.conv(x, 8, 3, 1, 1, 1, false);
        // The weight expects 3 input channels but the second conv reads 8.
        b.output(b.convWithWeight(wide, b.weightOf(wide), 1, 1, 1, false));
        byte[] model = b.buildBytes(13);

        assertThatThrownBy(() -> OrtRunner.run(model, new float[3 * 8 * 8], new long[] {1, 3, 8, 8}))
                .isInstanceOf(IllegalStateException.class)
                .hasCauseInstanceOf(OrtException.class);
    }

    @Test
    void writesTheModelHeaderTestsRelyOn() {
        ModelProto model = oneConv(1);

        assertThat(model.getIrVersion()).isEqualTo(8);
        assertThat(model.getProducerName()).isEqualTo("shears-tests");
        assertThat(model.getOpsetImportList()).singleElement().satisfies(opset -> {
            assertThat(opset.getDomain()).isEmpty();
            assertThat(opset.getVersion()).isEqualTo(11);
        });
    }

    private static ModelProto oneConv(long seed) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("one_conv", seed);
        return b.output(b.conv(b.input("x", 1, 3, 4, 4), 2, 3, 1, 1, 1, true)).build(11);
    }

    private static float[] decodeFloats(TensorProto tensor) {
        FloatBuffer buffer = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    private static List<TensorShapeProto.Dimension> dims(ValueInfoProto value) {
        return value.getType().getTensorType().getShape().getDimList();
    }

    private static List<Float> boxed(float[] values) {
        List<Float> list = new ArrayList<>(values.length);
        for (float value : values) {
            list.add(value);
        }
        return list;
    }
}
