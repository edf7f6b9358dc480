package io.shears.api;

import io.shears.artifacts.ArtifactCatalog;
import io.shears.artifacts.ArtifactRecord;
import io.shears.server.ServiceException;
import io.shears.tenancy.Caller;
import io.swagger.v3.oas.annotations.Operation;
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

@RestController
@RequestMapping("/v1/artifacts")
@Conditional(ServesApi.class)
@Tag(name = "Artifacts", description = "Download what jobs published")
@SecurityRequirement(name = "apiKey")
public class ArtifactsController {
    private final ArtifactCatalog artifacts;
    private final BlobResponses blobs;

    public ArtifactsController(ArtifactCatalog artifacts, BlobResponses blobs) {
        this.artifacts = artifacts;
        this.blobs = blobs;
    }

    @GetMapping("/{id}")
    @Operation(summary = "Download an artifact",
            description = "With ETag (the SHA-256), Content-Length, Repr-Digest (sha-256) and Range support.")
    @ApiResponse(responseCode = "200", description = "The whole artifact")
    @ApiResponse(responseCode = "206", description = "The requested range")
    public ResponseEntity<Resource> download(Caller caller, @PathVariable String id) {
        ArtifactRecord a = artifacts.find(caller.tenantId(), id)
                .orElseThrow(() -> ServiceException.notFound("artifact", id));
        return blobs.serve(a.sha256(), a.bytes(), MediaType.parseMediaType(a.mediaType()), a.name());
    }
}
