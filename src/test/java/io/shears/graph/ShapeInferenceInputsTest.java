package io.shears.graph;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.shears.onnx.InvalidModelException;
import io.shears.onnx.ModelProblem;
import io.shears.onnx.Protos;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.shears.onnx.Protos.DYNAMIC;
import static io.shears.onnx.Protos.attr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/** Where input shapes come from, and the named refusals of shape inference. */
class ShapeInferenceInputsTest {
    @Test
    void aDynamicBatchDefaultsToOne() {
        Shapes s = ShapeInference.infer(new Graph(TestGraphs.flattenGemm().build(13)), Map.of());

        assertThat(s.dims(TestGraphs.INPUT_NAME)).containsExactly(1, 3, 16, 16);
        assertThat(s.dims("gemm1_out")).containsExactly(1, 10);
    }

    @Test
    void theCallerShapeIsUsedByInputNameOrAsTheOnlyInput() {
        Graph graph = new Graph(TestGraphs.flattenGemm().build(13));

        assertThat(ShapeInference.infer(graph, Map.of("input", TestGraphs.inputShape(5))).dims("gemm1_out"))
                .containsExactly(5, 10);
        assertThat(ShapeInference.infer(graph, Map.of(ShapeInference.ONLY_INPUT, TestGraphs.inputShape(6)))
                .dims("gemm1_out")).containsExactly(6, 10);
    }

    @Test
    void aCallerShapeMayFillDynamicSpatialDimensions() {
        Net n = new Net(13, DYNAMIC, 3, DYNAMIC, DYNAMIC);
        String y = n.node("Conv", List.of("x", n.weight(4, 3, 3, 3)), Protos.ints("strides", 2, 2));

        Shapes s = ShapeInference.infer(new Graph(n.build(y)), Map.of("x", new long[] {2, 3, 33, 17}));

        assertThat(s.dims(y)).containsExactly(2, 4, 16, 8);
    }

    @Test
    void aDynamicNonBatchDimensionWithoutACallerShapeIsRefused() {
        Net n = new Net(13, DYNAMIC, 3, DYNAMIC, 16);
        String y = n.node("Relu", List.of("x"));

        assertRefused(n.build(y), Map.of(), ModelProblem.INPUT_SHAPE_REQUIRED, "'x'", "dimension 2");
    }

    @Test
    void aCallerShapeContradictingAFixedDimensionIsRefused() {
        ModelProto model = TestGraphs.flattenGemm().build(13);

        assertRefused(model, Map.of(ShapeInference.ONLY_INPUT, new long[] {1, 4, 16, 16}),
                ModelProblem.INPUT_SHAPE_MISMATCH, "'input'", "dimension 1", "3", "4");
        assertRefused(model, Map.of("input", new long[] {1, 3, 16, 15}),
                ModelProblem.INPUT_SHAPE_MISMATCH, "'input'", "dimension 3");
    }

    @Test
    void aCallerShapeOfTheWrongRankIsRefused() {
        assertRefused(TestGraphs.flattenGemm().build(13), Map.of("input", new long[] {1, 3, 16}),
                ModelProblem.INPUT_SHAPE_MISMATCH, "'input'", "rank 4", "rank 3");
    }

    @Test
    void aNegativeCallerDimensionIsRefused() {
        assertRefused(TestGraphs.flattenGemm().build(13), Map.of("input", new long[] {-2, 3, 16, 16}),
                ModelProblem.ABSURD_DIMENSION, "'input'");
    }

    @Test
    void theOnlyInputKeyDoesNotApplyWhenThereAreSeveralInputs() {
        Net n = new Net(13, 1, DYNAMIC).input(Protos.floatInfo("z", 1, 4));
        String y = n.node("Add", List.of("x", "z"));
        ModelProto model = n.build(y);

        assertRefused(model, Map.of(ShapeInference.ONLY_INPUT, new long[] {1, 4}),
                ModelProblem.INPUT_SHAPE_REQUIRED, "'x'");
        assertThat(ShapeInference.infer(new Graph(model), Map.of("x", new long[] {1, 4})).dims(y))
                .containsExactly(1, 4);
    }

