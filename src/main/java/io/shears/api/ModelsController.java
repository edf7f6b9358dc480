package io.shears.api;

import io.shears.catalog.ModelCatalog;
import io.shears.catalog.ModelView;
import io.shears.catalog.UploadSpool;
import io.shears.jobs.JobMetrics;
import io.shears.tenancy.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.SchemaProperty;
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
import org.springframework.web.context.request.NativeWebRequest;
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
    static final String MODEL_ID = "3f0c6a52-8e1b-4d59-9a57-1f4f1b2c0d11";

    private final ModelCatalog models;
    private final UploadSpool spool;
    private final JobMetrics metrics;
    private final BlobResponses blobs;
    private final UriImports imports;

    public ModelsController(ModelCatalog models, UploadSpool spool, JobMetrics metrics, BlobResponses blobs,
                            UriImports imports) {
        this.imports = imports;
        this.models = models;
        this.spool = spool;
        this.metrics = metrics;
        this.blobs = blobs;
    }

    // Both upload methods share POST /v1/models, and one operation documents them. Its schema has the multipart form
    // alone: the document's media types are written in key order, which would put application/octet-stream first,
    // and generators build their method from the first, some (Java's native client) unable to send a raw file. The
    // raw body, with its query parameters, is described in the operation's text and works as it always did.
    @PostMapping(consumes = {MediaType.APPLICATION_OCTET_STREAM_VALUE, "application/zip", "application/gzip",
            "application/x-tar"}, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "uploadModel", summary = "Upload a model",
            description = "The body is an .onnx file, or a zip or tar.gz bundle of model.onnx and its external-data "
                    + "files (the format is recognised by content). Send it as a multipart form (part 'file', "
                    + "optional fields 'name' and 'inputShape'), or as the raw body with Content-Type "
                    + "application/octet-stream (application/zip, application/gzip and application/x-tar are "
                    + "accepted as the same) and the fields as query parameters ('?name=...&inputShape=...'). The "
                    + "model is parsed, its shapes are inferred and its channel groups analysed before the answer. "
                    + "frozenReasons says why the frozenGroups may not be pruned in the default scope filters: each "
                    + "reason (node names left out) with its group count, channels, and the MACs of the layers that "
                    + "produce those channels (also as shareOfMacs of the model's MACs); most MACs first, at most 20 "
                    + "reasons.",
            requestBody = @RequestBody(required = true, content = {
                    @Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
                            schema = @Schema(type = "object", requiredProperties = "file"), schemaProperties = {
                            @SchemaProperty(name = "file", schema = @Schema(type = "string", format = "binary",
                                    description = "the .onnx file or bundle; its filename is the default name")),
                            @SchemaProperty(name = "name", schema = @Schema(type = "string",
                                    description = "display name", example = "resnet50")),
                            @SchemaProperty(name = "inputShape", schema = @Schema(type = "string",
                                    description = "static input shape for dynamic dimensions",
                                    example = "1x3x224x224"))})}))
    @ApiResponse(responseCode = "201", description = "Stored and analysed; Location names the model",
            headers = @Header(name = "Location", description = "/v1/models/{id}", schema = @Schema(type = "string")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ModelView.class),
                    examples = @ExampleObject(name = "resnet18", ref = "#/components/examples/model")))
    @ApiResponse(responseCode = "400", description = "Not an ONNX model or bundle (MODEL_UNPARSEABLE, BUNDLE_INVALID), "
            + "or a multipart form without a 'file' part (MALFORMED_UPLOAD)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "MODEL_UNPARSEABLE",
                            ref = "#/components/examples/model-unparseable")))
    @ApiResponse(responseCode = "413", description = "Larger than the upload limit (UPLOAD_TOO_LARGE)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "UPLOAD_TOO_LARGE",
                            ref = "#/components/examples/model-too-large")))
    @ApiResponse(responseCode = "422", description = "A model Shears cannot use, e.g. UNSUPPORTED_OPERATOR naming "
            + "the node, INPUT_SHAPE_REQUIRED, EXTERNAL_DATA_OUTSIDE_BUNDLE; or an empty upload (UPLOAD_EMPTY)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "UNSUPPORTED_OPERATOR",
                            ref = "#/components/examples/unsupported-operator")))
    public ResponseEntity<ModelView> uploadBody(Caller caller, HttpServletRequest request,
                                                @Parameter(hidden = true) @RequestParam(required = false)
                                                String name,
                                                @Parameter(hidden = true) @RequestParam(required = false)
                                                String inputShape)
            throws IOException {
        try (InputStream in = request.getInputStream()) {
            return register(caller, in, request.getContentLengthLong(), name, inputShape);
        }
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(hidden = true)
    public ResponseEntity<ModelView> uploadMultipart(Caller caller, @RequestPart("file") MultipartFile file,
                                                     @RequestParam(required = false) String name,
                                                     @RequestParam(required = false) String inputShape)
            throws IOException {
        try (InputStream in = file.getInputStream()) {
            return register(caller, in, file.getSize(), name == null ? file.getOriginalFilename() : name, inputShape);
        }
    }

    /** A model fetched from a URI; documented with the uploads by {@link UriImportDocs}. */
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(hidden = true)
    public ResponseEntity<ModelView> importUri(Caller caller, @org.springframework.web.bind.annotation.RequestBody
                                              ModelImport body) throws IOException {
        return imports.fetch(body.uri(), (content, length, fileName) -> register(caller, content, length,
                body.name() == null ? fileName : body.name(), body.inputShape()));
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listModels", summary = "List your models, newest first",
            description = "Every model of the caller's tenant, with what was analysed at upload.")
    @ApiResponse(responseCode = "200", description = "The caller's tenant's models",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    array = @ArraySchema(schema = @Schema(implementation = ModelView.class)),
                    examples = @ExampleObject(name = "one model", ref = "#/components/examples/model-list")))
    public List<ModelView> list(Caller caller) {
        return models.list(caller.tenantId());
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getModel", summary = "One model",
            description = "What was analysed at upload: inputs and outputs, MACs and FLOPs (= 2 × MACs) at the "
                    + "analysed input shape, parameters, and the counts of prunable and frozen channel groups.")
    @ApiResponse(responseCode = "200", description = "The model",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ModelView.class),
                    examples = @ExampleObject(name = "resnet18", ref = "#/components/examples/model")))
    @ApiResponse(responseCode = "404", description = "No such model (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", ref = "#/components/examples/model-not-found")))
    public ModelView get(Caller caller, @Parameter(description = "the model's id", example = MODEL_ID)
                         @PathVariable String id) {
        return models.get(caller.tenantId(), id);
    }

    @GetMapping(path = "/{id}/content", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    @Operation(operationId = "downloadModel", summary = "Download the model as uploaded",
            description = "The uploaded bytes, with ETag (the SHA-256), Repr-Digest and Range support.")
    @ApiResponse(responseCode = "200", description = "The uploaded file",
            headers = {@Header(name = "ETag", description = "the quoted SHA-256 of the content",
                    schema = @Schema(type = "string")),
                    @Header(name = "Repr-Digest", description = "RFC 9530 digest, sha-256=:base64:",
                            schema = @Schema(type = "string"))},
            content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
                    schema = @Schema(type = "string", format = "binary")))
    @ByteRangeDocs
    @ApiResponse(responseCode = "404", description = "No such model (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", ref = "#/components/examples/model-not-found")))
    public ResponseEntity<Resource> content(Caller caller, NativeWebRequest request,
                                            @Parameter(description = "the model's id", example = MODEL_ID)
                                            @PathVariable String id) throws IOException {
        ModelView model = models.get(caller.tenantId(), id);
        return blobs.serve(request, model.sha256(), model.bytes(), MediaType.APPLICATION_OCTET_STREAM, model.name());
    }

    @DeleteMapping("/{id}")
    @Operation(operationId = "deleteModel", summary = "Delete a model",
            description = "Refused with 409 MODEL_IN_USE while a queued or running job uses it. The stored file "
                    + "goes when no other model, dataset or artifact has the same content.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", description = "No such model (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", ref = "#/components/examples/model-not-found")))
    @ApiResponse(responseCode = "409", description = "A job uses the model (MODEL_IN_USE)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "MODEL_IN_USE", ref = "#/components/examples/model-in-use")))
    public ResponseEntity<Void> delete(Caller caller, @Parameter(description = "the model's id", example = MODEL_ID)
                                       @PathVariable String id) throws IOException {
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
