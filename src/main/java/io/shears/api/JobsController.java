package io.shears.api;

import io.shears.artifacts.ArtifactCatalog;
import io.shears.jobs.JobEvents;
import io.shears.jobs.JobService;
import io.shears.jobs.JobSpec;
import io.shears.jobs.JobState;
import io.shears.jobs.JobView;
import io.shears.tenancy.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.context.annotation.Conditional;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.net.URI;
import java.util.List;

@RestController
@RequestMapping("/v1/jobs")
@Conditional(ServesApi.class)
@Tag(name = "Jobs", description = "Prune, recalibrate, fine-tune, evaluate and benchmark a model")
@SecurityRequirement(name = "apiKey")
public class JobsController {
    static final String SPEC_EXAMPLE = """
            {"modelId": "3f0c6a52-8e1b-4d59-9a57-1f4f1b2c0d11",
             "budget": {"fraction": 0.5},
             "pruning": {"scope": "filters", "criterion": "l1", "allocation": "uniform", "roundTo": 8},
             "fineTune": {"datasetId": "9b2d1c3e-0a4f-4e6b-8c7d-5e6f7a8b9c0d", "epochs": 2, "learningRate": 0.01},
             "evaluation": {"datasetId": "9b2d1c3e-0a4f-4e6b-8c7d-5e6f7a8b9c0d"},
             "labels": {"team": "vision"}}""";

    private final JobService jobs;
    private final JobEvents events;
    private final ArtifactCatalog artifacts;

    public JobsController(JobService jobs, JobEvents events, ArtifactCatalog artifacts) {
        this.jobs = jobs;
        this.events = events;
        this.artifacts = artifacts;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Submit a job",
            description = "Validates every field (a message names the bad one), checks that the model and datasets "
                    + "exist and that the datasets' classes fit the model, and queues the job. With an "
                    + "Idempotency-Key, the same key and body return the same job; the same key with another body "
                    + "is 409 IDEMPOTENCY_KEY_REUSED.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE,
                    examples = @ExampleObject(name = "prune and fine-tune", value = SPEC_EXAMPLE))))
    @ApiResponse(responseCode = "202", description = "Queued; Location names the job")
    @ApiResponse(responseCode = "409", description = "IDEMPOTENCY_KEY_REUSED",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "422", description = "INVALID_FIELD (with 'field'), DATASET_CLASSES_MISMATCH",
            content = @Content(mediaType = "application/problem+json"))
    public ResponseEntity<JobView> submit(Caller caller, @RequestBody JobSpec spec,
                                          @Parameter(description = "makes retries of this request safe")
                                          @RequestHeader(name = "Idempotency-Key", required = false)
                                          String idempotencyKey) {
        JobService.Submission s = jobs.submit(caller, spec, idempotencyKey);
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/v1/jobs/" + s.job().id()))
                .header("Idempotent-Replayed", Boolean.toString(!s.created())).body(s.job());
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "A job's state, stage, progress, error or result")
    @ApiResponse(responseCode = "404", description = "No such job (or another tenant's)",
            content = @Content(mediaType = "application/problem+json"))
    public JobView get(Caller caller, @PathVariable String id) {
        return jobs.get(caller.tenantId(), id);
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "List your jobs, newest first")
    public JobService.Page list(Caller caller, @RequestParam(required = false) JobState state,
                                @RequestParam(required = false) String modelId,
                                @RequestParam(defaultValue = "0") int page,
                                @RequestParam(defaultValue = "20") int size) {
        return jobs.list(caller.tenantId(), state, modelId, page, size);
    }

    @PostMapping(path = "/{id}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Cancel a job", description = "A queued job ends at once, a running one within seconds. "
            + "Cancelling a finished job changes nothing.")
    @ApiResponse(responseCode = "202", description = "Cancellation accepted; the job as it is now")
    public ResponseEntity<JobView> cancel(Caller caller, @PathVariable String id) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(jobs.cancel(caller.tenantId(), id));
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Server-Sent Events of the job's state, stage and progress",
            description = "Event name 'job', data {id, state, stage, progress, errorCode}; the stream ends after a "
                    + "terminal state.")
    public SseEmitter events(Caller caller, @PathVariable String id) {
        return events.subscribe(jobs.get(caller.tenantId(), id), caller.tenantId());
    }

    @GetMapping(path = "/{id}/artifacts", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "The files a job published",
            description = "model.onnx, report.json, report.html, and training.csv when the job fine-tuned.")
    public List<JobView.ArtifactView> artifacts(Caller caller, @PathVariable String id) {
        jobs.get(caller.tenantId(), id);
        return artifacts.forJob(caller.tenantId(), id).stream()
                .map(a -> new JobView.ArtifactView(a.id(), a.name(), a.mediaType(), a.bytes(), a.sha256(),
                        "/v1/artifacts/" + a.id()))
                .toList();
    }
}
