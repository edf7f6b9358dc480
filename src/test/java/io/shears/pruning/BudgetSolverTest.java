package io.shears.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.graph.LayerCost;
import io.shears.onnx.ModelWriter;
import io.shears.testing.OnnxGraphBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

/** The budget solver: at or under the target, within 2% where granularity allows, and every option honoured. */
class BudgetSolverTest {
    private static ModelProto model(String factory) throws Exception {
        return SurgeryProofTest.build(factory);
    }

    @ParameterizedTest(name = "{0} at {1}, {2}")
    @CsvSource({
            "resnetBasicBlocks, 0.8, channels", "resnetBasicBlocks, 0.5, channels", "resnetBasicBlocks, 0.8, filters",
            "mobilenetInvertedResidual, 0.6, channels", "mobilenetInvertedResidual, 0.6, filters",
            "denseNetConcat, 0.5, channels", "splitAndSlice, 0.7, channels", "flattenGemm, 0.5, channels",
            "depthwiseSeparable, 0.5, channels", "squeezeExcitation, 0.5, filters", "sharedWeights, 0.6, channels"})
    void landsAtOrUnderTheTargetAndWithinTwoPercent(String factory, double fraction, String scope) throws Exception {
        PruningOptions options = PruningOptions.defaults().withScope(Scope.parse(scope)).withRoundTo(1);
        PruningResult result = Pruner.prune(model(factory), new Budget.Fraction(fraction), options);
        PruningReport r = result.report();
        assertThat(r.pruned().macs()).isLessThanOrEqualTo(r.target().macs());
        assertThat(r.pruned().flops()).isEqualTo(2 * r.pruned().macs());
        assertThat(r.pruned().params()).isLessThan(r.original().params());
        if (r.ofTarget() < 0.98) {
            assertNoChannelFitsBack(model(factory), options, r.target().macs());
        }
    }

    /** Below 98% of the target is allowed only where giving back any single channel would break the budget. */
    private static void assertNoChannelFitsBack(ModelProto m, PruningOptions options, long target) {
        ChannelAnalysis a = Pruner.analyze(m, options);
        double[] scores = Importance.score(a, options.criterion(), options.seed());
        PrunedCost cost = new PrunedCost(a);
        BudgetSolver.Plan plan = new BudgetSolver(a, scores, cost, options).solve(target);
        for (ChannelGroup g : a.prunableGroups()) {
            for (int c : g.classIds()) {
                if (plan.pruned()[c]) {
                    boolean[] back = plan.pruned().clone();
                    back[c] = false;
                    assertThat(cost.macs(back)).as("giving back a channel of " + g.name()).isGreaterThan(target);
                }
            }
        }
    }

    @Test
    void macsFlopsAndFractionBudgetsAgree() throws Exception {
        ModelProto m = model("resnetBasicBlocks");
        PruningOptions options = PruningOptions.defaults().withScope(Scope.CHANNELS);
        PruningReport byFraction = Pruner.prune(m, new Budget.Fraction(0.6), options).report();
        long target = byFraction.target().macs();
        PruningReport byMacs = Pruner.prune(m, new Budget.Macs(target), options).report();
        PruningReport byFlops = Pruner.prune(m, new Budget.Flops(2 * target), options).report();
        assertThat(byMacs.pruned().macs()).isEqualTo(byFraction.pruned().macs()).isEqualTo(byFlops.pruned().macs());
        assertThat(target).isEqualTo((long) Math.floor(byFraction.original().macs() * 0.6));
    }

    @Test
    void anUnreachableBudgetNamesTheSmallestReachableModel() throws Exception {
        ModelProto m = model("resnetBasicBlocks");
        PruningOptions options = PruningOptions.defaults();
        BudgetUnreachableException e = catchThrowableOfType(BudgetUnreachableException.class,
                () -> Pruner.prune(m, new Budget.Fraction(0.05), options));
        assertThat(e.code()).isEqualTo("BUDGET_UNREACHABLE");
        assertThat(e.smallestReachableMacs()).isGreaterThan(e.targetMacs());
        assertThat(e.getMessage()).contains(Long.toString(e.smallestReachableMacs()));
        PruningReport atSmallest = Pruner.prune(m, new Budget.Macs(e.smallestReachableMacs()), options).report();
        assertThat(atSmallest.pruned().macs()).isEqualTo(e.smallestReachableMacs());
    }

