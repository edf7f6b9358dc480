package io.shears.api;

import io.shears.artifacts.ArtifactCatalog;
import io.shears.artifacts.ArtifactRecord;
import io.shears.config.ServiceException;
import io.shears.tenancy.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.NativeWebRequest;

@RestController
@RequestMapping(ArtifactUrls.PATH)
@Conditional(ServesApi.class)
@Tag(name = "Artifacts", description = "Download what jobs published")
@SecurityRequirement(name = "apiKey")
public class ArtifactsController {
    private static final String ARTIFACT_ID = "34bef28d-1708-31da-b2e6-166b3f7c4feb";

    private final ArtifactCatalog artifacts;
    private final BlobResponses blobs;

    public ArtifactsController(ArtifactCatalog artifacts, BlobResponses blobs) {
        this.artifacts = artifacts;
        this.blobs = blobs;
    }

    @GetMapping("/{id}")
    @Operation(operationId = "downloadArtifact", summary = "Download an artifact",
            description = "With ETag (the SHA-256), Content-Length, Repr-Digest (sha-256) and Range support. The "
                    + "media type is the artifact's: application/octet-stream for model.onnx, application/json for "
                    + "report.json, text/html for report.html, text/csv for training.csv.")
    @ApiResponse(responseCode = "200", description = "The whole artifact",
            headers = {@Header(name = "ETag", description = "the quoted SHA-256 of the content",
                    schema = @Schema(type = "string")),
                    @Header(name = "Repr-Digest", description = "RFC 9530 digest, sha-256=:base64:",
                            schema = @Schema(type = "string"))},
            content = @Content(mediaType = "*/*", schema = @Schema(type = "string", format = "binary")))
    @ByteRangeDocs
    @ApiResponse(responseCode = "404", description = "No such artifact (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", ref = "#/components/examples/artifact-not-found")))
    public ResponseEntity<Resource> download(Caller caller, NativeWebRequest request,
                                             @Parameter(description = "the artifact's id, from a job's result",
                                                     example = ARTIFACT_ID)
                                             @PathVariable String id) {
        ArtifactRecord a = artifacts.find(caller.tenantId(), id)
                .orElseThrow(() -> ServiceException.notFound("artifact", id));
        return blobs.serve(request, a.sha256(), a.bytes(), MediaType.parseMediaType(a.mediaType()), a.name());
    }
}
