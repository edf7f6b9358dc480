package io.shears.pruning;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.shears.graph.Graph;
import io.shears.onnx.ModelWriter;
import io.shears.testing.OrtRunner;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A group=2 convolution (8 inputs, 16 outputs, 4 and 8 per group) between two plain ones, pruned both ways: within
 * groups the same positions go in both groups and the group count stays; as whole groups a group's input and
 * output slices go together and {@code group} shrinks. Either way the cut model computes what the masked one does.
 */
class GroupedConvolutionsTest {
    private static final PruningOptions WITHIN = PruningOptions.defaults().withScope(Scope.FILTERS).withRoundTo(1);
    private static final PruningOptions WHOLE = WITHIN.withGroupedConvolutions(GroupedConvolutions.WHOLE_GROUPS);

    private static ModelProto model() {
        return TestGraphs.groupedConv().build(13);
    }

    private static NodeProto groupedNode(ModelProto m) {
        return m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv") && group(n) > 1)
                .findFirst().orElseThrow();
    }

    private static NodeProto named(ModelProto m, String name) {
        return m.getGraph().getNodeList().stream().filter(n -> n.getName().equals(name)).findFirst().orElseThrow();
    }

    private static long group(NodeProto n) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals("group")).mapToLong(AttributeProto::getI)
                .findFirst().orElse(1);
    }

    private static long[] weightDims(ModelProto m, NodeProto conv) {
        return new Graph(m).weightDims(conv.getInput(1));
    }

    private static ChannelGroup groupWith(ChannelAnalysis a, String member) {
        return a.groups().stream().filter(g -> g.members().stream().anyMatch(s -> s.endsWith(member))).findFirst()
                .orElseThrow(() -> new AssertionError("no group has " + member + ": " + a.groups()));
    }

    @Test
    void withinGroupsOnePositionOfEveryGroupIsOneChannel() {
        ModelProto m = model();
        NodeProto conv = groupedNode(m);
        ChannelAnalysis a = Pruner.analyze(m, WITHIN);

        ChannelGroup inputs = groupWith(a, conv.getInput(1) + "[1]");
        ChannelGroup outputs = groupWith(a, conv.getInput(1) + "[0]");
        assertThat(inputs).isNotEqualTo(outputs);
        assertThat(inputs.frozen()).isFalse();
        assertThat(outputs.frozen()).isFalse();
        assertThat(inputs.channels()).as("4 input positions per group").isEqualTo(4);
        assertThat(inputs.unitWidth()).as("one channel is one position in each of the 2 groups").isEqualTo(2);
        assertThat(outputs.channels()).as("8 output positions per group").isEqualTo(8);
        assertThat(outputs.unitWidth()).isEqualTo(2);
        int[] in = a.channelsOf(conv.getInput(0));
        int[] out = a.channelsOf(conv.getOutput(0));
        assertThat(Arrays.copyOfRange(in, 0, 4)).containsExactly(Arrays.copyOfRange(in, 4, 8));
        assertThat(Arrays.copyOfRange(out, 0, 8)).containsExactly(Arrays.copyOfRange(out, 8, 16));
    }

    @Test
    void withinGroupsRemovesEqualCountsPerGroupAndKeepsTheGroupCount() {
        ModelProto m = model();
        NodeProto conv = groupedNode(m);
        ChannelAnalysis a = Pruner.analyze(m, WITHIN);
        boolean[] pruned = new boolean[a.classCount()];
        int[] in = a.channelsOf(conv.getInput(0));
        int[] out = a.channelsOf(conv.getOutput(0));
        pruned[in[1]] = true;
        pruned[in[2]] = true;
        pruned[out[0]] = true;
        pruned[out[5]] = true;
        pruned[out[7]] = true;

        ModelProto cut = GraphSurgeon.cut(a, pruned);
        NodeProto cutConv = groupedNode(cut);
        assertThat(group(cutConv)).isEqualTo(2);
        assertThat(weightDims(cut, cutConv)).containsExactly(2 * 5, 2, 3, 3);
        assertCutComputesTheMasked(a, pruned, cut);
    }

    @Test
    void wholeGroupsMakeAGroupsInputAndOutputSlicesOneChannel() {
        ModelProto m = model();
        NodeProto conv = groupedNode(m);
        ChannelAnalysis a = Pruner.analyze(m, WHOLE);

        ChannelGroup group = groupWith(a, conv.getInput(1) + "[0]");
        assertThat(group.frozen()).isFalse();
        assertThat(group.channels()).as("one channel per convolution group").isEqualTo(2);
        assertThat(group.unitWidth()).as("4 inputs and 8 outputs per group: the fewer").isEqualTo(4);
        assertThat(group.members()).noneMatch(s -> s.endsWith(conv.getInput(1) + "[1]"));
        int[] in = a.channelsOf(conv.getInput(0));
        int[] out = a.channelsOf(conv.getOutput(0));
        assertThat(in).containsExactly(out[0], out[0], out[0], out[0], out[8], out[8], out[8], out[8]);
        assertThat(Arrays.stream(out).distinct().count()).isEqualTo(2);
    }

    @Test
    void wholeGroupsRemoveGroupSlicesAndRewriteTheGroupCount() {
        ModelProto m = model();
        NodeProto conv = groupedNode(m);
        ChannelAnalysis a = Pruner.analyze(m, WHOLE);
        boolean[] pruned = new boolean[a.classCount()];
        pruned[a.channelsOf(conv.getOutput(0))[0]] = true;

        ModelProto cut = GraphSurgeon.cut(a, pruned);
        NodeProto cutConv = named(cut, conv.getName());
        assertThat(group(cutConv)).isEqualTo(1);
        assertThat(weightDims(cut, cutConv)).containsExactly(8, 4, 3, 3);
        assertCutComputesTheMasked(a, pruned, cut);
    }

    /**
     * Within groups, 2 groups × k kept is a multiple of 4 for k = 2 (of 4 inputs per group), but a multiple of 8 only
     * for k = 4, all of them: at round-to 8 the convolution loses whole groups instead, whose widths (4 and 8) fit.
     */
    @Test
    void withinGroupsGivesWayToWholeGroupsWhereNoCutWithinGroupsMeetsRoundTo() {
        ModelProto m = model();
        String weight = groupedNode(m).getInput(1);

        ChannelAnalysis roundTo4 = Pruner.analyze(m, WITHIN.withRoundTo(4));
        assertThat(groupWith(roundTo4, weight + "[0]").channels()).isEqualTo(8);
        assertThat(groupWith(roundTo4, weight + "[1]").channels()).isEqualTo(4);

        ChannelAnalysis roundTo8 = Pruner.analyze(m, WITHIN.withRoundTo(8));
        ChannelGroup whole = groupWith(roundTo8, weight + "[0]");
        assertThat(whole.channels()).isEqualTo(2);
        assertThat(whole.unitWidth()).isEqualTo(4);
        assertThat(whole.members()).noneMatch(s -> s.endsWith(weight + "[1]"));
    }

    /** round-to counts a tensor's width: with round-to 4, a channel of 2 positions goes in pairs, one of 4 alone. */
    @ParameterizedTest
    @EnumSource(GroupedConvolutions.class)
    void roundToAppliesToTheWidthAndTheBudgetHolds(GroupedConvolutions mode) {
        ModelProto m = model();
        PruningOptions options = WITHIN.withGroupedConvolutions(mode).withRoundTo(4);
        PruningResult result = Pruner.prune(m, new Budget.Fraction(0.6), options);

        assertThat(result.report().pruned().macs()).isLessThanOrEqualTo(result.report().target().macs());
        assertThat(result.report().groupedConvolutions()).isEqualTo(mode.label());
        NodeProto cutConv = named(result.model(), groupedNode(m).getName());
        long[] w = weightDims(result.model(), cutConv);
        assertThat(w[0] % 4).as("output width " + w[0]).isZero();
        assertThat(w[1] * group(cutConv) % 4).as("input width " + w[1] * group(cutConv)).isZero();
        assertThat(w[0]).as("something of the grouped convolution was cut").isLessThan(16);
        assertThat(ModelWriter.toBytes(Pruner.prune(m, new Budget.Fraction(0.6), options).model()))
                .as("pruning twice gives the same bytes").isEqualTo(ModelWriter.toBytes(result.model()));
    }

    @ParameterizedTest
    @EnumSource(GroupedConvolutions.class)
    void randomCutsComputeWhatTheMaskedModelComputes(GroupedConvolutions mode) {
        ModelProto m = model();
        ChannelAnalysis a = Pruner.analyze(m, WITHIN.withGroupedConvolutions(mode));
        SplittableRandom random = new SplittableRandom(mode.ordinal() + 3);
        for (int trial = 0; trial < 4; trial++) {
            boolean[] pruned = SurgeryProofTest.randomSubset(a, random);
            assertCutComputesTheMasked(a, pruned, GraphSurgeon.cut(a, pruned));
        }
    }

    private static void assertCutComputesTheMasked(ChannelAnalysis a, boolean[] pruned, ModelProto cut) {
        ModelProto masked = ChannelMasking.zeroChannels(a, pruned);
        for (long batch : List.of(1L, 8L)) {
            long[] shape = TestGraphs.inputShape(batch);
            float[] input = OrtRunner.randomInput(batch, shape);
            SurgeryProofTest.assertClose("batch " + batch, OrtRunner.run(ModelWriter.toBytes(masked), input, shape),
                    OrtRunner.run(ModelWriter.toBytes(cut), input, shape), 1e-5);
        }
    }
}
