package io.shears.jobs;

import io.shears.artifacts.ArtifactCatalog;
import io.shears.catalog.DatasetCatalog;
import io.shears.catalog.DatasetView;
import io.shears.catalog.ModelCatalog;
import io.shears.catalog.ModelView;
import io.shears.config.ServiceException;
import io.shears.files.Sha256;
import io.shears.pipeline.InvalidJobSpecException;
import io.shears.pipeline.JobSpec;
import io.shears.pruning.ClassifierHead;
import io.shears.pruning.HeadReplacement;
import io.shears.tenancy.Caller;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.jobrunr.scheduling.JobScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Accepting, listing and cancelling jobs. Running them is {@link JobWorker}'s part. */
@Service
public class JobService {
    public static final int MAX_IDEMPOTENCY_KEY = 200;
    private static final Logger log = LoggerFactory.getLogger(JobService.class);

    private final JobRepository jobs;
    private final ModelCatalog models;
    private final DatasetCatalog datasets;
    private final ArtifactCatalog artifacts;
    private final JobRequestScheduler queue;
    private final JobScheduler scheduler;
    private final JobMetrics metrics;
    private final JobCallbacks callbacks;
    private final JsonMapper json;
    private final ArtifactLinks links;

    public JobService(JobRepository jobs, ModelCatalog models, DatasetCatalog datasets, ArtifactCatalog artifacts,
                      JobRequestScheduler queue, JobScheduler scheduler, JobMetrics metrics, JobCallbacks callbacks,
                      JsonMapper json, ArtifactLinks links) {
        this.jobs = jobs;
        this.models = models;
        this.datasets = datasets;
        this.artifacts = artifacts;
        this.queue = queue;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.callbacks = callbacks;
        this.json = json;
        this.links = links;
    }

    /** A submitted job, and whether this call created it (false: an earlier call with the same idempotency key). */
    public record Submission(JobView job, boolean created) {
    }

