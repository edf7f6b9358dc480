package io.shears.testing;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

import static io.shears.testing.OnnxGraphBuilder.BATCH;
import static org.assertj.core.api.Assertions.assertThat;

class GraphInvariantsTest {

    @Test
    void acceptsABuiltModelIncludingOptionalEmptyInputs() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("valid", 1);
        b.output(b.resize(b.conv(b.input("x", BATCH, 3, 4, 4), 4, 3, 1, 1, 1, true), 2f));

        assertThat(GraphInvariants.violations(b.build(13))).isEmpty();
    }

    @Test
    void reportsAnInputNothingDefines() {
        ModelProto model = withGraph(valid(), graph -> graph.addNode(NodeProto.newBuilder()
                .setName("orphan").setOpType("Relu").addInput("nowhere").addOutput("orphan_out")));

        assertThat(GraphInvariants.violations(model)).containsExactly("Relu node 'orphan' reads 'nowhere' "
                + "before anything defines it");
    }

    @Test
    void reportsNodesOutOfTopologicalOrder() {
        ModelProto valid = valid();
        List<NodeProto> reversed = new ArrayList<>(valid.getGraph().getNodeList());
        Collections.reverse(reversed);
        ModelProto model = withGraph(valid, graph -> graph.clearNode().addAllNode(reversed));

        assertThat(GraphInvariants.violations(model)).isNotEmpty()
                .allSatisfy(violation -> assertThat(violation).contains("before anything defines it"));
    }

    @Test
    void reportsRedefinedTensorsDuplicateNodeNamesAndMissingOutputs() {
        ModelProto model = withGraph(valid(), graph -> graph
                .addNode(graph.getNode(0))
                .addOutput(graph.getOutput(0).toBuilder().setName("missing")));

        assertThat(GraphInvariants.violations(model)).containsExactly(
                "node name 'conv0' is used twice",
                "Conv node 'conv0' output 'conv0_out' redefines a tensor",
                "graph output 'missing' is never defined");
    }

    @Test
    void reportsRawDataThatDoesNotMatchTheDims() {
        ModelProto model = withGraph(valid(), graph -> graph.setInitializer(0, graph.getInitializer(0).toBuilder()
                .setRawData(ByteString.copyFrom(new byte[6]))));

        assertThat(GraphInvariants.violations(model)).singleElement().asString()
                .contains("initializer conv0.weight holds 6 bytes");
    }

    private static ModelProto valid() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("valid", 1);
        b.output(b.relu(b.conv(b.input("x", BATCH, 3, 4, 4), 4, 3, 1, 1, 1, true)));
        return b.build(13);
    }

    private static ModelProto withGraph(ModelProto model, Consumer<GraphProto.Builder> edit) {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        edit.accept(graph);
        return model.toBuilder().setGraph(graph).build();
    }
}
