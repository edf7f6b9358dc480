package io.shears.jobs;

import io.shears.artifacts.ArtifactCatalog;
import io.shears.artifacts.ArtifactRecord;
import io.shears.artifacts.ArtifactStore;
import io.shears.artifacts.StoredBlob;
import io.shears.catalog.DatasetCatalog;
import io.shears.catalog.ModelCatalog;
import io.shears.config.ShearsProperties;
import io.shears.files.FileTrees;
import io.shears.pipeline.JobCancelledException;
import io.shears.pipeline.JobFailedException;
import io.shears.pipeline.JobFailures;
import io.shears.pipeline.JobPipeline;
import io.shears.pipeline.JobSpec;
import io.shears.pipeline.PipelineInputs;
import io.shears.pipeline.PipelineResult;
import org.jobrunr.jobs.annotations.Job;
import org.jobrunr.jobs.lambdas.JobRequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runs one job on a JobRunr worker thread. JobRunr owns the queue, retries and the recovery of jobs whose worker
 * died; this class owns the job's record. A job's record decides: a terminal job is never run again, invalid input
 * fails at once, and only faults another attempt may not meet are thrown back to JobRunr for a retry, up to
 * the job's {@code limits.maxAttempts} (at most {@code shears.jobs.max-attempts}). A rerun resumes from the work
 * directory the last attempt left.
 */
@Component
public class JobWorker implements JobRequestHandler<RunJob> {
    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

    private final JobRepository jobs;
    private final JobService service;
    private final ModelCatalog models;
    private final DatasetCatalog datasets;
    private final ArtifactStore store;
    private final ArtifactCatalog artifacts;
    private final JobMetrics metrics;
    private final JobCallbacks callbacks;
    private final JobEvents events;
    private final JobPipeline pipeline;
    private final CancellationWatch cancellation;
    private final ShearsProperties properties;
    private final JsonMapper json;
    private final JobLineage lineage;
    private final MlflowTracking tracking;
    private final JobOutputs outputs;
    private final String workerName;

    public JobWorker(JobRepository jobs, JobService service, ModelCatalog models, DatasetCatalog datasets,
                     ArtifactStore store, ArtifactCatalog artifacts, JobMetrics metrics, JobCallbacks callbacks,
                     JobEvents events, JobPipeline pipeline, CancellationWatch cancellation,
                     ShearsProperties properties, JsonMapper json, JobLineage lineage, MlflowTracking tracking,
                     JobOutputs outputs) {
        this.outputs = outputs;
        this.jobs = jobs;
        this.service = service;
        this.models = models;
        this.datasets = datasets;
        this.store = store;
        this.artifacts = artifacts;
        this.metrics = metrics;
        this.callbacks = callbacks;
        this.events = events;
        this.pipeline = pipeline;
        this.cancellation = cancellation;
        this.properties = properties;
        this.json = json;
        this.lineage = lineage;
        this.tracking = tracking;
        this.workerName = properties.workerName();
    }

    @Override
    @Job(name = "Shears job", retries = 10)
    public void run(RunJob request) {
        String id = request.getJobId();
        MDC.put("jobId", id);
        try {
            runJob(id);
        } finally {
            MDC.remove("jobId");
        }
    }

