package io.shears.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.onnx.ModelWriter;
import io.shears.testing.OnnxGraphBuilder;
import io.shears.testing.OrtRunner;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof that surgery is exact: for random channel subsets, the physically cut model computes (within 1e-5
 * relative) what the original computes with those channels zeroed, at batch 1 and 8, in ONNX Runtime.
 */
class SurgeryProofTest {
    static Stream<Arguments> graphsAndScopes() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (Method m : TestGraphs.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && m.getReturnType() == OnnxGraphBuilder.class) {
                for (Scope scope : Scope.values()) {
                    out.add(Arguments.of(m.getName(), scope));
                }
            }
        }
        out.sort((a, b) -> (a.get()[0] + "" + a.get()[1]).compareTo(b.get()[0] + "" + b.get()[1]));
        return out.stream();
    }

    static ModelProto build(String factory) throws Exception {
        OnnxGraphBuilder b = (OnnxGraphBuilder) TestGraphs.class.getMethod(factory).invoke(null);
        return b.build(Math.max(13, b.minimumOpset()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("graphsAndScopes")
    void cutModelComputesWhatTheMaskedModelComputes(String factory, Scope scope) throws Exception {
        ModelProto model = build(factory);
        ChannelAnalysis analysis = Pruner.analyze(model, PruningOptions.defaults().withScope(scope));
        SplittableRandom random = new SplittableRandom(factory.hashCode() * 31L + scope.ordinal());
        int trials = analysis.prunableGroups().isEmpty() ? 0 : 4;
        for (int trial = 0; trial < trials; trial++) {
            boolean[] pruned = randomSubset(analysis, random);
            ModelProto cut = GraphSurgeon.cut(analysis, pruned);
            ModelProto masked = ChannelMasking.zeroChannels(analysis, pruned);
            assertThat(cut.getSerializedSize()).as("something was cut").isLessThan(model.getSerializedSize());
            for (long batch : new long[] {1, 8}) {
                long[] shape = TestGraphs.inputShape(batch);
                float[] input = OrtRunner.randomInput(trial * 7L + batch, shape);
                float[] expected = OrtRunner.run(ModelWriter.toBytes(masked), input, shape);
                float[] actual = OrtRunner.run(ModelWriter.toBytes(cut), input, shape);
                assertClose(factory + " trial " + trial + " batch " + batch, expected, actual, 1e-5);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("graphsAndScopes")
    void nothingPrunedIsBitIdentical(String factory, Scope scope) throws Exception {
        ModelProto model = build(factory);
        PruningResult result = Pruner.prune(model, new Budget.Fraction(1.0), PruningOptions.defaults().withScope(scope));
        long[] shape = TestGraphs.inputShape(8);
        float[] input = OrtRunner.randomInput(5, shape);
        assertThat(OrtRunner.run(ModelWriter.toBytes(result.model()), input, shape))
                .containsExactly(OrtRunner.run(ModelWriter.toBytes(model), input, shape));
        assertThat(result.report().pruned().macs()).isEqualTo(result.report().original().macs());
    }

    /** Each prunable group loses a random share of its channels, keeping one in every Split/Slice output. */
    static boolean[] randomSubset(ChannelAnalysis analysis, SplittableRandom random) {
        boolean[] pruned = new boolean[analysis.classCount()];
        for (ChannelGroup g : analysis.prunableGroups()) {
            int[] local = new int[g.channels()];
            for (int i = 0; i < local.length; i++) {
                local[i] = i;
            }
            for (int i = local.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = local[i];
                local[i] = local[j];
                local[j] = t;
            }
            int remove = random.nextInt(1, Math.max(2, g.channels()));
            int removed = 0;
            for (int i : local) {
                if (removed == remove) {
                    break;
                }
                boolean emptiesSegment = g.segments().stream().anyMatch(s -> Arrays.binarySearch(s, i) >= 0
                        && Arrays.stream(s).filter(k -> !pruned[g.classIds()[k]]).count() <= 1);
                if (!emptiesSegment && g.channels() - removed > 1) {
                    pruned[g.classIds()[i]] = true;
                    removed++;
                }
            }
        }
        return pruned;
    }

    static void assertClose(String what, float[] expected, float[] actual, double relative) {
        assertThat(actual).as(what + ": output length").hasSameSizeAs(expected);
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertThat(worst).as(what + ": max |diff| against max |ref| " + scale).isLessThanOrEqualTo(relative * Math.max(scale, 1e-6));
    }
}