    @Test
    void anUnknownOperatorWithoutDeclaredShapesIsRefusedByNodeAndOp() {
        Net n = new Net(13, 1, 3, 8, 8);
        String y = n.node("Relu", List.of("x"));
        n.raw(Protos.node("mystery_node", "FancyOp", List.of(y), List.of("fancy")));

        assertRefused(n.build("fancy"), Map.of(), ModelProblem.UNSUPPORTED_OPERATOR, "mystery_node", "FancyOp");
    }

    @Test
    void aCustomDomainOperatorIsRefusedWithItsDomain() {
        Net n = new Net(13, 1, 3, 8, 8);
        n.raw(NodeProto.newBuilder().setName("plugin").setOpType("Relu").setDomain("com.example")
                .addInput("x").addOutput("custom").build());

        assertRefused(n.build("custom"), Map.of(), ModelProblem.UNSUPPORTED_OPERATOR, "plugin", "com.example.Relu");
    }

    @Test
    void anUnknownOperatorWithDeclaredStaticShapesIsAcceptedAndInferenceGoesOn() {
        Net n = new Net(13, 1, 3, 8, 8);
        n.raw(NodeProto.newBuilder().setName("plugin").setOpType("Scale").setDomain("com.example")
                .addInput("x").addOutput("scaled").addOutput("stats").build());
        n.declare(Protos.floatInfo("scaled", 1, 3, 8, 8));
        n.declare(Protos.valueInfo("stats", Protos.INT64, 3));
        String conv = n.node("Conv", List.of("scaled", n.weight(5, 3, 3, 3)));
        ModelProto model = n.build(conv);

        Shapes s = ShapeInference.infer(new Graph(model), Map.of());

        assertThat(s.dims("scaled")).containsExactly(1, 3, 8, 8);
        assertThat(s.dims("stats")).containsExactly(3);
        assertThat(s.type("stats").elemType()).isEqualTo(Protos.INT64);
        assertThat(s.dims(conv)).containsExactly(1, 5, 6, 6);
    }

    @Test
    void aDeclaredGraphOutputShapeAlsoCounts() {
        Net n = new Net(13, 1, 3, 8, 8);
        n.raw(Protos.node("mystery_node", "FancyOp", List.of("x"), List.of("fancy")));
        ModelProto built = n.build();
        ModelProto model = built.toBuilder().setGraph(built.getGraph().toBuilder()
                .addOutput(Protos.floatInfo("fancy", 1, 7))).build();

        assertThat(ShapeInference.infer(new Graph(model), Map.of()).dims("fancy")).containsExactly(1, 7);
    }

    @Test
    void anUnknownOperatorWithOnlyPartlyStaticDeclaredShapesIsRefused() {
        Net n = new Net(13, 1, 3, 8, 8);
        n.raw(Protos.node("mystery_node", "FancyOp", List.of("x"), List.of("fancy")));
        n.declare(Protos.floatInfo("fancy", DYNAMIC, 3, 8, 8));
        ValueInfoProto untyped = ValueInfoProto.newBuilder().setName("other").build();
        n.raw(Protos.node("mystery_two", "FancyOp", List.of("x"), List.of("other")));
        n.declare(untyped);

        assertRefused(n.build("fancy"), Map.of(), ModelProblem.UNSUPPORTED_OPERATOR, "mystery_node", "FancyOp");
    }