    public Submission submit(Caller caller, JobSpec request, String idempotencyKey) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY)) {
            throw ServiceException.invalid("INVALID_IDEMPOTENCY_KEY", "Idempotency-Key must be 1.."
                    + MAX_IDEMPOTENCY_KEY + " characters");
        }
        if (request == null) {
            throw new InvalidJobSpecException("(body)", "a job spec is required");
        }
        JobSpec spec = request.normalized();
        String specJson = json.writeValueAsString(spec);
        String specSha = Sha256.of(specJson.getBytes(StandardCharsets.UTF_8));
        if (idempotencyKey != null) {
            var earlier = jobs.findByIdempotencyKey(caller.tenantId(), idempotencyKey);
            if (earlier.isPresent()) {
                return replay(earlier.get(), specSha, idempotencyKey);
            }
        }
        checkReferences(caller.tenantId(), spec);
        String id = UUID.randomUUID().toString();
        MDC.put("jobId", id);
        try {
            jobs.insert(new JobRepository.NewJob(id, caller.tenantId(), spec.modelId(), spec.datasetIds(), specJson,
                    specSha, idempotencyKey, Instant.now()));
        } catch (DuplicateKeyException race) {
            return replay(jobs.findByIdempotencyKey(caller.tenantId(), idempotencyKey).orElseThrow(), specSha,
                    idempotencyKey);
        }
        try {
            queue.enqueue(UUID.fromString(id), new RunJob(id));
        } catch (RuntimeException e) {
            jobs.finish(id, JobState.FAILED, "QUEUE_UNAVAILABLE", "the job could not be queued: " + e.getMessage(),
                    null);
            throw e;
        }
        metrics.submitted();
        log.info("Job {} queued for model {}", id, spec.modelId());
        return new Submission(view(caller.tenantId(), id), true);
    }

    public JobView get(String tenant, String id) {
        return view(tenant, id);
    }

    public record Page(List<JobView> items, int page, int size, long total) {
    }

    public Page list(String tenant, JobState state, String modelId, int page, int size) {
        if (page < 0) {
            throw ServiceException.invalid("INVALID_PARAMETER", "page must be >= 0, got " + page);
        }
        if (size < 1 || size > 200) {
            throw ServiceException.invalid("INVALID_PARAMETER", "size must be in 1..200, got " + size);
        }
        List<JobView> items = jobs.list(tenant, state, modelId, page, size).stream()
                .map(r -> view(r, tenant)).toList();
        return new Page(items, page, size, jobs.count(tenant, state, modelId));
    }

    /**
     * Cancels a job: a queued one at once, a running one within a second (its worker polls the flag). Cancelling a
     * job that already ended changes nothing.
     */
    public JobView cancel(String tenant, String id) {
        JobRow row = jobs.find(tenant, id).orElseThrow(() -> ServiceException.notFound("job", id));
        if (row.state().terminal()) {
            return view(row, tenant);
        }
        jobs.requestCancel(id);
        if (row.state() == JobState.QUEUED
                && jobs.finish(id, JobState.CANCELLED, "CANCELLED", "cancelled before it started", null)) {
            metrics.finished(JobState.CANCELLED, "CANCELLED", row.createdAt());
            JobView cancelled = view(tenant, id);
            callbacks.send(tenant, cancelled.spec().callbackUrl(), cancelled);
        }
        if (row.state() == JobState.QUEUED) {
            // A running job is stopped by its worker's CancellationWatch; deleting it in JobRunr while it runs would
            // make JobRunr's own state change fail when the worker returns.
            try {
                scheduler.delete(UUID.fromString(id), "cancelled by the client");
            } catch (RuntimeException e) {
                log.debug("Job {}: JobRunr had nothing to delete: {}", id, e.toString());
            }
        }
        return view(tenant, id);
    }

    JobView view(String tenant, String id) {
        return view(jobs.find(tenant, id).orElseThrow(() -> ServiceException.notFound("job", id)), tenant);
    }

    JobView view(JobRow row, String tenant) {
        JobSpec spec = json.readValue(row.spec(), JobSpec.class);
        JobView.JobError error = row.errorCode() == null ? null
                : new JobView.JobError(row.errorCode(), row.errorMessage());
        JobView.JobResult result = null;
        if (row.state() == JobState.SUCCEEDED) {
            @SuppressWarnings("unchecked")
            Map<String, Object> summary = row.result() == null ? Map.of() : json.readValue(row.result(), Map.class);
            result = new JobView.JobResult(summary, artifactViews(tenant, row.id()));
        }
        return new JobView(row.id(), row.modelId(), row.state(), row.stage(), row.progress(), row.createdAt(),
                row.startedAt(), row.finishedAt(), row.attempts(), row.worker(), error, result, spec.labels(), spec,
                callbacks.of(row.id()));
    }

    /** The job's published files, each with its download link; empty until the job succeeded. */
    public List<JobView.ArtifactView> artifacts(String tenant, String id) {
        jobs.find(tenant, id).orElseThrow(() -> ServiceException.notFound("job", id));
        return artifactViews(tenant, id);
    }

    private List<JobView.ArtifactView> artifactViews(String tenant, String jobId) {
        return artifacts.forJob(tenant, jobId).stream()
                .map(a -> new JobView.ArtifactView(a.id(), a.name(), a.mediaType(), a.bytes(), a.sha256(),
                        links.urlOf(a.id())))
                .toList();
    }

    private Submission replay(JobRow earlier, String specSha, String key) {
        if (!earlier.specSha256().equals(specSha)) {
            throw ServiceException.conflict("IDEMPOTENCY_KEY_REUSED", "Idempotency-Key '" + key
                    + "' was used for job " + earlier.id() + " with a different body");
        }
        return new Submission(view(earlier, earlier.tenantId()), false);
    }

    /**
     * Refuses at once what would only fail later: a model or dataset the caller does not have, and a dataset whose
     * classes cannot match the model's output.
     */
    private void checkReferences(String tenant, JobSpec spec) {
        ModelView model;
        try {
            model = models.get(tenant, spec.modelId());
        } catch (ServiceException e) {
            throw new InvalidJobSpecException("modelId", "no model '" + spec.modelId() + "'");
        }
        long modelClasses = ClassifierHead.declaredClasses(model.outputs().isEmpty() ? List.of()
                : model.outputs().get(0).shape());
        long trainedClasses = modelClasses;
        if (spec.fineTune() != null) {
            DatasetView train = dataset(tenant, "fineTune.datasetId", spec.fineTune().datasetId());
            HeadReplacement.Mode head = spec.fineTune().headMode();
            boolean keepHead = head == HeadReplacement.Mode.KEEP;
            if (train.classes().size() != modelClasses) {
                if (keepHead) {
                    throw classMismatch("fineTune.datasetId", train, modelClasses, "with head 'keep'");
                }
                trainedClasses = train.classes().size();
            } else if (head == HeadReplacement.Mode.REPLACE) {
                trainedClasses = train.classes().size();
            }
        }
        if (spec.calibration() != null) {
            dataset(tenant, "calibration.datasetId", spec.calibration().datasetId());
        }
        if (spec.evaluation() != null) {
            DatasetView eval = dataset(tenant, "evaluation.datasetId", spec.evaluation().datasetId());
            if (trainedClasses > 0 && eval.classes().size() != trainedClasses) {
                throw classMismatch("evaluation.datasetId", eval, trainedClasses, "");
            }
        }
    }

    private DatasetView dataset(String tenant, String field, String id) {
        try {
            return datasets.get(tenant, id);
        } catch (ServiceException e) {
            throw new InvalidJobSpecException(field, "no dataset '" + id + "'");
        }
    }

    private static ServiceException classMismatch(String field, DatasetView dataset, long expected, String why) {
        String model = expected < 0 ? "the model's output is not shaped [N, classes]"
                : "the model " + (why.isEmpty() ? "" : why + " ") + "outputs " + expected;
        return ServiceException.invalid("DATASET_CLASSES_MISMATCH", field + ": dataset '" + dataset.id() + "' has "
                + dataset.classes().size() + " classes but " + model);
    }
}