    @Test
    void anUnreachableBudgetNamesTheResidualStreamAndWhatScopeChannelsWouldReach() throws Exception {
        ModelProto m = model("resnetBasicBlocks");
        PruningOptions options = PruningOptions.defaults().withScope(Scope.FILTERS).withRoundTo(1);
        BudgetUnreachableException e = unreachable(m, options);
        String residual = "residual Add keeps the representation's width (scope filters)";
        FrozenReason named = e.frozenReasons().stream().filter(r -> r.reason().equals(residual)).findFirst()
                .orElseThrow(() -> new AssertionError("residual stream not named: " + e.getMessage()));
        ChannelAnalysis a = Pruner.analyze(m, options);
        List<ChannelGroup> residualGroups = a.frozenGroups().stream()
                .filter(g -> g.frozenReasons().stream().anyMatch(r -> r.startsWith("residual Add"))).toList();
        assertThat(named.groups()).isEqualTo(residualGroups.size()).isEqualTo(2);
        assertThat(named.channels()).isEqualTo(16 + 32);
        assertThat(named.macs()).isEqualTo(macsOfLayersProducing(a, residualGroups));
        assertThat(named.shareOfMacs()).isCloseTo(named.macs() / (double) e.originalMacs(), within(1e-4));

        BudgetUnreachableException inChannels = catchThrowableOfType(BudgetUnreachableException.class,
                () -> Pruner.prune(m, new Budget.Macs(1), options.withScope(Scope.CHANNELS)));
        assertThat(e.otherScope().scope()).isEqualTo("channels");
        assertThat(e.otherScope().smallestReachableMacs()).isEqualTo(inChannels.smallestReachableMacs())
                .isLessThan(e.smallestReachableMacs());
        assertThat(inChannels.otherScope().scope()).isEqualTo("filters");
        assertThat(inChannels.otherScope().smallestReachableMacs()).isEqualTo(e.smallestReachableMacs());

        assertThat(e.getMessage()).contains("\"" + residual + "\" (2 groups, "
                        + String.format(Locale.ROOT, "%.4f", named.shareOfMacs()) + " of the MACs)")
                .contains("; scope channels would reach " + String.format(Locale.ROOT, "%.4f",
                        inChannels.smallestReachableMacs() / (double) e.originalMacs()) + " of the original MACs")
                .doesNotContain("\n").doesNotContain("conv").doesNotContain("Exception");
    }

    /** A grouped convolution is pruned now; excluded by request, it is what an unreachable budget names first. */
    @Test
    void anUnreachableBudgetNamesAnExcludedGroupedConvolutionFirstWhenItFreezesTheMostMacs() throws Exception {
        ModelProto m = model("groupedConv");
        String grouped = m.getGraph().getNodeList().stream().filter(n -> n.getAttributeList().stream()
                .anyMatch(a -> a.getName().equals("group") && a.getI() == 2)).findFirst().orElseThrow().getName();
        PruningOptions options = PruningOptions.defaults().withScope(Scope.FILTERS).withRoundTo(1);
        assertThat(FrozenReasons.of(Pruner.analyze(m, options))).as("nothing freezes a grouped convolution")
                .noneMatch(r -> r.reason().contains("grouped"));

        PruningOptions excluded = options.withExclude(List.of(grouped));
        BudgetUnreachableException e = unreachable(m, excluded);
        FrozenReason first = e.frozenReasons().get(0);
        String reason = "node '" + grouped + "' is excluded by request";
        assertThat(first.reason()).isEqualTo(reason);
        ChannelAnalysis a = Pruner.analyze(m, excluded);
        List<ChannelGroup> frozen = a.frozenGroups().stream()
                .filter(g -> g.frozenReasons().contains(reason)).toList();
        assertThat(first.groups()).as("the grouped convolution's inputs and outputs").isEqualTo(frozen.size())
                .isEqualTo(2);
        assertThat(first.macs()).isEqualTo(macsOfLayersProducing(a, frozen));
        assertThat(e.frozenReasons()).hasSizeLessThanOrEqualTo(3).isSortedAccordingTo(
                Comparator.comparingLong(FrozenReason::macs).reversed());
        assertThat(e.getMessage()).contains("most MACs frozen by: \"" + reason);
        assertThat(e.otherScope().scope()).isEqualTo("channels");
    }

    /** The refusal of a budget far below what any options reach. */
    private static BudgetUnreachableException unreachable(ModelProto m, PruningOptions options) {
        return catchThrowableOfType(BudgetUnreachableException.class,
                () -> Pruner.prune(m, new Budget.Fraction(0.05), options));
    }

