package io.shears.api;

import io.shears.jobs.JobDeletion;
import io.shears.tenancy.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.context.annotation.Conditional;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;

/** {@code DELETE /v1/jobs/{id}}: a finished job goes with its artifacts. */
@RestController
@RequestMapping("/v1/jobs")
@Conditional(ServesApi.class)
@Tag(name = "Jobs")
@SecurityRequirement(name = "apiKey")
public class JobDeletionController {
    private final JobDeletion deletion;

    public JobDeletionController(JobDeletion deletion) {
        this.deletion = deletion;
    }

    @DeleteMapping("/{id}")
    @Operation(operationId = "deleteJob", summary = "Delete a finished job and its artifacts",
            description = "Deletes the job's record and its artifacts; a stored file goes when no model, dataset or "
                    + "other artifact has the same content. Refused with 409 JOB_ACTIVE while the job is queued or "
                    + "running: cancel it first, and delete it once it is CANCELLED.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", description = "No such job (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", ref = "#/components/examples/job-not-found")))
    @ApiResponse(responseCode = "409", description = "The job is queued or running (JOB_ACTIVE)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "JOB_ACTIVE", ref = "#/components/examples/job-active")))
    public ResponseEntity<Void> delete(Caller caller, @Parameter(description = "the job's id",
            example = JobsController.JOB_ID) @PathVariable String id) throws IOException {
        deletion.delete(caller.tenantId(), id);
        return ResponseEntity.noContent().build();
    }
}
