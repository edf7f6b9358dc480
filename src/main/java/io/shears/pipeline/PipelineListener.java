package io.shears.pipeline;

/**
 * Hears a running pipeline's stage and progress. The pipeline calls {@link #progress} often (at least once per
 * training or evaluation batch), so an implementation may throw {@link JobCancelledException} from it to stop the
 * job promptly.
 */
public interface PipelineListener {
    void enterStage(Stage stage);

    /** Overall progress of the job in [0, 1]. */
    void progress(double fraction);

    /** Where fine-tuning is; called after every training step and epoch, just before {@link #progress}. */
    default void training(TrainingFigures figures) {
    }

    PipelineListener NONE = new PipelineListener() {
        public void enterStage(Stage stage) {
        }

        public void progress(double fraction) {
        }
    };
}