    /** The measure written out from the groups' members: Conv layers whose filters (weight axis 0) are the group's. */
    private static long macsOfLayersProducing(ChannelAnalysis a, List<ChannelGroup> groups) {
        return a.cost().layers().stream().filter(l -> l.op().equals("Conv"))
                .filter(l -> groups.stream().flatMap(g -> g.members().stream())
                        .anyMatch(member -> member.startsWith(l.node() + ":") && member.endsWith("[0]")))
                .mapToLong(LayerCost::macs).sum();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 8})
    void keptCountsAreMultiplesOfRoundToOrUntouched(int roundTo) throws Exception {
        PruningOptions options = PruningOptions.defaults().withScope(Scope.CHANNELS).withRoundTo(roundTo);
        PruningReport r = Pruner.prune(model("mobilenetInvertedResidual"), new Budget.Fraction(0.5), options).report();
        assertThat(r.groups()).isNotEmpty();
        assertThat(r.groups()).anyMatch(g -> g.kept() < g.channels());
        for (GroupSummary g : r.groups()) {
            assertThat(g.kept() == g.channels() || g.kept() % roundTo == 0).as(g.name() + " kept " + g.kept()).isTrue();
        }
    }

    @Test
    void minChannelsAndMaxFractionBoundEveryGroup() throws Exception {
        PruningOptions options = PruningOptions.defaults().withScope(Scope.CHANNELS).withRoundTo(1)
                .withMinChannels(6).withMaxFraction(0.5);
        ModelProto m = model("resnetBasicBlocks");
        BudgetUnreachableException e = catchThrowableOfType(BudgetUnreachableException.class,
                () -> Pruner.prune(m, new Budget.Fraction(0.01), options));
        PruningReport r = Pruner.prune(m, new Budget.Macs(e.smallestReachableMacs()), options).report();
        for (GroupSummary g : r.groups()) {
            assertThat(g.kept()).as(g.name()).isGreaterThanOrEqualTo(Math.min(g.channels(), 6))
                    .isGreaterThanOrEqualTo((int) Math.ceil(g.channels() * 0.5));
        }
        assertThat(r.groups()).anyMatch(g -> g.kept() == Math.max(6, (int) Math.ceil(g.channels() * 0.5)));
    }

    @Test
    void excludedNodesKeepTheirChannels() throws Exception {
        ModelProto m = model("resnetBasicBlocks");
        PruningOptions options = PruningOptions.defaults().withScope(Scope.FILTERS).withRoundTo(1).withExclude(List.of("conv1"));
        PruningReport r = Pruner.prune(m, new Budget.Fraction(0.9), options).report();
        assertThat(r.groups()).noneMatch(g -> g.name().equals("conv1"));
        assertThat(r.frozenGroups()).anyMatch(g -> g.name().equals("conv1")
                && g.frozenReasons().contains("node 'conv1' is excluded by request"));
        assertThatThrownBy(() -> Pruner.prune(m, new Budget.Fraction(0.9), options.withExclude(List.of("nope"))))
                .isInstanceOf(InvalidPruningOptionsException.class).hasMessageContaining("'nope'");
    }

    @Test
    void theSameModelAndOptionsGiveTheSameBytes() throws Exception {
        PruningOptions options = PruningOptions.defaults().withScope(Scope.CHANNELS).withAllocation(Allocation.GLOBAL);
        byte[] first = ModelWriter.toBytes(Pruner.prune(model("denseNetConcat"), new Budget.Fraction(0.5), options).model());
        byte[] second = ModelWriter.toBytes(Pruner.prune(model("denseNetConcat"), new Budget.Fraction(0.5), options).model());
        assertThat(second).isEqualTo(first);
    }

    @Test
    void uniformTakesTheSameShareFromEveryGroupAndGlobalNeedNot() throws Exception {
        OnnxGraphBuilder b = new OnnxGraphBuilder("uneven", 3);
        String x = b.input("input", 1, 3, 16, 16);
        String y = b.relu(b.conv(x, 64, 3, 1, 1, 1, true));
        y = b.relu(b.conv(y, 64, 3, 1, 1, 1, true));
        y = b.relu(b.conv(y, 64, 3, 1, 1, 1, true));
        ModelProto m = b.output(b.gemm(b.flatten(b.globalAveragePool(y), 1), 10)).build(13);
        PruningOptions options = PruningOptions.defaults().withRoundTo(1).withScope(Scope.CHANNELS);
        PruningReport uniform = Pruner.prune(m, new Budget.Fraction(0.5), options).report();
        double[] shares = uniform.groups().stream().filter(g -> g.channels() == 64)
                .mapToDouble(g -> g.kept() / 64.0).toArray();
        assertThat(shares).hasSize(3);
        assertThat(java.util.Arrays.stream(shares).max().orElseThrow() - java.util.Arrays.stream(shares).min().orElseThrow())
                .isLessThanOrEqualTo(3 / 64.0);
        PruningReport global = Pruner.prune(m, new Budget.Fraction(0.5), options.withAllocation(Allocation.GLOBAL)).report();
        assertThat(global.pruned().macs()).isLessThanOrEqualTo(global.target().macs());
        assertThat(global.ofTarget()).isGreaterThanOrEqualTo(0.98);
    }

    @Test
    void aTargetAboveTheModelPrunesNothing() throws Exception {
        ModelProto m = model("resnetBasicBlocks");
        PruningResult r = Pruner.prune(m, new Budget.Macs(Long.MAX_VALUE / 4), PruningOptions.defaults());
        assertThat(r.model()).isSameAs(m);
        assertThat(r.report().groups()).allMatch(g -> g.kept() == g.channels());
    }

    @Test
    void optionsOutOfRangeAreRefusedByName() {
        assertThatThrownBy(() -> new Budget.Fraction(1.5)).hasMessageContaining("fraction");
        assertThatThrownBy(() -> new Budget.Macs(0)).hasMessageContaining("MACs");
        assertThatThrownBy(() -> PruningOptions.defaults().withRoundTo(0)).hasMessageContaining("round-to");
        assertThatThrownBy(() -> PruningOptions.defaults().withMaxFraction(0)).hasMessageContaining("max-fraction");
        assertThatThrownBy(() -> Scope.parse("everything")).hasMessageContaining("filters, channels");
        assertThat(Criterion.parse("bn-scale")).isEqualTo(Criterion.BN_SCALE);
    }
}
