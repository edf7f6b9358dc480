package io.shears.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.graph.CostModel;
import io.shears.graph.CostReport;
import io.shears.graph.Graph;
import io.shears.graph.ShapeInference;
import io.shears.graph.Shapes;

import java.util.ArrayList;
import java.util.List;

/**
 * Zero-shot structured pruning of an ONNX model to a compute budget: trace channel dependencies, score channels by
 * weight magnitude, solve for the channel counts that meet the budget, cut the model, and check the cut model by
 * inferring its shapes and cost again. The entry point for the command line, the service and the workers alike.
 */
public final class Pruner {
    private Pruner() {
    }

    public static ChannelAnalysis analyze(ModelProto model, PruningOptions options) {
        Graph graph = new Graph(model);
        Shapes shapes = ShapeInference.infer(graph, options.inputShapes());
        return ChannelAnalyzer.analyze(graph, shapes, options);
    }

    public static PruningResult prune(ModelProto model, Budget budget, PruningOptions options) {
        long start = System.nanoTime();
        ChannelAnalysis analysis = analyze(model, options);
        long analyzed = System.nanoTime();

        long originalMacs = analysis.cost().macs();
        long targetMacs = budget.targetMacs(originalMacs);
        double[] scores = Importance.score(analysis, options.criterion(), options.seed());
        BudgetSolver.Plan plan;
        try {
            plan = new BudgetSolver(analysis, scores, new PrunedCost(analysis), options).solve(targetMacs);
        } catch (BudgetUnreachableException e) {
            throw explained(e, model, analysis, options);
        }
        long solved = System.nanoTime();

        ModelProto pruned = GraphSurgeon.cut(analysis, plan.pruned());
        long cut = System.nanoTime();

        CostReport after = verify(pruned, options, plan.macs());
        long verified = System.nanoTime();

        List<GroupSummary> groups = new ArrayList<>();
        List<GroupSummary> frozen = new ArrayList<>();
        for (ChannelGroup g : analysis.groups()) {
            (g.frozen() ? frozen : groups).add(GroupSummary.of(g, plan.keep()[g.id()]));
        }
        PruningReport report = new PruningReport(options.scope().label(), options.criterion().label(),
                options.allocation().label(), options.groupedConvolutions().label(),
                options.attentionUnit().label(), options.roundTo(),
                options.minChannels(), options.maxFraction(), options.exclude(), options.seed(),
                new PruningReport.Target(budget.describe(), targetMacs, 2 * targetMacs),
                ModelTotals.of(originalMacs, analysis.cost().params(), model.getSerializedSize()),
                ModelTotals.of(after.macs(), after.params(), pruned.getSerializedSize()),
                after.macs() / (double) originalMacs, after.macs() / (double) targetMacs, plan.smallestReachableMacs(),
                groups, frozen,
                new PruningReport.Timings(ms(analyzed - start), ms(solved - analyzed), ms(cut - solved),
                        ms(verified - cut), ms(verified - start)));
        return new PruningResult(pruned, report);
    }

    /**
     * Adds to the solver's bare refusal the reasons that freeze the most MACs and the smallest model of the other
     * scope; that costs a second analysis and scoring, paid only on the way to an error.
     */
    private static BudgetUnreachableException explained(BudgetUnreachableException bare, ModelProto model,
                                                        ChannelAnalysis analysis, PruningOptions options) {
        PruningOptions other = options.withScope(options.scope().other());
        ChannelAnalysis otherAnalysis = analyze(model, other);
        double[] scores = Importance.score(otherAnalysis, other.criterion(), other.seed());
        long otherSmallest = new BudgetSolver(otherAnalysis, scores, new PrunedCost(otherAnalysis), other)
                .smallestReachableMacs();
        return new BudgetUnreachableException(bare, FrozenReasons.of(analysis),
                new BudgetUnreachableException.OtherScope(other.scope().label(), otherSmallest,
                        otherSmallest / (double) bare.originalMacs()));
    }

    /** Infers the cut model's shapes and cost from scratch; any disagreement with the plan is a bug, not a model. */
    private static CostReport verify(ModelProto pruned, PruningOptions options, long plannedMacs) {
        Graph graph = new Graph(pruned);
        CostReport cost = CostModel.analyze(graph, ShapeInference.infer(graph, options.inputShapes()));
        if (cost.macs() != plannedMacs) {
            throw new IllegalStateException("pruned model has " + cost.macs() + " MACs but the plan predicted "
                    + plannedMacs + "; refusing to publish it");
        }
        return cost;
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
