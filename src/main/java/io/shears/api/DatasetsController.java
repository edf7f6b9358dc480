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
    private static final String DATASET_EXAMPLE = """
            {"id": "9b2d1c3e-0a4f-4e6b-8c7d-5e6f7a8b9c0d", "name": "bands",
             "sha256": "5d8a1f0c2b7e49d3a6c4e8f1b2d3c4a5e6f708192a3b4c5d6e7f8091a2b3c4d5", "bytes": 71893,
             "format": "idx", "classes": ["0", "1", "2", "3"], "trainCount": 72, "valCount": 8,
             "valFromArchive": false, "imageShape": [1, 28, 28], "skippedImages": 0,
             "createdAt": "2026-11-28T03:25:11.402113Z"}""";
    private static final String NOT_FOUND = """
            {"type": "https://shears.io/problems/not-found", "title": "Not Found", "status": 404,
             "detail": "no dataset '9b2d1c3e-0a4f-4e6b-8c7d-5e6f7a8b9c0d'",
             "instance": "/v1/datasets/9b2d1c3e-0a4f-4e6b-8c7d-5e6f7a8b9c0d", "code": "NOT_FOUND"}""";
    private static final String UNSUPPORTED_FORMAT = """
            {"type": "https://shears.io/problems/dataset-unsupported-format", "title": "Bad Request", "status": 400,
             "detail": "dataset must be a zip, tar.gz or tar archive; the upload starts with 0x080812077079746f",
             "instance": "/v1/datasets", "code": "DATASET_UNSUPPORTED_FORMAT"}""";
    private static final String TOO_LARGE = """
            {"type": "https://shears.io/problems/upload-too-large", "title": "Content Too Large", "status": 413,
             "detail": "the dataset is larger than the 10737418240-byte upload limit", "instance": "/v1/datasets",
             "code": "UPLOAD_TOO_LARGE"}""";
    private static final String UNSAFE_PATH = """
            {"type": "https://shears.io/problems/dataset-unsafe-path", "title": "Unprocessable Content",
             "status": 422, "detail": "archive entry 'train/cat/../../../../etc/evil.png' climbs out of the \
            archive with '..'",
             "instance": "/v1/datasets", "code": "DATASET_UNSAFE_PATH"}""";
    private static final String BUSY = """
            {"type": "https://shears.io/problems/analysis-busy", "title": "Service Unavailable", "status": 503,
             "detail": "all 2 dataset analysis slots stayed busy for 30000 ms; retry after 30 s",
             "instance": "/v1/datasets", "code": "ANALYSIS_BUSY"}""";
    private static final String IN_USE = """
            {"type": "https://shears.io/problems/dataset-in-use", "title": "Conflict", "status": 409,
             "detail": "dataset '9b2d1c3e-0a4f-4e6b-8c7d-5e6f7a8b9c0d' is used by 1 queued or running job(s); \
            cancel them or wait",
             "instance": "/v1/datasets/9b2d1c3e-0a4f-4e6b-8c7d-5e6f7a8b9c0d", "code": "DATASET_IN_USE"}""";

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

    // Both upload methods share POST /v1/datasets; springdoc would merge them into one operation in an order it does
    // not guarantee, so this one documents both forms and the multipart method is hidden.
    @PostMapping(consumes = {MediaType.APPLICATION_OCTET_STREAM_VALUE, "application/zip", "application/gzip",
            "application/x-tar"}, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "uploadDataset", summary = "Upload a dataset archive",
            description = "A zip or tar.gz holding either an ImageFolder layout (train/<class>/*.png|jpg, optional "
                    + "val/<class>/...) or MNIST-style IDX files (train-images, train-labels, optional t10k-*), "
                    + "sent as the raw body or as a multipart form whose part 'file' holds it. "
                    + "Without a validation split, a seeded stratified 10% of train is held out.",
            requestBody = @RequestBody(required = true, content = {
                    @Content(mediaType = "application/zip", schema = @Schema(type = "string", format = "binary")),
                    @Content(mediaType = "application/gzip", schema = @Schema(type = "string", format = "binary")),
                    @Content(mediaType = "application/x-tar", schema = @Schema(type = "string", format = "binary")),
                    @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
                            schema = @Schema(type = "string", format = "binary")),
                    @Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
                            schema = @Schema(type = "object", requiredProperties = "file"), schemaProperties = {
                            @SchemaProperty(name = "file", schema = @Schema(type = "string", format = "binary",
                                    description = "the archive; its filename is the default name")),
                            @SchemaProperty(name = "name", schema = @Schema(type = "string",
                                    description = "display name"))})}))
    @ApiResponse(responseCode = "201", description = "Stored and checked; Location names the dataset",
            headers = @Header(name = "Location", description = "/v1/datasets/{id}", schema = @Schema(type = "string")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = DatasetView.class),
                    examples = @ExampleObject(name = "idx", value = DATASET_EXAMPLE)))
    @ApiResponse(responseCode = "400", description = "Not an archive, or a corrupt one (DATASET_UNSUPPORTED_FORMAT, "
            + "DATASET_ARCHIVE_CORRUPT), or a multipart form without a 'file' part (MALFORMED_UPLOAD)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "DATASET_UNSUPPORTED_FORMAT", value = UNSUPPORTED_FORMAT)))
    @ApiResponse(responseCode = "413", description = "Larger than the upload limit (UPLOAD_TOO_LARGE, "
            + "DATASET_TOO_LARGE)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "UPLOAD_TOO_LARGE", value = TOO_LARGE)))
    @ApiResponse(responseCode = "422", description = "Unusable archive, e.g. DATASET_UNSAFE_PATH (zip-slip), "
            + "DATASET_ZIP_BOMB, DATASET_LAYOUT_UNKNOWN, DATASET_TOO_MANY_CLASSES, DATASET_INVALID",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "DATASET_UNSAFE_PATH", value = UNSAFE_PATH)))
    @ApiResponse(responseCode = "503", description = "Every dataset analysis slot stayed busy (ANALYSIS_BUSY); "
            + "retry after the Retry-After header's seconds",
            headers = @Header(name = "Retry-After", description = "seconds to wait before retrying",
                    schema = @Schema(type = "integer")),
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "ANALYSIS_BUSY", value = BUSY)))
    public ResponseEntity<DatasetView> uploadBody(Caller caller, HttpServletRequest request,
                                                  @Parameter(description = "display name", example = "flowers")
                                                  @RequestParam(required = false) String name) throws IOException {
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
    @Operation(operationId = "listDatasets", summary = "List your datasets, newest first")
    @ApiResponse(responseCode = "200", description = "The caller's tenant's datasets",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    array = @ArraySchema(schema = @Schema(implementation = DatasetView.class)),
                    examples = @ExampleObject(name = "one dataset", value = "[" + DATASET_EXAMPLE + "]")))
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
                    examples = @ExampleObject(name = "idx", value = DATASET_EXAMPLE)))
    @ApiResponse(responseCode = "404", description = "No such dataset (or another tenant's)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", value = NOT_FOUND)))
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
                    examples = @ExampleObject(name = "NOT_FOUND", value = NOT_FOUND)))
    @ApiResponse(responseCode = "409", description = "A job uses the dataset (DATASET_IN_USE)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "DATASET_IN_USE", value = IN_USE)))
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
