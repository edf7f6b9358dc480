package io.shears.engine.training;

import io.shears.data.ImageShape;
import io.shears.engine.interpreter.OnnxInterpreterBlock;
import io.shears.graph.CostModel;
import io.shears.graph.Graph;
import io.shears.graph.ShapeInference;

import java.util.Map;

/**
 * The training-FLOP budget: a step costs 3 × forward FLOPs per sample (forward, and backward at twice the forward),
 * and training stops before the step that would exceed {@code maxTrainFlops} (0 for no budget).
 */
record TrainingFlopBudget(long forwardFlopsPerSample, long maxTrainFlops) {

    /** The budget for {@code block} on images of {@code image}: forward FLOPs are 2 × MACs at batch 1. */
    static TrainingFlopBudget of(OnnxInterpreterBlock block, ImageShape image, long maxTrainFlops) {
        Graph graph = new Graph(block.sourceModel());
        long[] dims = {1, image.channels(), image.height(), image.width()};
        long flops = CostModel.analyze(graph, ShapeInference.infer(graph, Map.of(block.inputNames().get(0), dims)))
                .flops();
        return new TrainingFlopBudget(flops, maxTrainFlops);
    }

    long stepFlops(int samples) {
        return 3 * forwardFlopsPerSample * samples;
    }

    /** Whether a step costing {@code cost} after {@code spent} would go over the budget. */
    boolean exceededBy(long spent, long cost) {
        return maxTrainFlops > 0 && spent + cost > maxTrainFlops;
    }

    /** The steps a run of {@code epochs} over {@code samples} at {@code batchSize} takes within the budget. */
    long plannedSteps(int samples, int batchSize, int epochs) {
        long steps = 0;
        long flops = 0;
        for (int e = 0; e < epochs; e++) {
            for (int start = 0; start < samples; start += batchSize) {
                long cost = stepFlops(Math.min(batchSize, samples - start));
                if (exceededBy(flops, cost)) {
                    return steps;
                }
                flops += cost;
                steps++;
            }
        }
        return steps;
    }
}
