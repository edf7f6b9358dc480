package io.shears.pipeline;

import io.shears.engine.training.FineTuneResult;
import io.shears.engine.training.FineTuner;
import io.shears.engine.training.TrainingStep;

/**
 * Carries a fine-tuning run's steps and epochs to the job's progress: the training figures, then the stage's
 * fraction (steps of the planned steps), so a listener that writes on progress writes the newest figures.
 */
final class TrainingFeed implements FineTuner.StepListener, FineTuner.EpochListener {
    private final PipelineProgress progress;
    private final double plannedSteps;
    private Double valAccuracy;
    private long steps;

    TrainingFeed(PipelineProgress progress, long plannedSteps) {
        this.progress = progress;
        this.plannedSteps = Math.max(1, plannedSteps);
    }

    @Override
    public void stepFinished(TrainingStep step) {
        steps = step.steps();
        progress.training(new TrainingFigures(step.epoch(), step.steps(), step.trainLoss(), valAccuracy,
                step.trainFlops()));
        progress.within(0.97 * step.steps() / plannedSteps);
    }

    @Override
    public void epochFinished(FineTuneResult.EpochRow row) {
        valAccuracy = Double.isFinite(row.valTop1()) ? row.valTop1() : null;
        progress.training(new TrainingFigures(row.epoch(), steps, row.trainLoss(), valAccuracy, row.trainFlops()));
    }
}
