package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.conformance.Fixtures;
import io.shears.engine.Engines;
import io.shears.engine.Parity;
import io.shears.graph.Graph;
import io.shears.onnx.ModelWriter;
import io.shears.onnx.TensorValues;
import io.shears.testing.OnnxGraphBuilder;
import io.shears.testing.OrtRunner;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The block writes its parameters back into the ONNX model, and ONNX Runtime then computes what the block does. */
class WriteBackTest {
    private record Source(String name, Supplier<ModelProto> model, long[] inputShape) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void startEngine() {
        Engines.start();
    }

    static Stream<Source> models() {
        return Stream.of(
                new Source("resnetBasicBlocks", () -> TestGraphs.resnetBasicBlocks().build(13),
                        TestGraphs.inputShape(4)),
                new Source("paddleConstantWeights", () -> TestGraphs.paddleConstantWeights().build(13),
                        TestGraphs.inputShape(4)),
                new Source("identityAliasedWeights", () -> TestGraphs.identityAliasedWeights().build(13),
                        TestGraphs.inputShape(4)),
                new Source("shapeOpsZoo", () -> TestGraphs.shapeOpsZoo().build(13), TestGraphs.inputShape(4)),
                new Source("resnet18-op17-bnkeep", () -> fixture("resnet18-op17-bnkeep"), new long[] {4, 3, 64, 64}),
                new Source("mobilenet_v3_small-op13-bnkeep", () -> fixture("mobilenet_v3_small-op13-bnkeep"),
                        new long[] {4, 3, 64, 64}));
    }

    private static ModelProto fixture(String name) {
        return Fixtures.all().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow().model();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void withNothingChangedTheExportHasTheOriginalValues(Source source) {
        ModelProto model = source.model().get();
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
            ModelProto exported = block.exportModel();
            Graph before = new Graph(model);
            Graph after = new Graph(exported);
            for (String name : block.getParameters().keys()) {
                TensorProto original = before.weight(name);
                TensorProto written = after.weight(name);
                assertThat(written.getName()).isEqualTo(original.getName());
                assertThat(written.getDimsList()).as(name + " dims").isEqualTo(original.getDimsList());
                assertThat(written.getDataType()).isEqualTo(TensorProto.DataType.FLOAT_VALUE);
                assertThat(written.getRawData().size()).isEqualTo(4 * TensorValues.elementCount(original));
                assertThat(TensorValues.floats(written)).as(name).containsExactly(TensorValues.floats(original));
            }
            assertThat(exported.getGraph().getNodeCount()).isEqualTo(model.getGraph().getNodeCount());
        }
    }

    @Test
    void exportsOfTestGraphsWithNothingChangedAreByteIdentical() {
        for (OnnxGraphBuilder builder : new OnnxGraphBuilder[] {TestGraphs.resnetBasicBlocks(),
            TestGraphs.paddleConstantWeights(), TestGraphs.identityAliasedWeights()}) {
            ModelProto model = builder.build(13);
            try (NDManager manager = NDManager.newBaseManager();
                 OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
                assertThat(ModelWriter.toBytes(block.exportModel())).isEqualTo(ModelWriter.toBytes(model));
            }
        }
    }

    /**
     * Every trainable parameter is perturbed and a training-mode forward moves the BatchNorm statistics; the exported
     * model then gives in ONNX Runtime the logits the block gives.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void afterChangesOnnxRuntimeReproducesTheBlocksOutput(Source source) {
        ModelProto model = source.model().get();
        long[] shape = source.inputShape();
        float[] input = OrtRunner.randomInput(17, shape);
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
            NDArray x = manager.create(input, new Shape(shape));
            try (NoGradScope noGrad = NoGradScope.open()) {
                for (Parameter p : block.getParameters().values()) {
                    if (p.requiresGradient()) {
                        NDArray w = p.getArray();
                        w.addi(manager.randomNormal(w.getShape()).mul(0.05f).mul(w.abs().mean().add(1e-3f)));
                    }
                }
                block.forward(new ParameterStore(manager, false), new NDList(x), true);
            }
            float[] interpreted = block.infer(new NDList(x)).head().toFloatArray();
            ModelProto exported = block.exportModel();

            float[] original = OrtRunner.run(ModelWriter.toBytes(model), input, shape);
            assertThat(Parity.relativeError(interpreted, original)).as("the changes changed the logits")
                    .isGreaterThan(1e-3);
            float[] reference = OrtRunner.run(ModelWriter.toBytes(exported), input, shape);
            Parity.assertClose(interpreted, reference, source + " exported");
            for (Map.Entry<String, Parameter> e : blockRunningStatistics(block).entrySet()) {
                assertThat(TensorValues.floats(new Graph(exported).weight(e.getKey())))
                        .as("running statistic " + e.getKey()).containsExactly(e.getValue().getArray().toFloatArray());
            }
        }
    }

    private static Map<String, Parameter> blockRunningStatistics(OnnxInterpreterBlock block) {
        Map<String, Parameter> stats = new HashMap<>();
        for (Parameter p : block.getParameters().values()) {
            if (p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR) {
                stats.put(p.getName(), p);
            }
        }
        return stats;
    }

    /** DJL's own parameter files (saveParameters / loadParameters) carry the values, running statistics included. */
    @Test
    void djlParameterFilesRoundTrip() throws Exception {
        ModelProto model = TestGraphs.resnetBasicBlocks().build(13);
        long[] shape = TestGraphs.inputShape(2);
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        float[] trained;
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
            NDArray x = manager.create(OrtRunner.randomInput(3, shape), new Shape(shape));
            try (NoGradScope noGrad = NoGradScope.open()) {
                block.forward(new ParameterStore(manager, false), new NDList(x), true);
                block.parameter("gemm0.weight").getArray().muli(1.5f);
            }
            trained = block.infer(new NDList(x)).head().toFloatArray();
            block.saveParameters(new DataOutputStream(saved));
        }
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
            block.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(saved.toByteArray())));
            NDArray x = manager.create(OrtRunner.randomInput(3, shape), new Shape(shape));
            assertThat(block.infer(new NDList(x)).head().toFloatArray()).containsExactly(trained);
        }
    }

    @Test
    void constantNodeWeightsAreWrittenBackIntoTheirNodes() {
        ModelProto model = TestGraphs.paddleConstantWeights().build(13);
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
            Parameter weight = block.parameter("conv0.weight");
            assertThat(weight).isNotNull();
            try (NoGradScope noGrad = NoGradScope.open()) {
                weight.getArray().muli(2f);
            }
            ModelProto exported = block.exportModel();
            assertThat(exported.getGraph().getInitializerCount()).isZero();
            NodeProto constant = exported.getGraph().getNodeList().stream()
                    .filter(n -> n.getOutput(0).equals("conv0.weight")).findFirst().orElseThrow();
            assertThat(constant.getOpType()).isEqualTo("Constant");
            float[] written = TensorValues.floats(constant.getAttribute(0).getT());
            float[] doubled = TensorValues.floats(new Graph(model).weight("conv0.weight"));
            for (int i = 0; i < doubled.length; i++) {
                doubled[i] *= 2f;
            }
            assertThat(written).containsExactly(doubled);
        }
    }
}
