package io.shears.api;

import io.shears.catalog.DatasetCatalog;
import io.shears.catalog.DatasetView;
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
    private final DatasetCatalog datasets;
    private final UploadSpool spool;
    private final JobMetrics metrics;

    public DatasetsController(DatasetCatalog datasets, UploadSpool spool, JobMetrics metrics) {
        this.datasets = datasets;
        this.spool = spool;
        this.metrics = metrics;
    }

    @PostMapping(consumes = {MediaType.APPLICATION_OCTET_STREAM_VALUE, "application/zip", "application/gzip",
            "application/x-tar"}, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Upload a dataset archive as the request body",
            description = "A zip or tar.gz holding either an ImageFolder layout (train/<class>/*.png|jpg, optional "
                    + "val/<class>/...) or MNIST-style IDX files (train-images, train-labels, optional t10k-*). "
                    + "Without a validation split, a seeded stratified 10% of train is held out.",
            requestBody = @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
                    schema = @Schema(type = "string", format = "binary"))))
    @ApiResponse(responseCode = "201", description = "Stored and checked")
    @ApiResponse(responseCode = "413", description = "Larger than the upload limit (UPLOAD_TOO_LARGE)",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "422", description = "Unusable archive, e.g. DATASET_UNSAFE_PATH (zip-slip), "
            + "DATASET_ZIP_BOMB, DATASET_LAYOUT_UNKNOWN, DATASET_INVALID",
            content = @Content(mediaType = "application/problem+json"))
    public ResponseEntity<DatasetView> uploadBody(Caller caller, HttpServletRequest request,
                                                  @Parameter(description = "display name", example = "flowers")
                                                  @RequestParam(required = false) String name) throws IOException {
        try (InputStream in = request.getInputStream()) {
            return register(caller, in, request.getContentLengthLong(), name);
        }
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Upload a dataset archive as a multipart form (part 'file')")
    @ApiResponse(responseCode = "201", description = "Stored and checked")
    public ResponseEntity<DatasetView> uploadMultipart(Caller caller, @RequestPart("file") MultipartFile file,
                                                       @RequestParam(required = false) String name)
            throws IOException {
        try (InputStream in = file.getInputStream()) {
            return register(caller, in, file.getSize(), name == null ? file.getOriginalFilename() : name);
        }
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "List your datasets, newest first")
    public List<DatasetView> list(Caller caller) {
        return datasets.list(caller.tenantId());
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "One dataset")
    @ApiResponse(responseCode = "404", description = "No such dataset (or another tenant's)",
            content = @Content(mediaType = "application/problem+json"))
    public DatasetView get(Caller caller, @PathVariable String id) {
        return datasets.get(caller.tenantId(), id);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Delete a dataset", description = "Refused with 409 DATASET_IN_USE while a queued or "
            + "running job uses it.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    public ResponseEntity<Void> delete(Caller caller, @PathVariable String id) throws IOException {
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