    @Test
    void aConstantThatShearsCannotReadIsRefusedByName() {
        Net n = new Net(13, 1, 3);
        n.raw(NodeProto.newBuilder().setName("strings").setOpType("Constant").addOutput("s")
                .addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("value_strings")
                        .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.STRINGS)
                        .addStrings(com.google.protobuf.ByteString.copyFromUtf8("a"))).build());

        assertThatThrownBy(() -> new Graph(n.build("x")))
                .asInstanceOf(type(InvalidModelException.class))
                .satisfies(e -> {
                    assertThat(e.problem()).isEqualTo(ModelProblem.UNSUPPORTED_OPERATOR);
                    assertThat(e.getMessage()).contains("strings");
                });
    }

    @Test
    void anInputWithoutADeclaredShapeTakesTheCallerShapeAndOtherwiseNeedsOne() {
        ValueInfoProto noShape = ValueInfoProto.newBuilder().setName("x").setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(Protos.FLOAT))).build();
        ModelProto model = Protos.model(13, Protos.graph("g", List.of(noShape), List.of(Protos.floatInfo("y")))
                .addNode(Protos.node("relu", "Relu", List.of("x"), List.of("y"))).build());

        assertThat(ShapeInference.infer(new Graph(model), Map.of("x", new long[] {2, 5})).dims("y"))
                .containsExactly(2, 5);
        assertRefused(model, Map.of(), ModelProblem.INPUT_SHAPE_REQUIRED, "'x'");
    }

    @Test
    void aDeclaredScalarInputIsAScalar() {
        ValueInfoProto scalar = ValueInfoProto.newBuilder().setName("x").setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(Protos.FLOAT)
                        .setShape(TensorShapeProto.newBuilder()))).build();
        ModelProto model = Protos.model(13, Protos.graph("g", List.of(scalar), List.of(Protos.floatInfo("y")))
                .addNode(Protos.node("relu", "Relu", List.of("x"), List.of("y"))).build());

        assertThat(ShapeInference.infer(new Graph(model), Map.of()).dims("y")).isEmpty();
        assertRefused(model, Map.of("x", new long[] {2, 5}), ModelProblem.INPUT_SHAPE_MISMATCH, "'x'", "rank 0");
    }

    @Test
    void aDeclaredValueInfoWithoutShapeDoesNotCountAsStatic() {
        Net n = new Net(13, 1, 3, 8, 8);
        n.raw(Protos.node("mystery_node", "FancyOp", List.of("x"), List.of("fancy")));
        n.declare(Protos.untypedShape("fancy", Protos.FLOAT));
        String y = n.node("Relu", List.of("fancy"));

        assertRefused(n.build(y), Map.of(), ModelProblem.UNSUPPORTED_OPERATOR, "mystery_node", "FancyOp");
    }

    @Test
    void malformedAttributesAreRefusedAsFailedInference() {
        Net n = new Net(13, 1, 3, 8, 8);
        String y = n.node("Transpose", List.of("x"), Protos.ints("perm", 0, 1, 7, 2));

        assertRefused(n.build(y), Map.of(), ModelProblem.SHAPE_INFERENCE_FAILED, "transpose1");
    }

    @Test
    void inferenceFailsByNameWhenAWindowDoesNotFit() {
        Net n = new Net(13, 1, 3, 4, 4);
        String y = n.node("MaxPool", List.of("x"), Protos.ints("kernel_shape", 5, 5), attr("auto_pad", "VALID"));

        assertRefused(n.build(y), Map.of(), ModelProblem.SHAPE_INFERENCE_FAILED, "maxpool1", "does not fit");
    }

    private static void assertRefused(ModelProto model, Map<String, long[]> shapes, ModelProblem problem,
                                      String... culprits) {
        assertThatThrownBy(() -> ShapeInference.infer(new Graph(model), shapes))
                .asInstanceOf(type(InvalidModelException.class))
                .satisfies(e -> {
                    assertThat(e.problem()).as(e.getMessage()).isEqualTo(problem);
                    assertThat(e.code()).isEqualTo(problem.name());
                    assertThat(e.getMessage()).contains(culprits);
                });
    }
}
