package io.shears.engine.interpreter;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.conformance.Fixtures.Fixture;
import io.shears.conformance.Fixtures;
import io.shears.engine.Parity;
import io.shears.onnx.ModelWriter;
import io.shears.pruning.Budget;
import io.shears.pruning.BudgetUnreachableException;
import io.shears.pruning.Pruner;
import io.shears.pruning.PruningOptions;
import io.shears.pruning.Scope;
import io.shears.testing.OnnxGraphBuilder;
import io.shears.testing.OrtRunner;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The interpreter's parity bar: for every TestGraphs factory and every torchvision fixture, original and pruned to half its
 * MACs in scope channels (or the smallest reachable model where half cannot be reached), the interpreter's output
 * is ONNX Runtime's within max |diff| <= 1e-4 max |ref|, at batch 1 and batch 8 (the 224x224
 * vgg11_bn fixtures included). The torchvision fixtures include the transformer-style ones (ViT, ConvNeXt, Swin:
 * LayerNormalization, attention and the shape sub-graphs around them).
 */
class InterpreterParityTest {
    private record Factory(String name, Supplier<OnnxGraphBuilder> builder) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Factory> FACTORIES = List.of(
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
            new Factory("tiledFeatures", TestGraphs::tiledFeatures));

    private static final Map<String, ModelProto> PRUNED = new ConcurrentHashMap<>();
    /** Worst relative error per model and variant, printed after the run for the record. */
    private static final Map<String, Double> WORST = new ConcurrentSkipListMap<>();

    static Stream<Arguments> factories() {
        List<Arguments> cases = new ArrayList<>();
        for (Factory f : FACTORIES) {
            for (int opset : new int[] {13, 17}) {
                if (f.builder().get().supportsOpset(opset)) {
                    for (boolean pruned : new boolean[] {false, true}) {
                        cases.add(Arguments.of(f, opset, pruned));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} opset {1} pruned {2}")
    @MethodSource("factories")
    void testGraphsMatchOnnxRuntime(Factory factory, int opset, boolean pruned) {
        ModelProto original = factory.builder().get().build(opset);
        String key = factory.name() + "-op" + opset;
        ModelProto model = pruned ? PRUNED.computeIfAbsent(key, k -> halfMacs(original)) : original;
        for (long batch : new long[] {1, 8}) {
            compare(model, TestGraphs.inputShape(batch), key + (pruned ? " pruned" : " original"), batch);
        }
    }

    static Stream<Arguments> fixtures() {
        return Stream.of(Fixtures.all(), Fixtures.transformers(), Fixtures.grouped(), Fixtures.hub())
                .flatMap(List::stream)
                .flatMap(f -> Stream.of(Arguments.of(f, false), Arguments.of(f, true)));
    }

    @ParameterizedTest(name = "{0} pruned {1}")
    @MethodSource("fixtures")
    void torchvisionFixturesMatchOnnxRuntime(Fixture fixture, boolean pruned) {
        ModelProto model = pruned ? PRUNED.computeIfAbsent(fixture.name(), k -> halfMacs(fixture.model()))
                : fixture.model();
        for (long batch : new long[] {1, 8}) {
            compare(model, fixture.inputShape(batch), fixture.name() + (pruned ? " pruned" : " original"), batch);
        }
    }

    private static void compare(ModelProto model, long[] shape, String what, long batch) {
        float[] input = OrtRunner.randomInput(31 * batch + what.hashCode(), shape);
        float[] reference = OrtRunner.run(ModelWriter.toBytes(model), input, shape);
        Interpreter.Output output = Interpreter.run(model, input, shape);
        assertThat(output.shape()[0]).as(what + ": batch of the output").isEqualTo(batch);
        double error = Parity.assertClose(output.values(), reference, what + " at batch " + batch);
        WORST.merge(what, error, Math::max);
    }

    /** Half the MACs in scope channels, or the smallest model the options reach. */
    static ModelProto halfMacs(ModelProto model) {
        PruningOptions options = PruningOptions.defaults().withScope(Scope.CHANNELS);
        try {
            return Pruner.prune(model, new Budget.Fraction(0.5), options).model();
        } catch (BudgetUnreachableException e) {
            return Pruner.prune(model, new Budget.Macs(e.smallestReachableMacs()), options).model();
        }
    }

    @AfterAll
    static void printWorstCases() {
        StringBuilder table = new StringBuilder("interpreter vs ONNX Runtime, worst max|diff|/max|ref| per model:\n");
        WORST.forEach((model, error) -> table.append(String.format(Locale.ROOT, "  %-48s %.2e%n", model, error)));
        System.out.print(table);
    }
}
