package io.shears.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;

/** Looks behind the solver's plan from other test packages: could any group have kept one more allowed step? */
public final class BudgetProbe {
    private BudgetProbe() {
    }

    /**
     * True when giving one group of the plan for {@code targetMacs} its next allowed width (a multiple of round-to
     * in positions, or its full width) would still meet the target: then the plan left budget unused.
     */
    public static boolean anyStepFits(ModelProto model, PruningOptions options, long targetMacs) {
        ChannelAnalysis analysis = Pruner.analyze(model, options);
        double[] scores = Importance.score(analysis, options.criterion(), options.seed());
        PrunedCost cost = new PrunedCost(analysis);
        BudgetSolver solver = new BudgetSolver(analysis, scores, cost, options);
        int[] keep = solver.solve(targetMacs).keep();
        for (ChannelGroup g : analysis.prunableGroups()) {
            int next = keep[g.id()] + 1;
            while (next < g.channels() && g.width(next) % options.roundTo() != 0) {
                next++;
            }
            if (keep[g.id()] < g.channels()) {
                int[] grown = keep.clone();
                grown[g.id()] = next;
                if (cost.macs(solver.mask(grown)) <= targetMacs) {
                    return true;
                }
            }
        }
        return false;
    }
}
