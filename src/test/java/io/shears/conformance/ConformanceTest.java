package io.shears.conformance;

import io.shears.conformance.Fixtures.Fixture;
import io.shears.onnx.ModelWriter;
import io.shears.pruning.Budget;
import io.shears.pruning.ChannelAnalysis;
import io.shears.pruning.ChannelGroup;
import io.shears.pruning.GroupedConvolutions;
import io.shears.pruning.Pruner;
import io.shears.pruning.PruningResult;
import io.shears.pruning.Scope;
import io.shears.testing.OrtRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every torchvision fixture × target fraction {0.75, 0.5, 0.25} × scope {filters, channels}, with the default options
 * otherwise (l1, uniform, round-to 8): either a model that satisfies DESIGN.md's "what a published model must satisfy"
 * (see {@link Conformance#check}) or a {@code BudgetUnreachableException} whose smallest figure is above the target
 * and can itself be pruned to exactly.
 */
class ConformanceTest {
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Fixture f : Fixtures.all()) {
            for (double fraction : Conformance.FRACTIONS) {
                for (Scope scope : Scope.values()) {
                    out.add(Arguments.of(f, fraction, scope));
                }
            }
        }
        return out.stream();
    }

    static Stream<Arguments> transformerCases() {
        return Fixtures.transformers().stream().flatMap(f -> Stream.of(Scope.values())
                .map(scope -> Arguments.of(f, 0.5, scope)));
    }

    static Stream<Arguments> groupedCases() {
        return Fixtures.grouped().stream().flatMap(f -> Stream.of(Scope.values()).flatMap(scope ->
                Stream.of(GroupedConvolutions.values()).map(mode -> Arguments.of(f, scope, mode))));
    }

    static Stream<Arguments> fixturesAndScopes() {
        return Fixtures.all().stream().flatMap(f -> Stream.of(Scope.values()).map(s -> Arguments.of(f, s)));
    }

    @Test
    void theManifestListsEveryFixture() throws Exception {
        assertThat(Fixtures.all()).hasSize(Fixtures.EXPECTED_COUNT);
        try (var files = Files.list(Fixtures.DIRECTORY)) {
            assertThat(files.filter(p -> p.toString().endsWith(".onnx")).map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(Fixtures.all().stream().map(Fixture::file).toList());
        }
        assertThat(Fixtures.all().stream().map(Fixture::arch).distinct()).containsExactlyInAnyOrder("resnet18",
                "resnet50", "mobilenet_v2", "mobilenet_v3_small", "efficientnet_b0", "densenet121", "vgg11_bn",
                "squeezenet1_1");
        try (var files = Files.list(Fixtures.TRANSFORMER_DIRECTORY)) {
            assertThat(files.filter(p -> p.toString().endsWith(".onnx")).map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(Fixtures.transformers().stream().map(Fixture::file).toList());
        }
        assertThat(Fixtures.transformers().stream().map(f -> f.arch() + "-op" + f.opset())).containsExactlyInAnyOrder(
                "vit-op13", "vit-op17", "convnext-op13", "convnext-op17", "swin-op13", "swin-op17");
        try (var files = Files.list(Fixtures.GROUPED_DIRECTORY)) {
            assertThat(files.filter(p -> p.toString().endsWith(".onnx")).map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(Fixtures.grouped().stream().map(Fixture::file).toList());
        }
        assertThat(Fixtures.grouped().stream().map(Fixture::arch).distinct()).containsExactly("resnext", "regnet");
    }

    /**
     * ResNeXt and RegNetY meet half their MACs in both scopes, their grouped convolutions cut within groups and as
     * whole groups; in scope filters those are the cuts that make it reachable.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("groupedCases")
    void groupedConvolutionModelsMeetHalfTheirMacs(Fixture fixture, Scope scope, GroupedConvolutions mode) {
        Conformance.Outcome outcome = Conformance.check(fixture, 0.5,
                Conformance.options(scope).withGroupedConvolutions(mode));
        assertThat(outcome).isInstanceOf(Conformance.Ok.class);
    }

    /** Every grouped convolution of the fixtures is cut at 0.5 in scope filters: none is frozen. */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("groupedCases")
    void noGroupedConvolutionIsFrozen(Fixture fixture, Scope scope, GroupedConvolutions mode) {
        ChannelAnalysis analysis = Pruner.analyze(fixture.model(),
                Conformance.options(scope).withGroupedConvolutions(mode));
        assertThat(analysis.frozenGroups()).flatExtracting(ChannelGroup::frozenReasons)
                .noneMatch(r -> r.contains("group"));
        assertThat(analysis.prunableGroups()).as("some group spans several positions per channel")
                .anyMatch(g -> g.unitWidth() > 1);
    }

    @ParameterizedTest(name = "{0} {2} {1}")
    @MethodSource("cases")
    void prunesToTheBudgetOrSaysHowCloseItCanGet(Fixture fixture, double fraction, Scope scope) {
        Conformance.Outcome outcome = Conformance.check(fixture, fraction, scope);
        assertThat(outcome).isNotNull();
    }

    /**
     * Transformer-style models meet half their MACs in either scope: attention heads and MLP hidden widths are cut,
     * and the model conforms (runs in ONNX Runtime at batch 1 and 8, same bytes twice).
     */
    @ParameterizedTest(name = "{0} {2} {1}")
    @MethodSource("transformerCases")
    void transformersMeetHalfTheirMacs(Fixture fixture, double fraction, Scope scope) {
        assertThat(Conformance.check(fixture, fraction, scope)).isInstanceOf(Conformance.Ok.class);
    }

    /**
     * In scope filters, as in scope channels, every block's MLP hidden width is one group (the first projection's
     * outputs and bias, and the second projection's inputs) and so are its attention heads (one channel per head,
     * spanning the Q, K and V projection and the output projection's inputs). The stream keeps its width.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("transformerFixtures")
    void scopeFiltersPrunesEveryBlocksMlpHiddenWidthAndHeads(Fixture fixture) {
        Map<String, Integer> blocks = Map.of("vit", 2, "convnext", 2, "swin", 4);
        Map<String, Integer> attentions = Map.of("vit", 2, "convnext", 0, "swin", 4);
        ChannelAnalysis filters = Pruner.analyze(fixture.model(), Conformance.options(Scope.FILTERS));

        List<ChannelGroup> mlp = filters.prunableGroups().stream().filter(g -> g.unitWidth() == 1).toList();
        List<ChannelGroup> heads = filters.prunableGroups().stream().filter(g -> g.unitWidth() > 1).toList();
        assertThat(mlp).hasSize(blocks.get(fixture.arch())).allSatisfy(g ->
                assertThat(g.members()).satisfiesExactly(
                        first -> assertThat(first).contains("MatMul:").endsWith("[1]"),
                        bias -> assertThat(bias).contains("/Add:").endsWith(".bias[0]"),
                        second -> assertThat(second).contains("MatMul:").endsWith("[0]")));
        assertThat(heads).hasSize(attentions.get(fixture.arch())).allSatisfy(g -> {
            assertThat(g.channels()).as("heads").isGreaterThan(1);
            assertThat(g.members()).as("the qkv projection, its bias and the output projection's inputs")
                    .hasSizeGreaterThanOrEqualTo(3).anySatisfy(m -> assertThat(m).contains("bias"));
        });
    }

    /**
     * The shape sub-graphs that read the batch size stay in the published model: no Reshape, Expand or Where is lost,
     * and the pruned model takes batch sizes the analysis never saw, giving the original output shape at each.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("transformerFixtures")
    void prunedTransformersKeepTheirShapeSubGraphs(Fixture fixture) {
        PruningResult result = Pruner.prune(fixture.model(), new Budget.Fraction(0.8), Conformance.options(Scope.CHANNELS));

        assertThat(result.report().pruned().macs()).as("something was pruned")
                .isLessThan(result.report().original().macs());
        for (String op : List.of("Where", "Expand", "Reshape")) {
            assertThat(count(result.model(), op)).as(fixture + ": " + op + " nodes").isEqualTo(count(fixture.model(), op));
        }
        assertThat(count(result.model(), "Shape") > 0).as(fixture + ": Shape nodes still read the batch size")
                .isEqualTo(count(fixture.model(), "Shape") > 0);
        for (long batch : new long[] {3, 5}) {
            long[] shape = fixture.inputShape(batch);
            long[] expected = OrtRunner.outputShape(ModelWriter.toBytes(fixture.model()), OrtRunner.randomInput(batch, shape), shape);
            assertThat(OrtRunner.outputShape(ModelWriter.toBytes(result.model()), OrtRunner.randomInput(batch, shape), shape))
                    .as(fixture + " at batch " + batch).containsExactly(expected);
        }
    }

    static Stream<Fixture> transformerFixtures() {
        return Fixtures.transformers().stream();
    }

    private static long count(ai.onnx.proto.OnnxMl.ModelProto model, String op) {
        return model.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(op)).count();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fixturesAndScopes")
    void nothingPrunedIsBitIdentical(Fixture fixture, Scope scope) {
        PruningResult result = Pruner.prune(fixture.model(), new Budget.Fraction(1.0), Conformance.options(scope));
        assertThat(result.report().pruned().macs()).isEqualTo(result.report().original().macs());
        long[] shape = fixture.inputShape(2);
        float[] input = OrtRunner.randomInput(11, shape);
        OrtRunner.Output expected = OrtRunner.runAll(ModelWriter.toBytes(fixture.model()), input, shape)
                .values().iterator().next();
        assertThat(expected.shape()).as("the original's output shape is the manifest's")
                .containsExactly(fixture.outputShape(2));
        assertThat(OrtRunner.run(ModelWriter.toBytes(result.model()), input, shape)).containsExactly(expected.values());
    }
}
