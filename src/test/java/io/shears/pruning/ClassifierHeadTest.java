package io.shears.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.graph.Graph;
import io.shears.testing.OnnxGraphBuilder;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClassifierHeadTest {
    /** SqueezeNet's classifier: a 1x1 Conv to the classes, Relu, GlobalAveragePool and Flatten. */
    private static ModelProto squeezeNetHead(boolean flatten) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("squeezenet_head", 3);
        String x = b.input("input", OnnxGraphBuilder.BATCH, 3, 8, 8);
        x = b.relu(b.conv(x, 16, 3, 1, 1, 1, true));
        String pooled = b.globalAveragePool(b.relu(b.conv(x, 10, 1, 1, 0, 1, true)));
        b.output(flatten ? b.flatten(pooled, 1) : pooled);
        return b.build(13);
    }

    @Test
    void findsTheOneByOneConvBehindGlobalAveragePoolAndItsWeights() {
        Graph graph = new Graph(squeezeNetHead(true));
        ClassifierHead head = ClassifierHead.find(graph);
        assertThat(head.node().op()).isEqualTo("Conv");
        assertThat(head.node().name()).isEqualTo("conv1");
        assertThat(head.classes()).isEqualTo(10);
        assertThat(head.fanIn()).isEqualTo(16);
        assertThat(head.storedInputs(graph)).containsExactly("conv1.weight", "conv1.bias");
    }

    @Test
    void theHeadThatReplacementGaveAModelIsTheOneFoundAfterwards() {
        ModelProto replaced = HeadReplacement.apply(squeezeNetHead(false), 4, HeadReplacement.Mode.AUTO, 3).model();
        Graph graph = new Graph(replaced);
        ClassifierHead head = ClassifierHead.find(graph);
        assertThat(head.classes()).isEqualTo(4);
        assertThat(HeadReplacement.declaredClasses(graph)).isEqualTo(4);
        assertThat(Arrays.stream(graph.weightDims(head.storedInputs(graph).get(0))).boxed().toList())
                .containsExactly(4L, 16L, 1L, 1L);
    }

    @Test
    void theClassCountIsAxisOneOfAClassifierShapeOnly() {
        assertThat(ClassifierHead.declaredClasses(List.of(-1L, 10L))).isEqualTo(10);
        assertThat(ClassifierHead.declaredClasses(List.of(1L, 1000L, 1L, 1L))).isEqualTo(1000);
        assertThat(ClassifierHead.declaredClasses(List.of(1L, 21L, 7L, 7L))).as("a segmentation map").isEqualTo(-1);
        assertThat(ClassifierHead.declaredClasses(List.of(1L, -1L))).as("a dynamic class axis").isEqualTo(-1);
        assertThat(ClassifierHead.declaredClasses(List.of(10L))).isEqualTo(-1);
        assertThat(ClassifierHead.declaredClasses(List.of())).isEqualTo(-1);
    }
}
