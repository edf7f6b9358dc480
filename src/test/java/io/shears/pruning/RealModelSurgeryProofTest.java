package io.shears.pruning;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.shears.conformance.Fixtures;
import io.shears.conformance.Fixtures.Fixture;
import io.shears.onnx.ModelWriter;
import io.shears.testing.OrtRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SurgeryProofTest}'s proof on the real torchvision fixtures, with the plan the pruner itself makes: the model
 * cut at 0.5 of its MACs (or at the smallest reachable figure when 0.5 is out of reach) computes what the original
 * computes with the same channels zeroed ({@link ChannelMasking}), within 1e-4 of max |ref| (float accumulation over
 * many layers), at batch 1 and 2 in ONNX Runtime.
 *
 * <p>The randomly initialised mobilenet_v2, mobilenet_v3_small and efficientnet_b0 fixtures lose the input's signal
 * within a few blocks (their logits differ between two random inputs by about 1e-7 of their size), so their final
 * output tests little more than the bias path. The proof therefore also compares every channel-tracked intermediate
 * activation at batch 2: the cut model's tensor must equal the kept channels of the masked model's tensor.
 */
public class RealModelSurgeryProofTest {
    public static final double FRACTION = 0.5;
    public static final double TOLERANCE = 1e-4;
    static final long[] BATCHES = {1, 2};

    /**
     * One proof.
     *
     * @param budget           the budget the plan was solved for
     * @param channelsCut      channels the plan removes, of {@code channels} in prunable groups
     * @param relativeDiff     per batch: max |cut − masked| / max |masked| on the graph output
     * @param maskEffect       per batch: max |masked − original| / max |original|, how much the masking changed the output
     * @param tensorsCompared  intermediate activations compared at batch 2
     * @param layerwiseWorst   the largest max |cut − kept(masked)| / max |kept(masked)| over those activations
     * @param layerwiseTensor  the activation where that largest difference is
     * @param batches          the batch sizes run, in the order of {@code relativeDiff} and {@code maskEffect}
     */
    public record Proof(String budget, long macs, int channelsCut, int channels, double[] relativeDiff,
                        double[] maskEffect, int tensorsCompared, double layerwiseWorst, String layerwiseTensor,
                        long[] batches) {
        public double worst() {
            double w = layerwiseWorst;
            for (double d : relativeDiff) {
                w = Math.max(w, d);
            }
            return w;
        }
    }

