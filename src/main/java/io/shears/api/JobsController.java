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
    static final String SPEC_EXAMPLE = """
            {"modelId": "3f0c6a52-8e1b-4d59-9a57-1f4f1b2c0d11",
             "budget": {"fraction": 0.5},
             "pruning": {"scope": "filters", "criterion": "l1", "allocation": "uniform", "roundTo": 8},
             "fineTune": {"datasetId": "9b2d1c3e-0a4f-4e6b-8c7d-5e6f7a8b9c0d", "epochs": 2, "learningRate": 0.01},
             "evaluation": {"datasetId": "9b2d1c3e-0a4f-4e6b-8c7d-5e6f7a8b9c0d"},
             "labels": {"team": "vision"}}""";
    private static final String PRUNE_ONLY_EXAMPLE = """
            {"modelId": "3f0c6a52-8e1b-4d59-9a57-1f4f1b2c0d11", "budget": {"fraction": 0.75},
             "labels": {"team": "vision"}}""";
    private static final String MACS_BUDGET_EXAMPLE = """
            {"modelId": "3f0c6a52-8e1b-4d59-9a57-1f4f1b2c0d11", "budget": {"macs": 3000000},
             "pruning": {"scope": "channels", "allocation": "global"},
             "callbackUrl": "https://ci.example.com/shears-callback"}""";
    static final String JOB_ID = "8d1e0f3a-6b2c-4f7d-9e5a-3c4b2a1f0e9d";
    /** The spec as stored: every default filled in, so it says exactly what ran. */
    private static final String STORED_SPEC = """
            "spec": {"modelId": "3f0c6a52-8e1b-4d59-9a57-1f4f1b2c0d11",
              "budget": {"macs": null, "flops": null, "fraction": 0.75},
              "pruning": {"scope": "filters", "criterion": "l1", "allocation": "uniform", "roundTo": 8,
                          "minChannels": 1, "exclude": [], "seed": 0, "groupedConvolutions": "within-groups",
                          "attentionUnit": "heads"},
              "input": {"shape": null, "mean": [0.0], "std": [1.0], "resize": null, "crop": null, "channels": null},
              "calibration": null, "fineTune": null, "evaluation": null, "callbackUrl": null,
              "labels": {"team": "vision"}}""";
    private static final String ARTIFACTS = """
            [{"id": "34bef28d-1708-31da-b2e6-166b3f7c4feb", "name": "model.onnx",
              "mediaType": "application/octet-stream", "bytes": 475213,
              "sha256": "a2ff029a86809056cd016dd7e8462e236cf48541660e73daabfbdba29cf1d3d7",
              "url": "/v1/artifacts/34bef28d-1708-31da-b2e6-166b3f7c4feb"},
             {"id": "75a7c024-a23b-33df-b0e1-bcf9f8389477", "name": "report.html", "mediaType": "text/html",
              "bytes": 11287, "sha256": "35afe9cdf1b5d396dd4274ca8e310d5edbb6569f9fac881ed92c60f62357dff9",
              "url": "/v1/artifacts/75a7c024-a23b-33df-b0e1-bcf9f8389477"},
             {"id": "13caa282-b531-3157-9742-362390e82ce7", "name": "report.json", "mediaType": "application/json",
              "bytes": 14789, "sha256": "afeceed6cc1d4a20a6f100053c947836cc960df380a8d243ac7522ffd5948b17",
              "url": "/v1/artifacts/13caa282-b531-3157-9742-362390e82ce7"}]""";
    private static final String JOB_QUEUED = """
            {"id": "8d1e0f3a-6b2c-4f7d-9e5a-3c4b2a1f0e9d", "modelId": "3f0c6a52-8e1b-4d59-9a57-1f4f1b2c0d11",
             "state": "QUEUED", "stage": null, "progress": 0.0, "createdAt": "2026-11-28T03:22:00.191134Z",
             "startedAt": null, "finishedAt": null, "attempts": 0, "error": null, "result": null,
             "labels": {"team": "vision"},
            """ + STORED_SPEC + "}";
    private static final String JOB_SUCCEEDED = """
            {"id": "8d1e0f3a-6b2c-4f7d-9e5a-3c4b2a1f0e9d", "modelId": "3f0c6a52-8e1b-4d59-9a57-1f4f1b2c0d11",
             "state": "SUCCEEDED", "stage": "BENCHMARK", "progress": 1.0, "createdAt": "2026-11-28T03:22:00.191134Z",
             "startedAt": "2026-11-28T03:22:00.799058Z", "finishedAt": "2026-11-28T03:22:04.890180Z", "attempts": 1,
             "error": null,
             "result": {"summary": {"originalMacs": 6884832, "prunedMacs": 5110752, "originalFlops": 13769664,
                                    "prunedFlops": 10221504, "originalParams": 146746, "prunedParams": 114234,
                                    "macsRatio": 0.7423205097815023, "finalTop1": null,
                                    "speedUpBatch32": 1.550631632607955},
                        "artifacts":
            """ + ARTIFACTS + """
            },
             "labels": {"team": "vision"},
            """ + STORED_SPEC + "}";
    private static final String JOB_FAILED = """
            {"id": "8d1e0f3a-6b2c-4f7d-9e5a-3c4b2a1f0e9d", "modelId": "3f0c6a52-8e1b-4d59-9a57-1f4f1b2c0d11",
             "state": "FAILED", "stage": "PRUNE", "progress": 0.08, "createdAt": "2026-11-28T03:24:40.618519Z",
             "startedAt": "2026-11-28T03:24:40.764583Z", "finishedAt": "2026-11-28T03:24:40.863914Z", "attempts": 1,
             "error": {"code": "BUDGET_UNREACHABLE", "message": "budget of 344241 MACs cannot be reached: the \
            smallest reachable model has 4226016 MACs (0.6138 of the original 6884832)"},
             "result": null, "labels": {"team": "vision"},
            """ + STORED_SPEC + "}";
    private static final String EVENTS_EXAMPLE = """
            event:job
            id:7
            data:{"id":"8d1e0f3a-6b2c-4f7d-9e5a-3c4b2a1f0e9d","state":"RUNNING","stage":"FINETUNE","progress":0.41,\
            "errorCode":null,"epoch":2,"step":118,"trainLoss":0.6931,"valAccuracy":0.8125,"trainFlops":41287680000}

            event:job
            id:31
            data:{"id":"8d1e0f3a-6b2c-4f7d-9e5a-3c4b2a1f0e9d","state":"SUCCEEDED","stage":"BENCHMARK",\
            "progress":1.0,"errorCode":null,"epoch":3,"step":177,"trainLoss":0.5012,"valAccuracy":0.84375,\
            "trainFlops":61931520000}

            """;
    private static final String NOT_FOUND = """
            {"type": "https://shears.io/problems/not-found", "title": "Not Found", "status": 404,
             "detail": "no job '8d1e0f3a-6b2c-4f7d-9e5a-3c4b2a1f0e9d'",
             "instance": "/v1/jobs/8d1e0f3a-6b2c-4f7d-9e5a-3c4b2a1f0e9d", "code": "NOT_FOUND"}""";
    private static final String MALFORMED_JSON = """
            {"type": "https://shears.io/problems/malformed-json", "title": "Bad Request", "status": 400,
             "detail": "the body is not valid JSON for this endpoint: Unexpected end-of-input within/between \
            Object entries",
             "instance": "/v1/jobs", "code": "MALFORMED_JSON"}""";
    private static final String INVALID_FIELD = """
            {"type": "https://shears.io/problems/invalid-field", "title": "Unprocessable Content", "status": 422,
             "detail": "budget.fraction: must be in (0, 1], got 1.5", "instance": "/v1/jobs",
             "code": "INVALID_FIELD", "field": "budget.fraction"}""";
    private static final String CLASSES_MISMATCH = """
            {"type": "https://shears.io/problems/dataset-classes-mismatch", "title": "Unprocessable Content",
             "status": 422, "detail": "fineTune.datasetId: dataset '9b2d1c3e-0a4f-4e6b-8c7d-5e6f7a8b9c0d' has 3 \
            classes but the model with head 'keep' outputs 10",
             "instance": "/v1/jobs", "code": "DATASET_CLASSES_MISMATCH"}""";
    private static final String KEY_REUSED = """
            {"type": "https://shears.io/problems/idempotency-key-reused", "title": "Conflict", "status": 409,
             "detail": "Idempotency-Key 'nightly-2026-11-28' was used for job 8d1e0f3a-6b2c-4f7d-9e5a-3c4b2a1f0e9d \
            with a different body",
             "instance": "/v1/jobs", "code": "IDEMPOTENCY_KEY_REUSED"}""";
    private static final String BAD_STATE = """
            {"type": "https://shears.io/problems/invalid-parameter", "title": "Bad Request", "status": 400,
             "detail": "state: 'DONE' is not one of QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED",
             "instance": "/v1/jobs", "code": "INVALID_PARAMETER"}""";
    private static final String BAD_SIZE = """
            {"type": "https://shears.io/problems/invalid-parameter", "title": "Unprocessable Content", "status": 422,
             "detail": "size must be in 1..200, got 500", "instance": "/v1/jobs", "code": "INVALID_PARAMETER"}""";

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
                            @ExampleObject(name = "prune only", value = PRUNE_ONLY_EXAMPLE,
                                    summary = "Prune to 75% of the MACs with the defaults (the paper's setting)"),
                            @ExampleObject(name = "prune and fine-tune", value = SPEC_EXAMPLE,
                                    summary = "Prune to half, fine-tune two epochs and evaluate"),
                            @ExampleObject(name = "MACs budget with callback", value = MACS_BUDGET_EXAMPLE,
                                    summary = "An absolute MACs target, every channel prunable, a signed callback "
                                            + "when the job ends")})))
    @ApiResponse(responseCode = "202", description = "Queued (or, with a replayed Idempotency-Key, the earlier job "
            + "as it is now); Location names the job",
            headers = {@Header(name = "Location", description = "/v1/jobs/{id}", schema = @Schema(type = "string")),
                    @Header(name = "Idempotent-Replayed", description = "true when an earlier request with the "
                            + "same Idempotency-Key created the job", schema = @Schema(type = "boolean"))},
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = JobView.class),
                    examples = @ExampleObject(name = "queued", value = JOB_QUEUED)))
    @ApiResponse(responseCode = "400", description = "The body is not JSON (MALFORMED_JSON)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "MALFORMED_JSON", value = MALFORMED_JSON)))
    @ApiResponse(responseCode = "409", description = "The Idempotency-Key was used with another body "
            + "(IDEMPOTENCY_KEY_REUSED)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "IDEMPOTENCY_KEY_REUSED", value = KEY_REUSED)))
    @ApiResponse(responseCode = "422", description = "A bad field, named in 'field' (INVALID_FIELD: also an unknown "
            + "field, a missing model or dataset), DATASET_CLASSES_MISMATCH, INVALID_PRUNING_OPTIONS, "
            + "INVALID_IDEMPOTENCY_KEY",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = {@ExampleObject(name = "INVALID_FIELD", value = INVALID_FIELD),
                            @ExampleObject(name = "DATASET_CLASSES_MISMATCH", value = CLASSES_MISMATCH)}))
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
                    examples = {@ExampleObject(name = "succeeded", value = JOB_SUCCEEDED),
                            @ExampleObject(name = "failed", value = JOB_FAILED)}))
    @ApiResponse(responseCode = "404", description = "No such job (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", value = NOT_FOUND)))
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
                    examples = @ExampleObject(name = "one succeeded job",
                            value = "{\"items\": [" + JOB_SUCCEEDED + "], \"page\": 0, \"size\": 20, \"total\": 1}")))
    @ApiResponse(responseCode = "400", description = "A parameter that does not parse, e.g. an unknown state "
            + "(INVALID_PARAMETER)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "INVALID_PARAMETER", value = BAD_STATE)))
    @ApiResponse(responseCode = "422", description = "page below 0 or size outside 1..200 (INVALID_PARAMETER)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "INVALID_PARAMETER", value = BAD_SIZE)))
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
                    examples = @ExampleObject(name = "already finished", value = JOB_FAILED)))
    @ApiResponse(responseCode = "404", description = "No such job (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", value = NOT_FOUND)))
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
                    + "after that one, without it the latest event at once. The stream ends after a terminal state.")
    @ApiResponse(responseCode = "200", description = "The event stream",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(type = "string"),
                    examples = @ExampleObject(name = "to the end", value = EVENTS_EXAMPLE)))
    @ApiResponse(responseCode = "404", description = "No such job (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", value = NOT_FOUND)))
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
                    examples = @ExampleObject(name = "pruned only", value = ARTIFACTS)))
    @ApiResponse(responseCode = "404", description = "No such job (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", value = NOT_FOUND)))
    public List<JobView.ArtifactView> artifacts(Caller caller,
                                                @Parameter(description = "the job's id", example = JOB_ID)
                                                @PathVariable String id) {
        return jobs.artifacts(caller.tenantId(), id);
    }
}
