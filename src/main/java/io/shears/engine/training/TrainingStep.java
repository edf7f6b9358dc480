package io.shears.engine.training;

/**
 * Where a fine-tuning run is after an optimizer step: the epoch it is in (1-based), the steps taken so far (resumed
 * ones included), the mean training loss over the epoch's samples so far, and the training FLOPs spent.
 */
public record TrainingStep(int epoch, long steps, double trainLoss, long trainFlops) {
}
