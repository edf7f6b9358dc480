package io.shears.graph;

import io.shears.conformance.Fixtures;
import io.shears.conformance.Fixtures.Fixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transformer-style fixtures (ViT, ConvNeXt, Swin, and the hub-style fused-qkv ViT, DeiT and Mixer;
 * LayerNormalization whole at opset 17, decomposed at 13): every
 * intermediate shape against ONNX Runtime at batch 1 and 8, the shape sub-graphs that feed Expand and Reshape folded,
 * and attention's activation-by-activation MatMuls counted.
 */
class TransformerFixturesTest {
    static Stream<Arguments> fixturesAndBatches() {
        return Stream.concat(Fixtures.transformers().stream(), Fixtures.hub().stream())
                .flatMap(f -> Stream.of(Arguments.of(f, 1L), Arguments.of(f, 8L)));
    }

    @ParameterizedTest(name = "{0} batch {1}")
    @MethodSource("fixturesAndBatches")
    void everyIntermediateShapeMatchesOnnxRuntime(Fixture fixture, long batch) {
        Shapes shapes = OrtShapes.assertMatchesOrt(fixture.model(), fixture.inputShape(batch));

        Graph graph = new Graph(fixture.model());
        assertThat(shapes.dims(graph.outputs().get(0))).containsExactly(fixture.outputShape(batch));
    }

    @ParameterizedTest(name = "{0} batch {1}")
    @MethodSource("fixturesAndBatches")
    void macsGrowWithTheBatch(Fixture fixture, long batch) {
        Graph graph = new Graph(fixture.model());
        long one = CostModel.analyze(graph, OrtShapes.infer(fixture.model(), fixture.inputShape(1))).macs();
        long many = CostModel.analyze(graph, OrtShapes.infer(fixture.model(), fixture.inputShape(batch))).macs();

        assertThat(one).isPositive();
        assertThat(many).isEqualTo(one * batch);
    }
}
