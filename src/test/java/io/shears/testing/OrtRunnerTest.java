package io.shears.testing;

import ai.onnxruntime.OrtException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.shears.testing.OnnxGraphBuilder.BATCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class OrtRunnerTest {

    @Test
    void returnsEveryOutputByNameInGraphOrderWithItsShape() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("two_outputs", 1);
        String x = b.input("x", BATCH, 2, 3, 3);
        String features = b.conv(x, 4, 3, 1, 1, 1, true);
        b.output(b.relu(features)).output(b.flatten(b.globalAveragePool(features), 1));
        byte[] model = b.buildBytes(13);

        Map<String, OrtRunner.Output> outputs = OrtRunner.runAll(model, OrtRunner.randomInput(1, 5, 2, 3, 3),
                new long[] {5, 2, 3, 3});

        assertThat(outputs).containsOnlyKeys("relu0_out", "flatten0_out");
        assertThat(outputs.keySet()).containsExactly("relu0_out", "flatten0_out");
        assertThat(outputs.get("relu0_out").shape()).containsExactly(5, 4, 3, 3);
        assertThat(boxed(outputs.get("relu0_out").values())).hasSize(5 * 4 * 9)
                .allSatisfy(value -> assertThat(value).isGreaterThanOrEqualTo(0f));
        assertThat(outputs.get("flatten0_out").shape()).containsExactly(5, 4);
    }

    @Test
    void computesWhatTheModelSays() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("tanh", 1);
        b.output(b.tanh(b.input("x", 1, 4)));
        float[] input = {-2f, -0.5f, 0f, 3f};

        float[] output = OrtRunner.run(b.buildBytes(13), input, new long[] {1, 4});

        assertThat(output).containsExactly(new float[] {(float) Math.tanh(-2), (float) Math.tanh(-0.5), 0f,
                (float) Math.tanh(3)}, within(1e-6f));
        assertThat(OrtRunner.outputShape(b.buildBytes(13), input, new long[] {1, 4})).containsExactly(1, 4);
    }

    @Test
    void randomInputIsSeededAndBounded() {
        float[] input = OrtRunner.randomInput(42, 2, 3, 4);

        assertThat(input).hasSize(24).containsExactly(OrtRunner.randomInput(42, 2, 3, 4));
        assertThat(input).isNotEqualTo(OrtRunner.randomInput(43, 2, 3, 4));
        assertThat(boxed(input)).allSatisfy(value -> assertThat(value).isBetween(-1f, 1f));
    }

    @Test
    void reportsRuntimeFailuresWithTheOrtCause() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("fixed", 1);
        b.output(b.conv(b.input("x", 1, 3, 4, 4), 2, 3, 1, 1, 1, false));

        assertThatThrownBy(() -> OrtRunner.run(b.buildBytes(13), new float[2 * 4 * 4], new long[] {1, 2, 4, 4}))
                .isInstanceOf(IllegalStateException.class)
                .hasCauseInstanceOf(OrtException.class)
                .hasMessageContaining("[1, 2, 4, 4]");
    }

    @Test
    void survivesManySessionsWithoutLeakingNativeObjects() {
        byte[] model = TestGraphs.resnetBasicBlocks().buildBytes(13);
        long[] shape = TestGraphs.inputShape(1);
        float[] input = OrtRunner.randomInput(1, shape);
        float[] expected = OrtRunner.run(model, input, shape);

        for (int i = 0; i < 50; i++) {
            assertThat(OrtRunner.run(model, input, shape)).containsExactly(expected);
        }
    }

    private static List<Float> boxed(float[] values) {
        List<Float> list = new ArrayList<>(values.length);
        for (float value : values) {
            list.add(value);
        }
        return list;
    }
}