    private void runJob(String id) {
        JobRow row = jobs.find(id).orElse(null);
        if (row == null || row.state().terminal()) {
            log.info("Job {} is {}; nothing to run", id, row == null ? "gone" : row.state());
            return;
        }
        if (row.cancelRequested()) {
            end(row, JobState.CANCELLED, "CANCELLED", "cancelled before it started", null);
            return;
        }
        JobSpec spec = json.readValue(row.spec(), JobSpec.class);
        JobLimits limits = JobLimits.of(spec, properties.jobs());
        int maxAttempts = limits.maxAttempts();
        if (row.attempts() >= maxAttempts) {
            end(row, JobState.FAILED, "ATTEMPTS_EXHAUSTED", "the job failed " + row.attempts()
                    + " times on faults of the service (see the worker log); giving up", null);
            return;
        }
        if (!jobs.start(id, workerName)) {
            return;
        }
        events.changed(id);
        int attempt = row.attempts() + 1;
        log.info("Job {} running (attempt {} of {})", id, attempt, maxAttempts);
        Path work = properties.workDir().resolve(id);
        JobProgress progress = new JobProgress(jobs, metrics, events, id,
                Instant.now().plus(limits.maxRuntime()));
        try {
            PipelineInputs inputs = inputs(row.tenantId(), id, spec, work);
            PipelineResult result;
            try (CancellationWatch.Handle watched = cancellation.watch(id)) {
                result = pipeline.run(spec, inputs, work, progress);
            }
            progress.closeStage();
            Instant finished = Instant.now();
            lineage.stampTimes(result, jobs.find(id).map(JobRow::startedAt).orElse(null), finished);
            publish(row, result, spec.output());
            end(row, JobState.SUCCEEDED, null, null, json.writeValueAsString(result.summary()), finished);
            deleteTree(work);
        } catch (JobCancelledException e) {
            progress.closeStage();
            if (e.timedOut()) {
                end(row, JobState.FAILED, "TIMEOUT", "the job ran longer than " + limits.maxRuntime(), null);
            } else if (jobs.cancelRequested(id)) {
                end(row, JobState.CANCELLED, "CANCELLED", "cancelled by the client", null);
            } else {
                // Interrupted by a shutdown, not by the client: hand the job back for another worker or a restart.
                throw new JobInterruptedException("job " + id + " was interrupted by a shutdown; it will rerun");
            }
        } catch (JobFailedException e) {
            progress.closeStage();
            if (e.retryable() && attempt < maxAttempts) {
                log.warn("Job {} hit a transient fault, JobRunr will retry: {}", id, e.getMessage(), e);
                throw e;
            }
            end(row, JobState.FAILED, e.code(), e.getMessage(), null);
        } catch (IOException | RuntimeException e) {
            progress.closeStage();
            if (attempt < maxAttempts) {
                log.warn("Job {} failed unexpectedly, JobRunr will retry", id, e);
                throw new JobFailedException(JobFailures.INTERNAL, e.toString(), true, e);
            }
            log.error("Job {} failed unexpectedly on its last attempt", id, e);
            end(row, JobState.FAILED, JobFailures.INTERNAL, "the service failed unexpectedly; the failure is logged", null);
        }
    }

    private PipelineInputs inputs(String tenant, String id, JobSpec spec, Path work) throws IOException {
        Path cache = work.resolve("inputs");
        Files.createDirectories(cache);
        Map<String, Path> files = new LinkedHashMap<>();
        for (String datasetId : spec.datasetIds()) {
            files.put(datasetId, datasets.file(tenant, datasetId, cache));
        }
        return new PipelineInputs(models.file(tenant, spec.modelId(), cache), files,
                lineage.describe(tenant, id, spec));
    }

    private void publish(JobRow row, PipelineResult result, JobSpec.OutputSpec output) throws IOException {
        List<ArtifactRecord> records = new ArrayList<>();
        Instant now = Instant.now();
        record Output(String name, String mediaType, Path file) {
        }
        List<Output> outputs = new ArrayList<>(List.of(
                new Output("model.onnx", "application/octet-stream", result.model()),
                new Output("report.json", "application/json", result.reportJson()),
                new Output("report.html", "text/html", result.reportHtml())));
        if (result.trainingCsv() != null) {
            outputs.add(new Output("training.csv", "text/csv", result.trainingCsv()));
        }
        if (output != null) {
            Map<String, Path> files = new LinkedHashMap<>();
            outputs.forEach(o -> files.put(o.name(), o.file()));
            this.outputs.write(output, files);
        }
        for (Output o : outputs) {
            StoredBlob blob = store.put(o.file());
            records.add(new ArtifactRecord(UUID.nameUUIDFromBytes((row.id() + "/" + o.name()).getBytes()).toString(),
                    row.tenantId(), row.id(), o.name(), o.mediaType(), blob.sha256(), blob.bytes(), now));
        }
        artifacts.replaceAll(row.id(), records);
    }

    private void end(JobRow row, JobState state, String code, String message, String result) {
        end(row, state, code, message, result, Instant.now());
    }

    /** @param at when the job ended, as its record and its published report say */
    private void end(JobRow row, JobState state, String code, String message, String result, Instant at) {
        if (!jobs.finish(row.id(), state, code, message, result, at)) {
            return;
        }
        metrics.finished(state, code, row.createdAt());
        events.changed(row.id());
        log.info("Job {} {}{}", row.id(), state, code == null ? "" : " (" + code + ": " + message + ")");
        JobView view = service.view(row.tenantId(), row.id());
        callbacks.send(row.tenantId(), view.spec().callbackUrl(), view);
        tracking.jobEnded(row.tenantId(), view);
    }

    private static void deleteTree(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            log.warn("Could not delete the work directory {}: {}", dir, e.toString());
        }
    }

    /** Thrown back to JobRunr so that it schedules the job again. */
    static final class JobInterruptedException extends RuntimeException {
        JobInterruptedException(String message) {
            super(message);
        }
    }
}
