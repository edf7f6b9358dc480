package io.shears.jobs;

import io.shears.pipeline.JobCancelledException;
import io.shears.pipeline.PipelineListener;
import io.shears.pipeline.Stage;
import io.shears.pipeline.TrainingFigures;
import java.time.Duration;
import java.time.Instant;

/**
 * Carries a running pipeline's stage and progress into the job's record and stops the pipeline when the job is
 * cancelled or out of time. Writes and cancellation checks are rate-limited, since the pipeline reports every batch.
 */
final class JobProgress implements PipelineListener {
    private static final long WRITE_EVERY_NANOS = Duration.ofMillis(500).toNanos();
    /** Well under the second a cancel may take to stop a stage that reports; one primary-key read each time. */
    private static final long CHECK_CANCEL_EVERY_NANOS = Duration.ofMillis(250).toNanos();

    private final JobRepository jobs;
    private final JobMetrics metrics;
    private final JobEvents events;
    private final String jobId;
    private final Instant deadline;
    private Stage stage;
    private long stageStarted;
    private double progress;
    private TrainingFigures training;
    private long lastWrite;
    private long lastCancelCheck;

    JobProgress(JobRepository jobs, JobMetrics metrics, JobEvents events, String jobId, Instant deadline) {
        this.jobs = jobs;
        this.metrics = metrics;
        this.events = events;
        this.jobId = jobId;
        this.deadline = deadline;
    }

    @Override
    public void enterStage(Stage next) {
        closeStage();
        stage = next;
        stageStarted = System.nanoTime();
        jobs.progress(jobId, stage, progress);
        events.changed(jobId, training);
        lastWrite = stageStarted;
        checkStop(true);
    }

    @Override
    public void progress(double fraction) {
        progress = Math.max(progress, Math.min(1, Math.max(0, fraction)));
        long now = System.nanoTime();
        if (now - lastWrite >= WRITE_EVERY_NANOS) {
            jobs.progress(jobId, stage, progress);
            events.changed(jobId, training);
            lastWrite = now;
        }
        checkStop(false);
    }

    /** Kept for the next write, which {@link #progress} makes right after. */
    @Override
    public void training(TrainingFigures figures) {
        training = figures;
    }

    /** Records the running stage's duration; called when the pipeline ends, however it ends. */
    void closeStage() {
        if (stage != null) {
            metrics.stage(stage, Duration.ofNanos(System.nanoTime() - stageStarted));
            stage = null;
        }
    }

    private void checkStop(boolean now) {
        if (Instant.now().isAfter(deadline)) {
            throw new JobCancelledException("the job ran past its time limit", true);
        }
        long t = System.nanoTime();
        if (now || t - lastCancelCheck >= CHECK_CANCEL_EVERY_NANOS) {
            lastCancelCheck = t;
            if (jobs.cancelRequested(jobId)) {
                throw new JobCancelledException("cancelled by the client", false);
            }
        }
    }
}
