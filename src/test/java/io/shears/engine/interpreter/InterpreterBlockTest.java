package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.engine.Engines;
import io.shears.engine.NodeModel;
import io.shears.graph.OperatorRules;
import io.shears.onnx.InvalidModelException;
import io.shears.testing.OrtRunner;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.shears.engine.NodeModel.intsAttr;
import static io.shears.engine.NodeModel.stringAttr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the block refuses, and how, and the parts of the DJL Block contract it serves. */
class InterpreterBlockTest {
    private static final long[] X = {1, 3, 4, 4};

    @BeforeAll
    static void startEngine() {
        Engines.start();
    }

    @Test
    void anImageBatchLaidOutChannelsLastKeepsEveryValueAtItsIndex() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray nchw = manager.arange(2 * 3 * 4 * 5f).reshape(2, 3, 4, 5);
            NDArray nhwc = ForwardPass.channelsLast(nchw);
            assertThat(nhwc.getShape()).isEqualTo(nchw.getShape());
            assertThat(nhwc.toFloatArray()).containsExactly(nchw.toFloatArray());
            assertThat(nhwc.get(1, 2, 3, 4).getFloat()).isEqualTo(nchw.get(1, 2, 3, 4).getFloat());
        }
    }

    @Test
    void everyOperatorTheShapeRulesKnowHasAKernel() {
        assertThat(Kernels.supported()).containsAll(OperatorRules.supported());
    }

    @Test
    void anInterruptedThreadsPassStopsBeforeItsNextNodeAndKeepsTheFlag() {
        ModelProto model = TestGraphs.resnetBasicBlocks().build(13);
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager);
             NoGradScope noGrad = NoGradScope.open()) {
            NDArray x = manager.ones(new Shape(TestGraphs.inputShape(2)));
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> block.infer(new NDList(x)))
                        .isInstanceOf(java.util.concurrent.CancellationException.class)
                        .hasMessageContaining("interrupted before node");
                assertThat(Thread.currentThread().isInterrupted()).as("the flag stays for the caller").isTrue();
            } finally {
                Thread.interrupted();
            }
            assertThat(block.infer(new NDList(x)).head().getShape().get(0)).as("an uninterrupted pass runs")
                    .isEqualTo(2);
        }
    }

    private static void assertRefused(ModelProto model, String... messageParts) {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> new OnnxInterpreterBlock(model, manager))
                    .isInstanceOfSatisfying(InvalidModelException.class,
                            e -> assertThat(e.code()).isEqualTo("UNSUPPORTED_OPERATOR"))
                    .hasMessageContainingAll(messageParts);
        }
    }

    @Test
    void anOperatorWithoutAKernelIsRefusedByNodeAndOperator() {
        NodeModel m = new NodeModel(1, X);
        m.single("Det", List.of(NodeModel.INPUT));
        assertRefused(m.build(13), "'det_0'", "Det", "no interpreter kernel");
    }

    @Test
    void anOperatorOfAnotherDomainIsRefused() {
        ModelProto model = new NodeModel(1, X).single("Relu", List.of(NodeModel.INPUT)).build(13);
        ModelProto custom = model.toBuilder().setGraph(model.getGraph().toBuilder()
                .setNode(0, model.getGraph().getNode(0).toBuilder().setDomain("com.microsoft"))).build();
        assertRefused(custom, "com.microsoft.Relu");
    }

    @Test
    void unimplementedFormsOfKnownOperatorsAreRefusedWhenTheBlockIsBuilt() {
        NodeModel indices = new NodeModel(1, X);
        indices.node("MaxPool", List.of(NodeModel.INPUT), List.of("y", "i"), intsAttr("kernel_shape", 2, 2))
                .output("y");
        assertRefused(indices.build(13), "'maxpool_0'", "Indices");
        NodeModel pad = new NodeModel(2, X);
        pad.single("Pad", List.of(NodeModel.INPUT, pad.longs("pads", 0, 0, 1, 1, 0, 0, 1, 1)),
                stringAttr("mode", "mirror"));
        assertRefused(pad.build(13), "'pad_0'", "mirror");
    }

    @Test
    void antialiasedDownscalingIsRefusedWhenItRuns() {
        NodeModel m = new NodeModel(3, X);
        m.single("Resize", List.of(NodeModel.INPUT, "", m.floats("scales", new long[] {4}, 1, 1, 0.5f, 0.5f)),
                stringAttr("mode", "linear"), NodeModel.intAttr("antialias", 1));
        assertThatThrownBy(() -> Interpreter.run(m.build(18), OrtRunner.randomInput(1, X), X))
                .isInstanceOfSatisfying(InvalidModelException.class,
                        e -> assertThat(e.code()).isEqualTo("UNSUPPORTED_OPERATOR"))
                .hasMessageContaining("antialias");
    }

    @Test
    void aNodeThatFailsAtRunTimeIsNamed() {
        NodeModel m = new NodeModel(4, X);
        m.single("Reshape", List.of(NodeModel.INPUT, m.longs("shape", 5, -1)));
        assertThatThrownBy(() -> Interpreter.run(m.build(13), OrtRunner.randomInput(1, X), X))
                .isInstanceOfSatisfying(NodeExecutionException.class, e -> {
                    assertThat(e.nodeName()).isEqualTo("reshape_0");
                    assertThat(e.op()).isEqualTo("Reshape");
                })
                .hasMessageContaining("'reshape_0' (Reshape)");
    }

    @Test
    void outputShapesComeFromShapeInferenceAtTheGivenBatch() {
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(TestGraphs.shapeOpsZoo().build(13), manager)) {
            Shape[] shapes = block.getOutputShapes(new Shape[] {new Shape(TestGraphs.inputShape(5))});
            assertThat(shapes).containsExactly(new Shape(5, 12));
            assertThat(block.inputNames()).containsExactly(TestGraphs.INPUT_NAME);
            assertThat(block.outputNames()).hasSize(1);
        }
    }

    @Test
    void theWrongNumberOfInputsIsRefused() {
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(TestGraphs.flattenGemm().build(13), manager)) {
            NDArray x = manager.zeros(new Shape(TestGraphs.inputShape(1)));
            assertThatThrownBy(() -> block.infer(new NDList(x, x))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("takes 1 inputs");
        }
    }

    @Test
    void parametersAreTypedByRole() {
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(TestGraphs.channelConstantOps().build(13),
                     manager)) {
            assertThat(block.parameter("conv0.weight").getType()).isEqualTo(Parameter.Type.WEIGHT);
            assertThat(block.parameter("conv0.bias").getType()).isEqualTo(Parameter.Type.BIAS);
            assertThat(block.parameter("prelu0.slope").requiresGradient()).isTrue();
            assertThat(block.parameter("mul0.factor").requiresGradient()).isTrue();
            assertThat(block.parameter("gemm0.weight").getType()).isEqualTo(Parameter.Type.WEIGHT);
        }
        NodeModel m = new NodeModel(5, X);
        m.single("Clip", List.of(NodeModel.INPUT, m.scalar("low", 0f), m.scalar("high", 6f)));
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(m.build(13), manager)) {
            assertThat(block.parameter("low").requiresGradient()).as("a Clip bound is no weight").isFalse();
        }
    }
}
