package io.shears.api;

import io.shears.jobs.JobEvents;
import io.shears.jobs.JobService;
import io.shears.jobs.JobState;
import io.shears.jobs.JobView;
import io.shears.pipeline.JobSpec;
import io.shears.tenancy.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
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
    static final String JOB_ID = "8d1e0f3a-6b2c-4f7d-9e5a-3c4b2a1f0e9d";

    private final JobService jobs;
    private final JobEvents events;

    public JobsController(JobService jobs, JobEvents events) {
        this.jobs = jobs;
        this.events = events;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "submitJob", summary = "Submit a job",
            description = "Validates every field (a message names the bad one), checks that the model and datasets "
                    + "exist and that the datasets' classes fit the model, and queues the job. With an "
                    + "Idempotency-Key, the same key and body return the same job; the same key with another body "
                    + "is 409 IDEMPOTENCY_KEY_REUSED.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE,
                    examples = {
                            @ExampleObject(name = "prune only", ref = "#/components/examples/job-spec-prune-only"),
                            @ExampleObject(name = "prune and fine-tune",
                                    ref = "#/components/examples/job-spec-prune-and-fine-tune"),
                            @ExampleObject(name = "MACs budget with callback",
                                    ref = "#/components/examples/job-spec-macs-budget-with-callback")})))
    @ApiResponse(responseCode = "202", description = "Queued (or, with a replayed Idempotency-Key, the earlier job "
            + "as it is now); Location names the job",
            headers = {@Header(name = "Location", description = "/v1/jobs/{id}", schema = @Schema(type = "string")),
                    @Header(name = "Idempotent-Replayed", description = "true when an earlier request with the "
                            + "same Idempotency-Key created the job", schema = @Schema(type = "boolean"))},
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = JobView.class),
                    examples = @ExampleObject(name = "queued", ref = "#/components/examples/job-queued")))
    @ApiResponse(responseCode = "400", description = "The body is not JSON (MALFORMED_JSON)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "MALFORMED_JSON", ref = "#/components/examples/malformed-json")))
    @ApiResponse(responseCode = "409", description = "The Idempotency-Key was used with another body "
            + "(IDEMPOTENCY_KEY_REUSED)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "IDEMPOTENCY_KEY_REUSED",
                            ref = "#/components/examples/idempotency-key-reused")))
    @ApiResponse(responseCode = "422", description = "A bad field, named in 'field' (INVALID_FIELD: also an unknown "
            + "field, a missing model or dataset), DATASET_CLASSES_MISMATCH, INVALID_PRUNING_OPTIONS, "
            + "INVALID_IDEMPOTENCY_KEY",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = {@ExampleObject(name = "INVALID_FIELD", ref = "#/components/examples/invalid-job-field"),
                            @ExampleObject(name = "DATASET_CLASSES_MISMATCH",
                                    ref = "#/components/examples/dataset-classes-mismatch")}))
    public ResponseEntity<JobView> submit(Caller caller, @RequestBody JobSpec spec,
                                          @Parameter(description = "makes retries of this request safe: the same "
                                                  + "key and body return the same job", example = "nightly-2026-11-28")
                                          @RequestHeader(name = "Idempotency-Key", required = false)
                                          String idempotencyKey) {
        JobService.Submission s = jobs.submit(caller, spec, idempotencyKey);
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/v1/jobs/" + s.job().id()))
                .header("Idempotent-Replayed", Boolean.toString(!s.created())).body(s.job());
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getJob", summary = "A job's state, stage, progress, error or result",
            description = "Poll this (or follow /events) until the state is SUCCEEDED, FAILED or CANCELLED. 'result' "
                    + "is present once the job SUCCEEDED, 'error' once it FAILED or was CANCELLED.")
    @ApiResponse(responseCode = "200", description = "The job",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = JobView.class),
                    examples = {@ExampleObject(name = "succeeded", ref = "#/components/examples/job-succeeded"),
                            @ExampleObject(name = "failed", ref = "#/components/examples/job-failed")}))
    @ApiResponse(responseCode = "404", description = "No such job (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", ref = "#/components/examples/job-not-found")))
    public JobView get(Caller caller, @Parameter(description = "the job's id", example = JOB_ID)
                       @PathVariable String id) {
        return jobs.get(caller.tenantId(), id);
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listJobs", summary = "List your jobs, newest first",
            description = "A page of the caller's tenant's jobs, optionally only those in one state or of one model.")
    @ApiResponse(responseCode = "200", description = "One page; 'total' counts every match",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = JobService.Page.class),
                    examples = @ExampleObject(name = "one succeeded job", ref = "#/components/examples/job-page")))
    @ApiResponse(responseCode = "400", description = "A parameter that does not parse, e.g. an unknown state "
            + "(INVALID_PARAMETER)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "INVALID_PARAMETER",
                            ref = "#/components/examples/invalid-job-state")))
    @ApiResponse(responseCode = "422", description = "page below 0 or size outside 1..200 (INVALID_PARAMETER)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "INVALID_PARAMETER",
                            ref = "#/components/examples/invalid-page-size")))
    public JobService.Page list(Caller caller,
                                @Parameter(description = "only jobs in this state", example = "SUCCEEDED")
                                @RequestParam(required = false) JobState state,
                                @Parameter(description = "only jobs of this model",
                                        example = ModelsController.MODEL_ID)
                                @RequestParam(required = false) String modelId,
                                @Parameter(description = "page number, from 0")
                                @RequestParam(defaultValue = "0") int page,
                                @Parameter(description = "jobs per page, 1..200")
                                @RequestParam(defaultValue = "20") int size) {
        return jobs.list(caller.tenantId(), state, modelId, page, size);
    }

    @PostMapping(path = "/{id}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "cancelJob", summary = "Cancel a job",
            description = "A queued job ends at once, a running one within seconds. Cancelling a finished job "
                    + "changes nothing.")
    @ApiResponse(responseCode = "202", description = "Cancellation accepted; the job as it is now",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = JobView.class),
                    examples = @ExampleObject(name = "already finished", ref = "#/components/examples/job-failed")))
    @ApiResponse(responseCode = "404", description = "No such job (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", ref = "#/components/examples/job-not-found")))
    public ResponseEntity<JobView> cancel(Caller caller, @Parameter(description = "the job's id", example = JOB_ID)
                                          @PathVariable String id) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(jobs.cancel(caller.tenantId(), id));
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "jobEvents", summary = "Server-Sent Events of the job's state, stage, progress and "
            + "training figures",
            description = "Event name 'job', data {id, state, stage, progress, errorCode, epoch, step, trainLoss, "
                    + "valAccuracy, trainFlops}; the training figures are null until the job fine-tunes, then keep "
                    + "their latest values (valAccuracy: validation top-1 after the latest finished epoch). Each "
                    + "event's id numbers it in the job's log: a client that sends Last-Event-ID gets every event "
                    + "after that one, without it the latest event at once. The stream ends after a terminal state. "
                    + "The body is a text/event-stream, not one JSON value, so its schema is a binary string: "
                    + "generated clients hand over the text as it came and read no JSON from it.")
    @ApiResponse(responseCode = "200", description = "The event stream",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
                    schema = @Schema(type = "string", format = "binary"),
                    examples = @ExampleObject(name = "to the end", ref = "#/components/examples/job-events")))
    @ApiResponse(responseCode = "404", description = "No such job (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", ref = "#/components/examples/job-not-found")))
    public SseEmitter events(Caller caller, @Parameter(description = "the job's id", example = JOB_ID)
                             @PathVariable String id,
                             @Parameter(description = "the id of the last event the client received; the stream "
                                     + "resumes after it", example = "7")
                             @RequestHeader(name = "Last-Event-ID", required = false) Long lastEventId) {
        JobEventStream stream = new JobEventStream();
        events.subscribe(jobs.get(caller.tenantId(), id), stream, lastEventId);
        return stream.emitter();
    }

    @GetMapping(path = "/{id}/artifacts", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listJobArtifacts", summary = "The files a job published",
            description = "model.onnx, report.json, report.html, and training.csv when the job fine-tuned; each "
                    + "downloads from its 'url'. Empty until the job SUCCEEDED.")
    @ApiResponse(responseCode = "200", description = "The job's artifacts",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    array = @ArraySchema(schema = @Schema(implementation = JobView.ArtifactView.class)),
                    examples = @ExampleObject(name = "pruned only", ref = "#/components/examples/job-artifacts")))
    @ApiResponse(responseCode = "404", description = "No such job (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", ref = "#/components/examples/job-not-found")))
    public List<JobView.ArtifactView> artifacts(Caller caller,
                                                @Parameter(description = "the job's id", example = JOB_ID)
                                                @PathVariable String id) {
        return jobs.artifacts(caller.tenantId(), id);
    }
}
