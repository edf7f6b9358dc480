package io.shears.pipeline;

/**
 * What a fine-tuning job reports as it trains: the epoch it is in (1-based), optimizer steps so far, the mean
 * training loss of the epoch so far (after an epoch, the whole epoch's), the validation top-1 after the latest
 * finished epoch (null before the first, or without a validation split), and training FLOPs spent.
 */
public record TrainingFigures(int epoch, long step, double trainLoss, Double valAccuracy, long trainFlops) {
}
