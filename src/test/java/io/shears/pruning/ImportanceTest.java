package io.shears.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.onnx.TensorValues;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Importance criteria, checked against a direct computation on the weights. */
class ImportanceTest {
    private static ChannelAnalysis analysis(String factory) throws Exception {
        return Pruner.analyze(SurgeryProofTest.build(factory), PruningOptions.defaults().withScope(Scope.CHANNELS));
    }

    /** Per-index slice norm along an axis, as a reference. */
    private static double[] norms(ModelProto m, String tensor, int axis, boolean l2) {
        var t = m.getGraph().getInitializerList().stream().filter(i -> i.getName().equals(tensor)).findFirst().orElseThrow();
        float[] v = TensorValues.floats(t);
        long[] d = TensorValues.dims(t);
        double[] out = new double[(int) d[axis]];
        long inner = 1;
        for (int i = axis + 1; i < d.length; i++) {
            inner *= d[i];
        }
        for (int i = 0; i < v.length; i++) {
            int k = (int) ((i / inner) % d[axis]);
            out[k] += l2 ? v[i] * (double) v[i] : Math.abs(v[i]);
        }
        if (l2) {
            for (int k = 0; k < out.length; k++) {
                out[k] = Math.sqrt(out[k]);
            }
        }
        double mean = Arrays.stream(out).average().orElseThrow();
        return Arrays.stream(out).map(x -> x / mean).toArray();
    }

    @Test
    void l1AndL2AverageTheFiltersAndTheConsumersInputSlices() throws Exception {
        ChannelAnalysis a = analysis("flattenGemm");
        ChannelGroup g = a.groups().get(0);
        assertThat(g.members()).containsExactly("conv0:conv0.weight[0]", "conv0:conv0.bias[0]", "conv1:conv1.weight[1]");
        for (boolean l2 : new boolean[] {false, true}) {
            double[] scores = Importance.score(a, l2 ? Criterion.L2 : Criterion.L1, 0);
            double[] filters = norms(a.graph().model(), "conv0.weight", 0, l2);
            double[] inputs = norms(a.graph().model(), "conv1.weight", 1, l2);
            for (int k = 0; k < g.channels(); k++) {
                assertThat(scores[g.classIds()[k]]).isCloseTo((filters[k] + inputs[k]) / 2, within(1e-9));
            }
        }
    }

    @Test
    void bnScaleReadsGammaAndFallsBackToL1WithoutBatchNorm() throws Exception {
        ChannelAnalysis a = analysis("resnetBottleneck");
        ChannelGroup withBn = a.groups().stream().filter(g -> g.name().equals("conv1")).findFirst().orElseThrow();
        double[] scores = Importance.score(a, Criterion.BN_SCALE, 0);
        double[] gamma = norms(a.graph().model(), "bn1.scale", 0, false);
        for (int k = 0; k < withBn.channels(); k++) {
            assertThat(scores[withBn.classIds()[k]]).isCloseTo(gamma[k], within(1e-9));
        }
        ChannelAnalysis noBn = analysis("flattenGemm");
        assertThat(Importance.score(noBn, Criterion.BN_SCALE, 0)).containsExactly(Importance.score(noBn, Criterion.L1, 0));
    }

    @Test
    void randomIsSeeded() throws Exception {
        ChannelAnalysis a = analysis("resnetBasicBlocks");
        assertThat(Importance.score(a, Criterion.RANDOM, 7)).containsExactly(Importance.score(a, Criterion.RANDOM, 7));
        assertThat(Importance.score(a, Criterion.RANDOM, 7)).isNotEqualTo(Importance.score(a, Criterion.RANDOM, 8));
    }

    @Test
    void theSolverRemovesTheLeastImportantChannels() throws Exception {
        ChannelAnalysis a = analysis("resnetBasicBlocks");
        double[] scores = Importance.score(a, Criterion.L1, 0);
        PruningOptions options = PruningOptions.defaults().withScope(Scope.CHANNELS).withRoundTo(1);
        BudgetSolver solver = new BudgetSolver(a, scores, new PrunedCost(a), options);
        BudgetSolver.Plan plan = solver.solve((long) (a.cost().macs() * 0.5));
        int cutGroups = 0;
        for (ChannelGroup g : a.prunableGroups()) {
            double worstKept = Arrays.stream(g.classIds()).filter(c -> !plan.pruned()[c]).mapToDouble(c -> scores[c])
                    .min().orElseThrow();
            double bestPruned = Arrays.stream(g.classIds()).filter(c -> plan.pruned()[c]).mapToDouble(c -> scores[c])
                    .max().orElse(Double.NEGATIVE_INFINITY);
            assertThat(bestPruned).as(g.name()).isLessThanOrEqualTo(worstKept);
            cutGroups += bestPruned > Double.NEGATIVE_INFINITY ? 1 : 0;
        }
        assertThat(cutGroups).isGreaterThan(1);
        assertThat(new PrunedCost(a).macs(plan.pruned())).isEqualTo(plan.macs());
    }
}
