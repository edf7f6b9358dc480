package io.shears.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.shears.conformance.Conformance;
import io.shears.conformance.Fixtures;
import io.shears.conformance.Fixtures.Fixture;
import io.shears.graph.Graph;
import io.shears.graph.ShapeInference;
import io.shears.graph.Shapes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every transformer-style fixture, torchvision's (ViT, ConvNeXt, Swin) and the hub-style ones (fused-qkv ViT, DeiT,
 * MLP-Mixer), at half its MACs in scope filters with the default options: either the budget is met by a model that
 * conforms ({@link Conformance#check}: within the tolerance of the target, runs in ONNX Runtime at batch 1 and 8 with
 * the original output shape, the same bytes twice) and computes what the masked original computes, or the budget is
 * refused as {@code BUDGET_UNREACHABLE} with the reasons named. The assertions hold for any fixture; none is told
 * which outcome to expect, except the Mixer, whose hidden widths alone hold most of its MACs.
 */
class TransformerPruningTest {
    static final double FRACTION = 0.5;

    static Stream<Fixture> fixtures() {
        return Stream.concat(Fixtures.transformers().stream(), Fixtures.hub().stream());
    }

    /**
     * The Mixers, with LayerNormalization whole (opset 17) and decomposed (opset 13). In the decomposed one the token
     * axis that the token-mixing MLP writes reaches the residual stream as if it were its channel axis; those
     * positions are kept whole, and the channel-mixing MLP then traces its own hidden width on the last axis.
     */
    static Stream<Fixture> mixers() {
        return Fixtures.hub().stream().filter(f -> f.arch().equals("mixer"));
    }

    @Test
    void theHubManifestListsEveryHubFixture() {
        assertThat(Fixtures.onnxFiles(Fixtures.HUB_DIRECTORY))
                .containsExactlyInAnyOrderElementsOf(Fixtures.hub().stream().map(Fixture::file).toList());
        assertThat(Fixtures.hub().stream().map(f -> f.arch() + "-op" + f.opset())).containsExactlyInAnyOrder(
                "hubvit-op13", "hubvit-op17", "deit-op13", "deit-op17", "mixer-op13", "mixer-op17");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void analysisSucceedsAndEveryFrozenGroupSaysWhy(Fixture fixture) {
        for (Scope scope : Scope.values()) {
            ChannelAnalysis analysis = Pruner.analyze(fixture.model(), Conformance.options(scope));
            assertThat(analysis.cost().macs()).as(fixture + " " + scope + ": MACs").isPositive();
            assertThat(analysis.groups()).as(fixture + " " + scope + ": channel groups").isNotEmpty();
            assertThat(analysis.frozenGroups()).as(fixture + " " + scope + ": frozen groups")
                    .allSatisfy(g -> assertThat(g.frozenReasons()).as(g.name()).isNotEmpty());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void halfTheMacsInScopeFiltersIsMetOrRefusedWithItsReasons(Fixture fixture) {
        try {
            Pruner.prune(fixture.model(), new Budget.Fraction(FRACTION), Conformance.options(Scope.FILTERS));
        } catch (BudgetUnreachableException e) {
            assertRefusalNamesItsReasons(fixture, e);
            return;
        }
        assertMetAndEqualToTheMaskedOriginal(fixture);
    }

    /**
     * Scope channels cuts the embedding width too wherever the analysis traces it end to end (LayerNormalization as one
     * operator): the budget is met by a conforming model, which computes what the masked original computes with each
     * norm's statistics over the channels kept, and whose norms are narrower.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void scopeChannelsCutsTheEmbeddingWidthWhereItIsTraced(Fixture fixture) {
        ChannelAnalysis analysis = Pruner.analyze(fixture.model(), Conformance.options(Scope.CHANNELS));
        boolean traced = analysis.prunableGroups().stream().anyMatch(g -> !g.renormalizedBy().isEmpty());
        boolean whole = fixture.model().getGraph().getNodeList().stream()
                .anyMatch(n -> n.getOpType().equals("LayerNormalization"));
        assertThat(traced).as(fixture + ": the embedding width is prunable exactly where the norm is one operator")
                .isEqualTo(whole);
        if (!traced) {
            return;
        }
        assertThat(Conformance.check(fixture, FRACTION, Scope.CHANNELS)).as(fixture + ": the budget is met")
                .isInstanceOf(Conformance.Ok.class);
        RealModelSurgeryProofTest.assertCutEqualsMasked(fixture, Scope.CHANNELS);
        ModelProto cut = Pruner.prune(fixture.model(), new Budget.Fraction(FRACTION),
                Conformance.options(Scope.CHANNELS)).model();
        assertThat(normScaleWidths(cut)).as(fixture + ": norm scales after the cut")
                .isNotEqualTo(normScaleWidths(fixture.model()));
    }

    private static java.util.List<Long> normScaleWidths(ModelProto model) {
        Map<String, Long> widths = new java.util.HashMap<>();
        model.getGraph().getInitializerList().stream().filter(t -> t.getDimsCount() > 0)
                .forEach(t -> widths.put(t.getName(), t.getDims(t.getDimsCount() - 1)));
        return model.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("LayerNormalization"))
                .map(n -> widths.getOrDefault(n.getInput(1), -1L)).toList();
    }

    /**
     * A Mixer's token-mixing and channel-mixing hidden widths hold nearly all of its MACs, so half of them is reached
     * in scope filters; the number of tokens is not a channel and keeps its size on every tensor that has it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mixers")
    void aMixerMeetsHalfItsMacsAndKeepsItsTokenCount(Fixture fixture) {
        assertMetAndEqualToTheMaskedOriginal(fixture);
        PruningResult result = Pruner.prune(fixture.model(), new Budget.Fraction(FRACTION),
                Conformance.options(Scope.FILTERS));
        Shapes before = ShapeInference.infer(new Graph(fixture.model()), Map.of());
        Shapes after = ShapeInference.infer(new Graph(result.model()), Map.of());
        long tokens = tokenCount(fixture.model(), before);
        int tokenAxes = 0;
        for (NodeProto node : fixture.model().getGraph().getNodeList()) {
            for (String tensor : node.getOutputList()) {
                if (!before.has(tensor) || before.dims(tensor).length < 3) {
                    continue;
                }
                long[] was = before.dims(tensor);
                assertThat(after.has(tensor)).as(tensor + " is still in the pruned model").isTrue();
                for (int axis = 1; axis < was.length; axis++) {
                    if (was[axis] == tokens) {
                        tokenAxes++;
                        assertThat(after.dims(tensor)[axis]).as(fixture + ": " + tensor + " axis " + axis
                                + " holds the tokens").isEqualTo(tokens);
                    }
                }
            }
        }
        assertThat(tokenAxes).as("tensors with a token axis").isGreaterThan(10);
        long cut = result.model().getGraph().getInitializerList().stream()
                .filter(t -> fixture.model().getGraph().getInitializerList().stream()
                        .anyMatch(o -> o.getName().equals(t.getName()) && !o.getDimsList().equals(t.getDimsList())))
                .count();
        assertThat(cut).as("weights whose shape changed").isPositive();
    }

    /** The tokens of a patch embedding: the spatial size of the first Conv's output. */
    private static long tokenCount(ModelProto model, Shapes shapes) {
        NodeProto patches = model.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv"))
                .findFirst().orElseThrow();
        long[] dims = shapes.dims(patches.getOutput(0));
        return dims[2] * dims[3];
    }

    private static void assertMetAndEqualToTheMaskedOriginal(Fixture fixture) {
        assertThat(Conformance.check(fixture, FRACTION, Scope.FILTERS)).as(fixture + ": the budget is met")
                .isInstanceOf(Conformance.Ok.class);
        RealModelSurgeryProofTest.assertCutEqualsMasked(fixture, Scope.FILTERS);
    }

    private static void assertRefusalNamesItsReasons(Fixture fixture, BudgetUnreachableException e) {
        assertThat(e.code()).isEqualTo("BUDGET_UNREACHABLE");
        assertThat(e.smallestReachableMacs()).as(fixture + ": the smallest reachable model is above the target")
                .isGreaterThan(e.targetMacs());
        assertThat(e.frozenReasons()).as(fixture + ": the reasons that freeze the most MACs").isNotEmpty();
        for (FrozenReason reason : e.frozenReasons()) {
            assertThat(reason.macs()).as(reason.reason()).isPositive();
            assertThat(e.getMessage()).as(fixture + ": the message names every reason").contains(reason.reason());
        }
        assertThat(e.otherScope()).as(fixture + ": what scope channels would reach").isNotNull();
        assertThat(e.getMessage()).contains("scope " + e.otherScope().scope() + " would reach");
    }
}
