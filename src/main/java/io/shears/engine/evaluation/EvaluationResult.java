package io.shears.engine.evaluation;

import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * Metrics of one evaluation pass.
 *
 * @param samples           number of samples evaluated
 * @param top1              share of samples whose label has the highest logit (ties go to the lowest class index)
 * @param top5              share of samples whose label is among the five highest logits; empty with fewer than five
 *                          classes
 * @param meanLoss          mean softmax cross-entropy (natural log) over the samples
 * @param perClassAccuracy  top-1 accuracy per true class; NaN for a class with no sample
 * @param confusion         {@code confusion[trueClass][predictedClass]} sample counts
 */
public record EvaluationResult(long samples, double top1, OptionalDouble top5, double meanLoss,
                               double[] perClassAccuracy, long[][] confusion) {
    public EvaluationResult {
        perClassAccuracy = perClassAccuracy.clone();
        long[][] copy = new long[confusion.length][];
        for (int i = 0; i < confusion.length; i++) {
            copy[i] = confusion[i].clone();
        }
        confusion = copy;
    }

    public int classCount() {
        return perClassAccuracy.length;
    }

    @Override
    public double[] perClassAccuracy() {
        return perClassAccuracy.clone();
    }

    @Override
    public long[][] confusion() {
        long[][] copy = new long[confusion.length][];
        for (int i = 0; i < confusion.length; i++) {
            copy[i] = confusion[i].clone();
        }
        return copy;
    }

    @Override
    public String toString() {
        return "EvaluationResult(samples=" + samples + ", top1=" + top1 + ", top5=" + top5 + ", meanLoss=" + meanLoss
                + ", perClassAccuracy=" + Arrays.toString(perClassAccuracy) + ")";
    }
}
