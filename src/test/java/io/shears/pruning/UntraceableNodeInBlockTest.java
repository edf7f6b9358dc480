package io.shears.pruning;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.shears.conformance.Conformance;
import io.shears.conformance.Fixtures;
import io.shears.conformance.Fixtures.Fixture;
import io.shears.graph.Graph;
import io.shears.graph.ShapeInference;
import io.shears.onnx.ModelWriter;
import io.shears.testing.OrtRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A transformer whose first block holds a node Shears cannot trace: the MLP's GELU fused into one {@code
 * com.microsoft} {@code Gelu} node, as ONNX Runtime's transformer optimizer writes it (a custom-domain operator, with
 * its output shape declared). The MLP hidden width of that block is frozen with the node named; every group that was
 * prunable elsewhere still is and is pruned; the cut model computes what the masked one computes in ONNX Runtime
 * (which runs the fused node). Both run at batch 1 only: a custom operator's output shape has to be declared with
 * static dimensions for Shears to infer the shapes after it, and ONNX Runtime plans the MatMul after it for that
 * declared batch.
 */
class UntraceableNodeInBlockTest {
    static final String DOMAIN = "com.microsoft";
    static final String FUSED_NAME = "/blocks/blocks.0/mlp/act/FusedGelu";

    static Stream<Fixture> fusedQkvVits() {
        return Fixtures.hub().stream().filter(f -> f.arch().equals("hubvit"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fusedQkvVits")
    void aCustomOpInOneBlockFreezesThatBlockByNameAndTheOthersArePruned(Fixture fixture) {
        PruningOptions options = Conformance.options(Scope.FILTERS);
        ChannelAnalysis reference = Pruner.analyze(fixture.model(), options);
        Fused fused = fuseFirstGelu(fixture.model());
        ChannelAnalysis analysis = Pruner.analyze(fused.model(), options);

        ChannelGroup blockZero = groupOf(reference, fused.input());
        assertThat(blockZero.frozen()).as("without the custom op, block 0's MLP width is prunable").isFalse();
        ChannelGroup frozen = analysis.groups().stream().filter(g -> g.name().equals(blockZero.name())).findFirst()
                .orElseThrow();
        assertThat(frozen.frozen()).as(frozen.name() + " is frozen").isTrue();
        assertThat(frozen.frozenReasons()).as("the reason names the node").anyMatch(r -> r.contains(FUSED_NAME));
        List<String> stillPrunable = analysis.prunableGroups().stream().map(ChannelGroup::name).toList();
        List<String> others = reference.prunableGroups().stream().map(ChannelGroup::name)
                .filter(n -> !n.equals(blockZero.name())).toList();
        assertThat(others).as("other blocks' groups").isNotEmpty();
        assertThat(stillPrunable).as("every other group stays prunable").containsExactlyInAnyOrderElementsOf(others);

        PruningResult result = prune(fused.model(), options);
        for (String member : frozen.members()) {
            assertThat(dims(result.model(), weightOf(member))).as(member + " keeps its width")
                    .isEqualTo(dims(fused.model(), weightOf(member)));
        }
        long narrowed = others.stream().map(n -> group(analysis, n)).filter(g -> g.members().stream()
                .anyMatch(m -> !Arrays.equals(dims(result.model(), weightOf(m)), dims(fused.model(), weightOf(m)))))
                .count();
        assertThat(narrowed).as("groups of the other blocks that were cut").isPositive();

        String what = fixture + " with " + FUSED_NAME;
        RealModelSurgeryProofTest.assertCutEqualsMasked(what, Scope.FILTERS,
                RealModelSurgeryProofTest.prove(what, fused.model(), fixture::inputShape, Scope.FILTERS, 1));
        long[] shape = fixture.inputShape(1);
        assertThat(OrtRunner.outputShape(ModelWriter.toBytes(result.model()), OrtRunner.randomInput(5, shape), shape))
                .containsExactly(fixture.outputShape(1));
    }

    /** The model with its first GELU fused, and the fused node's input (the first projection's output). */
    record Fused(ModelProto model, String input) {
    }

    /**
     * Replaces the first {@code Div → Erf → Add → Mul → Mul} chain (torch's exact GELU) by one {@code com.microsoft}
     * {@code Gelu} node, and declares its output's shape at batch 1, as a custom operator's shape has to be declared.
     */
    static Fused fuseFirstGelu(ModelProto model) {
        GraphProto graph = model.getGraph();
        NodeProto erf = graph.getNodeList().stream().filter(n -> n.getOpType().equals("Erf")).findFirst().orElseThrow();
        NodeProto div = producer(graph, erf.getInput(0));
        List<NodeProto> chain = new ArrayList<>(List.of(div, erf));
        NodeProto last = erf;
        while (consumers(graph, last.getOutput(0)).stream().noneMatch(n -> n.getOpType().equals("MatMul"))) {
            List<NodeProto> next = consumers(graph, last.getOutput(0));
            assertThat(next).as("the GELU chain after " + last.getName()).hasSize(1);
            last = next.get(0);
            chain.add(last);
        }
        assertThat(chain).extracting(NodeProto::getOpType).containsExactly("Div", "Erf", "Add", "Mul", "Mul");
        String input = div.getInput(0);
        NodeProto gelu = NodeProto.newBuilder().setName(FUSED_NAME).setOpType("Gelu").setDomain(DOMAIN)
                .addInput(input).addOutput(last.getOutput(0)).build();
        GraphProto.Builder g = graph.toBuilder().clearNode().clearInitializer();
        for (NodeProto n : graph.getNodeList()) {
            if (n == div) {
                g.addNode(gelu);
            } else if (!chain.contains(n)) {
                g.addNode(n);
            }
        }
        for (TensorProto t : graph.getInitializerList()) {
            if (g.getNodeList().stream().anyMatch(n -> n.getInputList().contains(t.getName()))) {
                g.addInitializer(t);
            }
        }
        long[] dims = ShapeInference.infer(new Graph(model), Map.of()).dims(last.getOutput(0));
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        g.addValueInfo(ValueInfoProto.newBuilder().setName(last.getOutput(0)).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)
                        .setShape(shape))));
        ModelProto fused = model.toBuilder().setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(DOMAIN).setVersion(1)).build();
        return new Fused(fused, input);
    }

    /** At half the MACs, or at the smallest figure the frozen block allows. */
    private static PruningResult prune(ModelProto model, PruningOptions options) {
        try {
            return Pruner.prune(model, new Budget.Fraction(RealModelSurgeryProofTest.FRACTION), options);
        } catch (BudgetUnreachableException e) {
            return Pruner.prune(model, new Budget.Macs(e.smallestReachableMacs()), options);
        }
    }

    private static ChannelGroup groupOf(ChannelAnalysis analysis, String tensor) {
        int channel = analysis.channelsOf(tensor)[0];
        return analysis.groups().stream().filter(g -> Arrays.stream(g.classIds()).anyMatch(c -> c == channel))
                .findFirst().orElseThrow();
    }

    private static ChannelGroup group(ChannelAnalysis analysis, String name) {
        return analysis.groups().stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
    }

    /** A member reads {@code node:weight[axis]}; node names hold no colon, weight names may. */
    private static String weightOf(String member) {
        return member.substring(member.indexOf(':') + 1, member.lastIndexOf('['));
    }

    private static long[] dims(ModelProto model, String weight) {
        return model.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(weight)).findFirst()
                .map(t -> t.getDimsList().stream().mapToLong(Long::longValue).toArray()).orElseThrow(
                        () -> new AssertionError("no initializer " + weight));
    }

    private static NodeProto producer(GraphProto graph, String tensor) {
        return graph.getNodeList().stream().filter(n -> n.getOutputList().contains(tensor)).findFirst().orElseThrow();
    }

    private static List<NodeProto> consumers(GraphProto graph, String tensor) {
        return graph.getNodeList().stream().filter(n -> n.getInputList().contains(tensor)).toList();
    }
}
