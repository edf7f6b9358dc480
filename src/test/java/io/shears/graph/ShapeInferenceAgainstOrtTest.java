package io.shears.graph;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.shears.testing.OnnxGraphBuilder;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** For every TestGraphs factory at opset 13 and 17, batch 1 and 8: every tensor's inferred shape is ONNX Runtime's. */
class ShapeInferenceAgainstOrtTest {
    private record Factory(String name, Supplier<OnnxGraphBuilder> builder) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Factory[] FACTORIES = {
        new Factory("resnetBasicBlocks", TestGraphs::resnetBasicBlocks),
        new Factory("resnetBottleneck", TestGraphs::resnetBottleneck),
        new Factory("mobilenetInvertedResidual", TestGraphs::mobilenetInvertedResidual),
        new Factory("denseNetConcat", TestGraphs::denseNetConcat),
        new Factory("squeezeExcitation", TestGraphs::squeezeExcitation),
        new Factory("splitAndSlice", TestGraphs::splitAndSlice),
        new Factory("depthwiseSeparable", TestGraphs::depthwiseSeparable),
        new Factory("flattenGemm", TestGraphs::flattenGemm),
        new Factory("sharedWeights", TestGraphs::sharedWeights),
        new Factory("paddleConstantWeights", TestGraphs::paddleConstantWeights),
        new Factory("identityAliasedWeights", TestGraphs::identityAliasedWeights),
        new Factory("channelConstantOps", TestGraphs::channelConstantOps),
        new Factory("groupedConv", TestGraphs::groupedConv),
        new Factory("activationZoo", TestGraphs::activationZoo),
        new Factory("shapeOpsZoo", TestGraphs::shapeOpsZoo),
        new Factory("tiledFeatures", TestGraphs::tiledFeatures),
    };

    static Stream<Arguments> cases() {
        return Stream.of(FACTORIES).flatMap(f -> IntStream.of(13, 17)
                .filter(opset -> f.builder().get().supportsOpset(opset))
                .boxed()
                .flatMap(opset -> Stream.of(1L, 8L).map(batch -> Arguments.of(f, opset, batch))));
    }

    @ParameterizedTest(name = "{0} opset {1} batch {2}")
    @MethodSource("cases")
    void everyTensorHasTheShapeOnnxRuntimeGivesIt(Factory factory, int opset, long batch) {
        ModelProto model = factory.builder().get().build(opset);

        Shapes shapes = OrtShapes.assertMatchesOrt(model, TestGraphs.inputShape(batch));

        String output = model.getGraph().getOutput(0).getName();
        assertThat(shapes.dims(output)[0]).isEqualTo(batch);
        for (NodeProto node : model.getGraph().getNodeList()) {
            if (node.getOpType().equals("Conv")) {
                assertThat(shapes.dims(node.getOutput(0))[0]).isEqualTo(batch);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factoryList")
    void theInputNameWorksLikeOnlyInputAndADynamicBatchDefaultsToOne(Factory factory) {
        OnnxGraphBuilder builder = factory.builder().get();
        ModelProto model = builder.build(Math.max(14, builder.minimumOpset()));
        Graph graph = new Graph(model);

        Shapes byKey = ShapeInference.infer(graph, Map.of(ShapeInference.ONLY_INPUT, TestGraphs.inputShape(3)));
        Shapes byName = ShapeInference.infer(graph, Map.of(TestGraphs.INPUT_NAME, TestGraphs.inputShape(3)));
        Shapes byDefault = ShapeInference.infer(graph, Map.of());
        Shapes batchOne = ShapeInference.infer(graph, Map.of(ShapeInference.ONLY_INPUT, TestGraphs.inputShape(1)));

        for (NodeProto node : model.getGraph().getNodeList()) {
            for (String out : node.getOutputList()) {
                assertThat(byName.type(out)).as(out).isEqualTo(byKey.type(out));
                assertThat(byDefault.type(out)).as(out).isEqualTo(batchOne.type(out));
            }
        }
        String output = model.getGraph().getOutput(0).getName();
        assertThat(byKey.dims(output)[0]).isEqualTo(3);
        assertThat(byDefault.dims(output)[0]).isEqualTo(1);
    }

    static Stream<Factory> factoryList() {
        return Stream.of(FACTORIES);
    }
}
