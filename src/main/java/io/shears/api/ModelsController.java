package io.shears.api;

import io.shears.catalog.ModelCatalog;
import io.shears.catalog.ModelView;
import io.shears.catalog.UploadSpool;
import io.shears.jobs.JobMetrics;
import io.shears.tenancy.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

@RestController
@RequestMapping("/v1/models")
@Conditional(ServesApi.class)
@Tag(name = "Models", description = "Upload ONNX models; each is validated and analysed at once")
@SecurityRequirement(name = "apiKey")
public class ModelsController {
    private final ModelCatalog models;
    private final UploadSpool spool;
    private final JobMetrics metrics;
    private final BlobResponses blobs;

    public ModelsController(ModelCatalog models, UploadSpool spool, JobMetrics metrics, BlobResponses blobs) {
        this.models = models;
        this.spool = spool;
        this.metrics = metrics;
        this.blobs = blobs;
    }

    @PostMapping(consumes = {MediaType.APPLICATION_OCTET_STREAM_VALUE, "application/zip", "application/gzip",
            "application/x-tar"}, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Upload a model as the request body",
            description = "The body is an .onnx file, or a zip or tar.gz bundle of model.onnx and its external-data "
                    + "files. The format is recognised by content. The model is parsed, its shapes are inferred and "
                    + "its channel groups analysed before the answer.",
            requestBody = @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
                    schema = @Schema(type = "string", format = "binary"))))
    @ApiResponse(responseCode = "201", description = "Stored and analysed")
    @ApiResponse(responseCode = "400", description = "Not an ONNX model or bundle (MODEL_UNPARSEABLE, BUNDLE_INVALID)",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "413", description = "Larger than the upload limit (UPLOAD_TOO_LARGE)",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "422", description = "A model Shears cannot use, e.g. UNSUPPORTED_OPERATOR naming "
            + "the node, INPUT_SHAPE_REQUIRED, EXTERNAL_DATA_OUTSIDE_BUNDLE",
            content = @Content(mediaType = "application/problem+json"))
    public ResponseEntity<ModelView> uploadBody(Caller caller, HttpServletRequest request,
                                                @Parameter(description = "display name", example = "resnet50")
                                                @RequestParam(required = false) String name,
                                                @Parameter(description = "static input shape for dynamic dimensions",
                                                        example = "1x3x224x224")
                                                @RequestParam(required = false) String inputShape)
            throws IOException {
        try (InputStream in = request.getInputStream()) {
            return register(caller, in, request.getContentLengthLong(), name, inputShape);
        }
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Upload a model as a multipart form", description = "The part 'file' holds the .onnx file "
            + "or bundle; 'name' and 'inputShape' are optional parts.")
    @ApiResponse(responseCode = "201", description = "Stored and analysed")
    public ResponseEntity<ModelView> uploadMultipart(Caller caller, @RequestPart("file") MultipartFile file,
                                                     @RequestParam(required = false) String name,
                                                     @RequestParam(required = false) String inputShape)
            throws IOException {
        try (InputStream in = file.getInputStream()) {
            return register(caller, in, file.getSize(), name == null ? file.getOriginalFilename() : name, inputShape);
        }
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "List your models, newest first")
    public List<ModelView> list(Caller caller) {
        return models.list(caller.tenantId());
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "One model")
    @ApiResponse(responseCode = "404", description = "No such model (or another tenant's)",
            content = @Content(mediaType = "application/problem+json"))
    public ModelView get(Caller caller, @PathVariable String id) {
        return models.get(caller.tenantId(), id);
    }

    @GetMapping(path = "/{id}/content", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    @Operation(summary = "Download the model as uploaded")
    public ResponseEntity<Resource> content(Caller caller, @PathVariable String id) throws IOException {
        ModelView model = models.get(caller.tenantId(), id);
        return blobs.serve(model.sha256(), model.bytes(), MediaType.APPLICATION_OCTET_STREAM, model.name());
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Delete a model", description = "Refused with 409 MODEL_IN_USE while a queued or running "
            + "job uses it.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "409", description = "A job uses the model (MODEL_IN_USE)",
            content = @Content(mediaType = "application/problem+json"))
    public ResponseEntity<Void> delete(Caller caller, @PathVariable String id) throws IOException {
        models.delete(caller.tenantId(), id);
        return ResponseEntity.noContent().build();
    }

    private ResponseEntity<ModelView> register(Caller caller, InputStream in, long length, String name, String inputShape)
            throws IOException {
        Path upload = spool.receive(in, length, models.maxBytes(), "model");
        try {
            ModelView view = models.register(caller.tenantId(), upload, name, inputShape);
            metrics.uploaded(view.bytes());
            return ResponseEntity.created(URI.create("/v1/models/" + view.id())).body(view);
        } finally {
            Files.deleteIfExists(upload);
        }
    }
}