    static Stream<Arguments> fixturesAndScopes() {
        return Fixtures.all().stream().flatMap(f -> Stream.of(Scope.values()).map(s -> Arguments.of(f, s)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fixturesAndScopes")
    void cutModelComputesWhatTheMaskedModelComputes(Fixture fixture, Scope scope) {
        assertCutEqualsMasked(fixture, scope);
    }

    static Stream<Arguments> transformersAndScopes() {
        return Fixtures.transformers().stream().flatMap(f -> Stream.of(Scope.values()).map(s -> Arguments.of(f, s)));
    }

    /**
     * ViT, ConvNeXt and Swin, with attention heads and MLP widths cut: the cut model computes what the masked one
     * does (a head whose Q, K and V are zeroed contributes zeros to the output projection, as a removed head does).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transformersAndScopes")
    void transformerCutModelComputesWhatTheMaskedModelComputes(Fixture fixture, Scope scope) {
        assertCutEqualsMasked(fixture, scope);
    }

    static Stream<Arguments> groupedFixturesScopesAndModes() {
        return Fixtures.grouped().stream().flatMap(f -> Stream.of(Scope.values()).flatMap(s ->
                Stream.of(GroupedConvolutions.values()).map(mode -> Arguments.of(f, s, mode))));
    }

    /** ResNeXt and RegNetY, their grouped convolutions cut within groups and as whole groups. */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("groupedFixturesScopesAndModes")
    void groupedCutModelComputesWhatTheMaskedModelComputes(Fixture fixture, Scope scope, GroupedConvolutions mode) {
        assertCutEqualsMasked(fixture, PruningOptions.defaults().withScope(scope).withGroupedConvolutions(mode));
    }

    /** The transformers with the head width as the unit: every head narrows alike and keeps computing what it did. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.shears.pruning.RealModelSurgeryProofTest#transformers")
    void transformerCutByHeadWidthComputesWhatTheMaskedModelComputes(Fixture fixture) {
        assertCutEqualsMasked(fixture, PruningOptions.defaults().withAttentionUnit(AttentionUnit.HEAD_WIDTH));
    }

    static Stream<Fixture> transformers() {
        return Fixtures.transformers().stream();
    }

    static void assertCutEqualsMasked(Fixture fixture, Scope scope) {
        assertCutEqualsMasked(fixture, PruningOptions.defaults().withScope(scope));
    }

    private static void assertCutEqualsMasked(Fixture fixture, PruningOptions options) {
        assertCutEqualsMasked(fixture.toString(), options.scope(), prove(fixture, options));
    }

    static void assertCutEqualsMasked(String fixture, Scope scope, Proof proof) {
        assertThat(proof.channelsCut()).as("the plan cuts something").isPositive();
        for (int i = 0; i < proof.batches().length; i++) {
            assertThat(proof.relativeDiff()[i]).as(fixture + " " + scope + " batch " + proof.batches()[i]
                    + ": max |cut - masked| / max |masked|").isLessThanOrEqualTo(TOLERANCE);
            assertThat(proof.maskEffect()[i]).as(fixture + " " + scope + ": the masking changes the output, so the "
                    + "comparison is not vacuous").isGreaterThan(10 * TOLERANCE);
        }
        assertThat(proof.tensorsCompared()).as("intermediate activations compared").isGreaterThan(5);
        assertThat(proof.layerwiseWorst()).as(fixture + " " + scope + ": activation " + proof.layerwiseTensor())
                .isLessThanOrEqualTo(TOLERANCE);
    }

    /** Solves the plan as {@link Pruner#prune} does, checks it is the one Pruner cuts, and compares cut with masked. */
    public static Proof prove(Fixture fixture, Scope scope) {
        return prove(fixture, PruningOptions.defaults().withScope(scope));
    }

    /** The same with any options. */
    public static Proof prove(Fixture fixture, PruningOptions options) {
        return prove(fixture.toString(), fixture.model(), fixture::inputShape, options, BATCHES);
    }

    /**
     * The same proof on any single-input model; {@code inputShape} gives the input's shape at a batch size, and the
     * intermediate activations are compared at the last of {@code batches}.
     */
    static Proof prove(String fixture, ModelProto model, LongFunction<long[]> inputShape, Scope scope,
                       long... batches) {
        return prove(fixture, model, inputShape, PruningOptions.defaults().withScope(scope), batches);
    }

    static Proof prove(String fixture, ModelProto model, LongFunction<long[]> inputShape, PruningOptions options,
                       long... batches) {
        Scope scope = options.scope();
        ChannelAnalysis analysis = Pruner.analyze(model, options);
        double[] scores = Importance.score(analysis, options.criterion(), options.seed());
        BudgetSolver solver = new BudgetSolver(analysis, scores, new PrunedCost(analysis), options);
        Budget budget = new Budget.Fraction(FRACTION);
        BudgetSolver.Plan plan;
        try {
            plan = solver.solve(budget.targetMacs(analysis.cost().macs()));
        } catch (BudgetUnreachableException e) {
            budget = new Budget.Macs(e.smallestReachableMacs());
            plan = solver.solve(e.smallestReachableMacs());
        }
        boolean[] pruned = plan.pruned();
        ModelProto cut = GraphSurgeon.cut(analysis, pruned);
        assertThat(ModelWriter.toBytes(cut)).as("the plan is the one Pruner.prune cuts")
                .isEqualTo(ModelWriter.toBytes(Pruner.prune(model, budget, options).model()));
        ModelProto masked = ChannelMasking.zeroChannels(analysis, pruned);
        int cutCount = 0;
        int channels = 0;
        for (ChannelGroup g : analysis.prunableGroups()) {
            channels += g.channels();
            for (int c : g.classIds()) {
                cutCount += pruned[c] ? 1 : 0;
            }
        }
        List<String> tracked = trackedActivations(analysis);
        byte[] originalBytes = ModelWriter.toBytes(model);
        double[] diff = new double[batches.length];
        double[] effect = new double[batches.length];
        double layerwise = 0;
        String worstTensor = "";
        for (int i = 0; i < batches.length; i++) {
            boolean exposeAll = i == batches.length - 1;
            long[] shape = inputShape.apply(batches[i]);
            float[] input = OrtRunner.randomInput(17 + batches[i], shape);
            Map<String, OrtRunner.Output> expected = OrtRunner.runAll(bytes(masked, exposeAll ? tracked : List.of()),
                    input, shape);
            Map<String, OrtRunner.Output> actual = OrtRunner.runAll(bytes(cut, exposeAll ? tracked : List.of()),
                    input, shape);
            float[] original = OrtRunner.run(originalBytes, input, shape);
            float[] expectedOut = expected.values().iterator().next().values();
            float[] actualOut = actual.values().iterator().next().values();
            assertThat(actualOut).as(fixture + " " + scope + ": output length").hasSameSizeAs(expectedOut);
            diff[i] = relative(expectedOut, actualOut);
            effect[i] = relative(original, expectedOut);
            if (exposeAll) {
                for (String t : tracked) {
                    double d = keptRelative(analysis, pruned, t, expected.get(t), actual.get(t));
                    if (d > layerwise || worstTensor.isEmpty()) {
                        layerwise = Math.max(layerwise, d);
                        worstTensor = t;
                    }
                }
            }
        }
        return new Proof(budget.describe(), plan.macs(), cutCount, channels, diff, effect, tracked.size(), layerwise,
                worstTensor, batches.clone());
    }

    /** Outputs of computing nodes whose channels the analysis tracks, other than the graph outputs. */
    private static List<String> trackedActivations(ChannelAnalysis analysis) {
        List<String> out = new ArrayList<>();
        for (NodeProto n : analysis.graph().model().getGraph().getNodeList()) {
            if (n.getOpType().equals("Constant") || n.getOpType().equals("Identity")) {
                continue;
            }
            for (String t : n.getOutputList()) {
                if (!t.isEmpty() && analysis.channelsOf(t) != null && !analysis.graph().isOutput(t)) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    private static byte[] bytes(ModelProto model, List<String> expose) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        for (String t : expose) {
            g.addOutput(ValueInfoProto.newBuilder().setName(t).setType(TypeProto.newBuilder()
                    .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
        }
        return ModelWriter.toBytes(model.toBuilder().setGraph(g).build());
    }

    /** Compares the cut activation with the masked activation's kept channels; fails on a shape mismatch. */
    private static double keptRelative(ChannelAnalysis analysis, boolean[] pruned, String tensor,
                                       OrtRunner.Output masked, OrtRunner.Output cut) {
        int axis = analysis.channelAxisOf(tensor);
        int[] channels = analysis.channelsOf(tensor);
        long[] ms = masked.shape();
        long[] cs = cut.shape();
        assertThat(ms[axis]).as(tensor + ": channel axis of the masked activation").isEqualTo(channels.length);
        int kept = 0;
        for (int c : channels) {
            kept += pruned[c] ? 0 : 1;
        }
        assertThat(cs).as(tensor + ": rank").hasSameSizeAs(ms);
        for (int d = 0; d < ms.length; d++) {
            assertThat(cs[d]).as(tensor + ": dimension " + d + " of the cut activation").isEqualTo(d == axis ? kept : ms[d]);
        }
        long outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= ms[d];
        }
        long inner = 1;
        for (int d = axis + 1; d < ms.length; d++) {
            inner *= ms[d];
        }
        float[] mv = masked.values();
        float[] cv = cut.values();
        double scale = 0;
        double worst = 0;
        for (long o = 0; o < outer; o++) {
            int k = 0;
            for (int c = 0; c < channels.length; c++) {
                if (pruned[channels[c]]) {
                    continue;
                }
                for (long i = 0; i < inner; i++) {
                    float m = mv[(int) ((o * channels.length + c) * inner + i)];
                    float x = cv[(int) ((o * kept + k) * inner + i)];
                    scale = Math.max(scale, Math.abs(m));
                    worst = Math.max(worst, Math.abs(m - x));
                }
                k++;
            }
        }
        return worst / Math.max(scale, 1e-6);
    }

    private static double relative(float[] reference, float[] other) {
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < reference.length; i++) {
            scale = Math.max(scale, Math.abs(reference[i]));
            worst = Math.max(worst, Math.abs(reference[i] - other[i]));
        }
        return worst / Math.max(scale, 1e-6);
    }
}
