package io.shears.engine.training;

import io.shears.engine.evaluation.EvaluationResult;

import java.util.List;

/**
 * The outcome of a fine-tuning run.
 *
 * @param epochs          one row per epoch run, resumed epochs included
 * @param steps           optimizer steps taken in all
 * @param trainFlops      training FLOPs spent (3 × forward FLOPs per sample seen)
 * @param budgetReached   whether training stopped because the next step would exceed {@code maxTrainFlops}
 * @param resumedAtEpoch  the epoch training resumed at from a checkpoint, or 0
 * @param finalEvaluation evaluation after training on the validation split (the train split when there is none);
 *                        null when the run's {@link ValidationPlan} asks for none
 */
public record FineTuneResult(List<EpochRow> epochs, long steps, long trainFlops, boolean budgetReached,
                             int resumedAtEpoch, EvaluationResult finalEvaluation) {
    public FineTuneResult {
        epochs = List.copyOf(epochs);
    }

    /** CSV header, in the column order of {@link EpochRow#csv()}. */
    public static final String CSV_HEADER =
            "epoch,steps,samples,trainLoss,trainAccuracy,valLoss,valTop1,trainFlops,seconds";

    /**
     * One epoch: {@code epoch} (1-based), steps and samples of this epoch, mean train loss and accuracy over its
     * samples (measured in training mode during the epoch), validation loss and top-1 after it on the
     * {@link ValidationPlan}'s sample (NaN without a validation split or sample), cumulative training FLOPs at its end, wall-clock seconds of the epoch.
     */
    public record EpochRow(int epoch, long steps, long samples, double trainLoss, double trainAccuracy,
                           double valLoss, double valTop1, long trainFlops, double seconds) {
        public String csv() {
            return epoch + "," + steps + "," + samples + "," + trainLoss + "," + trainAccuracy + "," + valLoss + ","
                    + valTop1 + "," + trainFlops + "," + String.format(java.util.Locale.ROOT, "%.3f", seconds);
        }
    }
}
