package io.shears.pruning;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.shears.conformance.Fixtures;
import io.shears.onnx.TensorValues;
import io.shears.testing.OnnxGraphBuilder;
import io.shears.testing.OrtRunner;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeadReplacementTest {
    @Test
    void replacesTheGemmHeadOfAResnet() {
        ModelProto model = TestGraphs.resnetBasicBlocks().build(13);
        HeadReplacement.Result r = HeadReplacement.apply(model, 4, HeadReplacement.Mode.AUTO, 11);
        assertThat(r.replaced()).isTrue();
        assertThat(r.oldClasses()).isEqualTo(10);
        assertThat(r.newClasses()).isEqualTo(4);
        assertRunsWithClasses(r.model(), TestGraphs.inputShape(2), 4);
        Set<String> changed = assertOnlyHeadChanged(model, r.model());
        assertThat(changed).hasSize(2);
        TensorProto bias = initializers(r.model()).get(changed.stream().filter(n -> TensorValues.dims(
                initializers(r.model()).get(n)).length == 1).findFirst().orElseThrow());
        assertThat(TensorValues.floats(bias)).containsOnly(0f);
        assertThat(r.model().getGraph().getOutput(0).getType().getTensorType().getShape().getDim(1).getDimValue())
                .isEqualTo(4);
        // weights within PyTorch's default bound 1/sqrt(fan in = 32)
        TensorProto weight = initializers(r.model()).get(changed.stream().filter(n -> TensorValues.dims(
                initializers(r.model()).get(n)).length == 2).findFirst().orElseThrow());
        assertThat(TensorValues.dims(weight)).containsExactly(4, 32);
        for (float w : TensorValues.floats(weight)) {
            assertThat(Math.abs(w)).isLessThanOrEqualTo((float) (1 / Math.sqrt(32)));
        }
    }

    @Test
    void theSameSeedGivesTheSameBytesAndAnotherSeedOtherWeights() {
        ModelProto model = TestGraphs.resnetBasicBlocks().build(13);
        byte[] a = HeadReplacement.apply(model, 4, HeadReplacement.Mode.AUTO, 11).model().toByteArray();
        byte[] b = HeadReplacement.apply(model, 4, HeadReplacement.Mode.AUTO, 11).model().toByteArray();
        byte[] c = HeadReplacement.apply(model, 4, HeadReplacement.Mode.AUTO, 12).model().toByteArray();
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void autoAndKeepLeaveAMatchingModelAloneAndReplaceAlwaysReplaces() {
        ModelProto model = TestGraphs.resnetBasicBlocks().build(13);
        HeadReplacement.Result auto = HeadReplacement.apply(model, 10, HeadReplacement.Mode.AUTO, 1);
        assertThat(auto.replaced()).isFalse();
        assertThat(auto.model()).isSameAs(model);
        HeadReplacement.Result keep = HeadReplacement.apply(model, 10, HeadReplacement.Mode.KEEP, 1);
        assertThat(keep.replaced()).isFalse();
        HeadReplacement.Result replace = HeadReplacement.apply(model, 10, HeadReplacement.Mode.REPLACE, 1);
        assertThat(replace.replaced()).isTrue();
        assertThat(assertOnlyHeadChanged(model, replace.model())).hasSize(2);
        assertRunsWithClasses(replace.model(), TestGraphs.inputShape(1), 10);
        assertThat(HeadReplacement.Mode.parse(" Replace ")).isEqualTo(HeadReplacement.Mode.REPLACE);
        assertThatThrownBy(() -> HeadReplacement.Mode.parse("swap")).hasMessageContaining("auto, keep, replace");
    }

    @Test
    void keepWithAMismatchIsAClearError() {
        ModelProto model = TestGraphs.resnetBasicBlocks().build(13);
        assertThatThrownBy(() -> HeadReplacement.apply(model, 4, HeadReplacement.Mode.KEEP, 1))
                .isInstanceOfSatisfying(HeadReplacementException.class, e -> assertThat(e.code())
                        .isEqualTo(HeadReplacementException.DATASET_CLASSES_MISMATCH))
                .hasMessageContaining("4 classes").hasMessageContaining("outputs 10");
    }

    @Test
    void replacesAGemmWithAnUntransposedWeight() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("gemm_plain", 3);
        String x = b.input("input", OnnxGraphBuilder.BATCH, 3, 8, 8);
        b.output(b.gemm(b.flatten(b.globalAveragePool(b.conv(x, 6, 3, 1, 1, 1, true)), 1), 10, false));
        ModelProto model = b.build(13);
        HeadReplacement.Result r = HeadReplacement.apply(model, 7, HeadReplacement.Mode.AUTO, 5);
        assertRunsWithClasses(r.model(), new long[] {3, 3, 8, 8}, 7);
        assertThat(assertOnlyHeadChanged(model, r.model())).hasSize(2);
    }

    @Test
    void replacesTheHeadOfEveryTorchvisionFixtureIncludingSqueezenetsOneByOneConv() {
        int squeezenets = 0;
        for (Fixtures.Fixture f : Fixtures.all()) {
            ModelProto model = f.model();
            HeadReplacement.Result r = HeadReplacement.apply(model, 5, HeadReplacement.Mode.AUTO, 3);
            assertThat(r.replaced()).as(f.name()).isTrue();
            assertThat(r.oldClasses()).isEqualTo(f.outputShape()[1]);
            assertRunsWithClasses(r.model(), f.inputShape(2), 5);
            assertThat(assertOnlyHeadChanged(model, r.model())).as(f.name()).hasSize(2);
            assertThat(HeadReplacement.apply(model, 5, HeadReplacement.Mode.AUTO, 3).model().toByteArray())
                    .isEqualTo(r.model().toByteArray());
            if (f.arch().equals("squeezenet1_1")) {
                squeezenets++;
                String head = model.getGraph().getNodeList().stream().filter(n -> n.getName().equals(r.headNode()))
                        .findFirst().orElseThrow().getOpType();
                assertThat(head).isEqualTo("Conv");
            }
        }
        assertThat(squeezenets).isEqualTo(4);
    }

    @Test
    void replacesAHeadWhoseWeightsAreConstantNodes() {
        ModelProto model = TestGraphs.paddleConstantWeights().build(13);
        HeadReplacement.Result r = HeadReplacement.apply(model, 3, HeadReplacement.Mode.AUTO, 9);
        assertRunsWithClasses(r.model(), TestGraphs.inputShape(2), 3);
        assertThat(r.model().getGraph().getNodeCount()).as("the head's two Constant nodes removed")
                .isEqualTo(model.getGraph().getNodeCount() - 2);
        Map<String, NodeProto> constants = model.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Constant"))
                .collect(Collectors.toMap(n -> n.getOutput(0), Function.identity()));
        long kept = r.model().getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Constant"))
                .filter(n -> constants.get(n.getOutput(0)).toByteString().equals(n.toByteString())).count();
        assertThat(kept).isEqualTo(constants.size() - 2);
        assertThat(r.model().getGraph().getInitializerCount()).isEqualTo(model.getGraph().getInitializerCount() + 2);
    }

    @Test
    void replacesAMatMulWithItsBiasAdd() {
        SplittableRandom random = new SplittableRandom(1);
        float[] w = new float[6 * 10];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextDouble(-1, 1);
        }
        GraphProto g = GraphProto.newBuilder().setName("matmul_head")
                .addInput(valueInfo("x", 6)).addOutput(valueInfo("y", 10))
                .addInitializer(TensorValues.floatTensor("keep", new long[] {6}, new float[] {1, 2, 3, 4, 5, 6}))
                .addInitializer(TensorValues.floatTensor("w", new long[] {6, 10}, w))
                .addInitializer(TensorValues.floatTensor("b", new long[] {10}, new float[10]))
                .addNode(NodeProto.newBuilder().setName("scale").setOpType("Mul").addInput("x").addInput("keep")
                        .addOutput("s"))
                .addNode(NodeProto.newBuilder().setName("fc").setOpType("MatMul").addInput("s").addInput("w")
                        .addOutput("m"))
                .addNode(NodeProto.newBuilder().setName("fc_bias").setOpType("Add").addInput("b").addInput("m")
                        .addOutput("y"))
                .build();
        ModelProto model = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build();
        HeadReplacement.Result r = HeadReplacement.apply(model, 3, HeadReplacement.Mode.AUTO, 2);
        assertThat(r.headNode()).isEqualTo("fc");
        assertRunsWithClasses(r.model(), new long[] {4, 6}, 3);
        assertThat(assertOnlyHeadChanged(model, r.model())).containsExactlyInAnyOrder("w", "b");
        assertThat(TensorValues.dims(initializers(r.model()).get("w"))).containsExactly(6, 3);
    }

    private static ValueInfoProto valueInfo(String name, long features) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(
                        TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(features))))).build();
    }

    @Test
    void anOutputLayerShearsCannotIdentifyIsRefusedByName() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("conv3x3_head", 3);
        String x = b.input("input", OnnxGraphBuilder.BATCH, 3, 8, 8);
        b.output(b.flatten(b.globalAveragePool(b.conv(x, 10, 3, 1, 1, 1, true)), 1));
        ModelProto model = b.build(13);
        String conv = model.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv"))
                .findFirst().orElseThrow().getName();
        assertThatThrownBy(() -> HeadReplacement.apply(model, 4, HeadReplacement.Mode.AUTO, 1))
                .isInstanceOfSatisfying(HeadReplacementException.class, e -> assertThat(e.code())
                        .isEqualTo(HeadReplacementException.HEAD_NOT_IDENTIFIED))
                .hasMessageContaining(conv).hasMessageContaining("1x1");

        OnnxGraphBuilder residual = new OnnxGraphBuilder("add_head", 3);
        String in = residual.input("input", OnnxGraphBuilder.BATCH, 3, 8, 8);
        String pooled = residual.flatten(residual.globalAveragePool(in), 1);
        residual.output(residual.add(pooled, pooled));
        ModelProto addModel = residual.build(13);
        assertThatThrownBy(() -> HeadReplacement.apply(addModel, 4, HeadReplacement.Mode.REPLACE, 1))
                .isInstanceOf(HeadReplacementException.class).hasMessageContaining("Add");
    }

    private static void assertRunsWithClasses(ModelProto model, long[] inputShape, long classes) {
        float[] input = OrtRunner.randomInput(1, inputShape);
        long[] shape = OrtRunner.outputShape(model.toByteArray(), input, inputShape);
        assertThat(shape).containsExactly(inputShape[0], classes);
        for (float v : OrtRunner.run(model.toByteArray(), input, inputShape)) {
            assertThat(Float.isFinite(v)).isTrue();
        }
    }

    /** Asserts that every initializer but the changed ones is byte-identical; returns the changed names. */
    private static Set<String> assertOnlyHeadChanged(ModelProto before, ModelProto after) {
        Map<String, TensorProto> a = initializers(before);
        Map<String, TensorProto> b = initializers(after);
        Set<String> changed = b.keySet().stream().filter(n -> !a.containsKey(n)
                || !a.get(n).toByteString().equals(b.get(n).toByteString())).collect(Collectors.toSet());
        for (String name : a.keySet()) {
            if (!changed.contains(name)) {
                assertThat(b).as("initializer " + name + " kept").containsKey(name);
            }
        }
        assertThat(after.getGraph().getNodeCount()).isEqualTo(before.getGraph().getNodeCount());
        return changed;
    }

    private static Map<String, TensorProto> initializers(ModelProto m) {
        return m.getGraph().getInitializerList().stream()
                .collect(Collectors.toMap(TensorProto::getName, Function.identity()));
    }
}
