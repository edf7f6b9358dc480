package io.shears.pipeline;

import io.shears.data.Batch;

import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Turns stage-local progress into the job's overall fraction for the {@link PipelineListener}, and is where the
 * pipeline notices cancellation: every report first checks the thread's interrupt flag. Stages weigh what they
 * typically cost; fine-tuning dominates when the job trains, latency measurement when it does not.
 */
final class PipelineProgress {
    private static final Map<Stage, Double> WEIGHTS = new EnumMap<>(Map.of(
            Stage.ANALYZE, 2.0, Stage.PRUNE, 8.0, Stage.RECALIBRATE, 5.0, Stage.FINETUNE, 55.0,
            Stage.EVALUATE, 15.0, Stage.EXPORT, 3.0, Stage.BENCHMARK, 12.0));

    private final PipelineListener listener;
    private final Map<Stage, Double> start = new EnumMap<>(Stage.class);
    private final double total;
    private Stage current;
    private double reported;

    PipelineProgress(PipelineListener listener, Set<Stage> planned) {
        this.listener = listener;
        double sum = 0;
        for (Stage s : Stage.values()) {
            start.put(s, sum);
            if (planned.contains(s)) {
                sum += WEIGHTS.get(s);
            }
        }
        this.total = sum;
    }

    void enter(Stage stage) {
        checkCancelled();
        current = stage;
        listener.enterStage(stage);
        // The listener is where a cancel reaches the job; an interrupt it leaves must stop the stage before its work
        // starts, since not every library on a stage's path keeps the flag for a later check.
        checkCancelled();
        report(start.get(stage) / total);
    }

    /** Progress within the current stage, in [0, 1]. */
    void within(double fraction) {
        checkCancelled();
        double f = Math.max(0, Math.min(1, fraction));
        report((start.get(current) + f * WEIGHTS.get(current)) / total);
    }

    /** The batches, reporting {@code first + (i / count) * span} of the current stage as batch {@code i} is taken. */
    Iterator<Batch> tracking(Iterator<Batch> batches, int count, double first, double span) {
        return new Iterator<>() {
            private int taken;

            @Override
            public boolean hasNext() {
                checkCancelled();
                return batches.hasNext();
            }

            @Override
            public Batch next() {
                within(first + span * taken / Math.max(1, count));
                Batch b = batches.next();
                taken++;
                return b;
            }
        };
    }

    void training(TrainingFigures figures) {
        listener.training(figures);
    }

    void finished() {
        report(1.0);
    }

    void checkCancelled() {
        if (Thread.interrupted()) {
            throw new JobCancelledException("the job was cancelled: its thread was interrupted", false);
        }
    }

    /** Progress never goes back, so a resumed or re-entered stage does not make a status bar jump. */
    private void report(double fraction) {
        reported = Math.max(reported, Math.min(1, fraction));
        listener.progress(reported);
    }
}
