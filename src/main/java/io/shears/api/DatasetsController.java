package io.shears.api;

import io.shears.catalog.DatasetCatalog;
import io.shears.catalog.DatasetView;
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
@RequestMapping("/v1/datasets")
@Conditional(ServesApi.class)
@Tag(name = "Datasets", description = "Upload labelled image datasets for calibration, fine-tuning and evaluation")
@SecurityRequirement(name = "apiKey")
public class DatasetsController {
    static final String DATASET_ID = "9b2d1c3e-0a4f-4e6b-8c7d-5e6f7a8b9c0d";

    private final DatasetCatalog datasets;
    private final UploadSpool spool;
    private final JobMetrics metrics;

    private final UriImports imports;

    public DatasetsController(DatasetCatalog datasets, UploadSpool spool, JobMetrics metrics, UriImports imports) {
        this.imports = imports;
        this.datasets = datasets;
        this.spool = spool;
        this.metrics = metrics;
    }

    // Both upload methods share POST /v1/datasets, and one operation documents them; the schema has the multipart
    // form alone, for the reason given in ModelsController.
    @PostMapping(consumes = {MediaType.APPLICATION_OCTET_STREAM_VALUE, "application/zip", "application/gzip",
            "application/x-tar"}, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "uploadDataset", summary = "Upload a dataset archive",
            description = "A zip or tar.gz holding either an ImageFolder layout (train/<class>/*.png|jpg, optional "
                    + "val/<class>/...) or MNIST-style IDX files (train-images, train-labels, optional t10k-*). "
                    + "Send it as a multipart form (part 'file', optional field 'name'), or as the raw body with "
                    + "Content-Type application/octet-stream (application/zip, application/gzip and "
                    + "application/x-tar are accepted as the same) and the name as the query parameter '?name='. "
                    + "Without a validation split, a seeded stratified 10% of train is held out.",
            requestBody = @RequestBody(required = true, content = {
                    @Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
                            schema = @Schema(type = "object", requiredProperties = "file"), schemaProperties = {
                            @SchemaProperty(name = "file", schema = @Schema(type = "string", format = "binary",
                                    description = "the archive; its filename is the default name")),
                            @SchemaProperty(name = "name", schema = @Schema(type = "string",
                                    description = "display name", example = "flowers"))})}))
    @ApiResponse(responseCode = "201", description = "Stored and checked; Location names the dataset",
            headers = @Header(name = "Location", description = "/v1/datasets/{id}", schema = @Schema(type = "string")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = DatasetView.class),
                    examples = @ExampleObject(name = "idx", ref = "#/components/examples/dataset")))
    @ApiResponse(responseCode = "400", description = "Not an archive, or a corrupt one (DATASET_UNSUPPORTED_FORMAT, "
            + "DATASET_ARCHIVE_CORRUPT), or a multipart form without a 'file' part (MALFORMED_UPLOAD)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "DATASET_UNSUPPORTED_FORMAT",
                            ref = "#/components/examples/dataset-unsupported-format")))
    @ApiResponse(responseCode = "413", description = "Larger than the upload limit (UPLOAD_TOO_LARGE, "
            + "DATASET_TOO_LARGE)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "UPLOAD_TOO_LARGE",
                            ref = "#/components/examples/dataset-too-large")))
    @ApiResponse(responseCode = "422", description = "Unusable archive, e.g. DATASET_UNSAFE_PATH (zip-slip), "
            + "DATASET_ZIP_BOMB, DATASET_LAYOUT_UNKNOWN, DATASET_TOO_MANY_CLASSES, DATASET_INVALID",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "DATASET_UNSAFE_PATH",
                            ref = "#/components/examples/dataset-unsafe-path")))
    @ApiResponse(responseCode = "503", description = "Every dataset analysis slot stayed busy (ANALYSIS_BUSY); "
            + "retry after the Retry-After header's seconds",
            headers = @Header(name = "Retry-After", description = "seconds to wait before retrying",
                    schema = @Schema(type = "integer")),
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "ANALYSIS_BUSY", ref = "#/components/examples/analysis-busy")))
    public ResponseEntity<DatasetView> uploadBody(Caller caller, HttpServletRequest request,
                                                  @Parameter(hidden = true) @RequestParam(required = false)
                                                  String name) throws IOException {
        try (InputStream in = request.getInputStream()) {
            return register(caller, in, request.getContentLengthLong(), name);
        }
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(hidden = true)
    public ResponseEntity<DatasetView> uploadMultipart(Caller caller, @RequestPart("file") MultipartFile file,
                                                       @RequestParam(required = false) String name)
            throws IOException {
        try (InputStream in = file.getInputStream()) {
            return register(caller, in, file.getSize(), name == null ? file.getOriginalFilename() : name);
        }
    }

    /** A dataset fetched from a URI; documented with the uploads by {@link UriImportDocs}. */
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(hidden = true)
    public ResponseEntity<DatasetView> importUri(Caller caller, @org.springframework.web.bind.annotation.RequestBody
                                              DatasetImport body) throws IOException {
        return imports.fetch(body.uri(), (content, length, fileName) -> register(caller, content, length,
                body.name() == null ? fileName : body.name()));
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listDatasets", summary = "List your datasets, newest first",
            description = "Every dataset of the caller's tenant, with its classes, split sizes and image shape.")
    @ApiResponse(responseCode = "200", description = "The caller's tenant's datasets",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    array = @ArraySchema(schema = @Schema(implementation = DatasetView.class)),
                    examples = @ExampleObject(name = "one dataset", ref = "#/components/examples/dataset-list")))
    public List<DatasetView> list(Caller caller) {
        return datasets.list(caller.tenantId());
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getDataset", summary = "One dataset",
            description = "Its format, classes, split sizes, image shape as stored, and the images skipped as "
                    + "unreadable.")
    @ApiResponse(responseCode = "200", description = "The dataset",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = DatasetView.class),
                    examples = @ExampleObject(name = "idx", ref = "#/components/examples/dataset")))
    @ApiResponse(responseCode = "404", description = "No such dataset (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", ref = "#/components/examples/dataset-not-found")))
    public DatasetView get(Caller caller, @Parameter(description = "the dataset's id", example = DATASET_ID)
                           @PathVariable String id) {
        return datasets.get(caller.tenantId(), id);
    }

    @DeleteMapping("/{id}")
    @Operation(operationId = "deleteDataset", summary = "Delete a dataset",
            description = "Refused with 409 DATASET_IN_USE while a queued or running job uses it.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", description = "No such dataset (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", ref = "#/components/examples/dataset-not-found")))
    @ApiResponse(responseCode = "409", description = "A job uses the dataset (DATASET_IN_USE)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "DATASET_IN_USE", ref = "#/components/examples/dataset-in-use")))
    public ResponseEntity<Void> delete(Caller caller,
                                       @Parameter(description = "the dataset's id", example = DATASET_ID)
                                       @PathVariable String id) throws IOException {
        datasets.delete(caller.tenantId(), id);
        return ResponseEntity.noContent().build();
    }

    private ResponseEntity<DatasetView> register(Caller caller, InputStream in, long length, String name) throws IOException {
        Path upload = spool.receive(in, length, datasets.maxBytes(), "dataset");
        try {
            DatasetView view = datasets.register(caller.tenantId(), upload, name);
            metrics.uploaded(view.bytes());
            return ResponseEntity.created(URI.create("/v1/datasets/" + view.id())).body(view);
        } finally {
            Files.deleteIfExists(upload);
        }
    }
}
