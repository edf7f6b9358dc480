package io.shears.jobs;

import io.shears.pipeline.JobSpec;
import io.shears.pipeline.Stage;
import jakarta.annotation.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A job as the API shows it. {@code result} is present once the job SUCCEEDED, {@code error} once it FAILED (or was
 * CANCELLED, with code CANCELLED). {@code worker} names the process that ran the latest attempt. {@code callbacks} are
 * the deliveries of the job's callback, with their tries so far (empty without a {@code callbackUrl}).
 */
public record JobView(String id, String modelId, JobState state, @Nullable Stage stage, double progress,
                      Instant createdAt, @Nullable Instant startedAt, @Nullable Instant finishedAt, int attempts,
                      @Nullable String worker, @Nullable JobError error, @Nullable JobResult result,
                      Map<String, String> labels, JobSpec spec, List<CallbackDelivery> callbacks) {

    public record JobError(String code, String message) {
    }

    /** @param summary the headline figures (see report.json for everything) */
    public record JobResult(Map<String, Object> summary, List<ArtifactView> artifacts) {
    }

    public record ArtifactView(String id, String name, String mediaType, long bytes, String sha256, String url) {
    }
}
