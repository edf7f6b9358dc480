package io.shears.catalog;

import io.shears.artifacts.ArtifactStore;
import io.shears.artifacts.StoredBlob;
import io.shears.config.ServiceException;
import io.shears.config.ShearsProperties;
import io.shears.data.Dataset;
import io.shears.data.DatasetLimits;
import io.shears.data.DatasetOptions;
import io.shears.files.FileTrees;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Uploaded datasets: opened and checked synchronously (layout, classes, corrupt images, archive safety). */
@Service
public class DatasetCatalog {
    private final JdbcClient jdbc;
    private final ArtifactStore store;
    private final JsonMapper json;
    private final ShearsProperties properties;
    private final UploadSpool uploads;
    private final DatasetAnalysisSlots analyses;
    private final CatalogTable<DatasetView> rows;
    private final JobReferences jobs;

    public DatasetCatalog(JdbcClient jdbc, ArtifactStore store, JsonMapper json, ShearsProperties properties,
                          UploadSpool uploads, DatasetAnalysisSlots analyses, JobReferences jobs) {
        this.jdbc = jdbc;
        this.jobs = jobs;
        this.uploads = uploads;
        this.analyses = analyses;
        this.store = store;
        this.json = json;
        this.properties = properties;
        this.rows = new CatalogTable<>(jdbc, json, "datasets", "dataset", DatasetView.class);
    }

    public long maxBytes() {
        return properties.uploads().maxDatasetBytes().toBytes();
    }

    public DatasetView register(String tenant, Path upload, String name) throws IOException {
        Path spool = uploads.analysisDirectory();
        DatasetView view;
        try {
            DatasetOptions options = DatasetOptions.defaults().withSpoolDirectory(spool)
                    .withLimits(DatasetLimits.defaults().withMaxTotalBytes(Math.max(maxBytes(), 1) * 4)
                            .withMaxClasses(properties.uploads().maxDatasetClasses()));
            Dataset dataset;
            try (DatasetAnalysisSlots.Slot slot = analyses.acquire()) {
                dataset = Dataset.open(upload, options);
            }
            StoredBlob blob;
            try (dataset) {
                blob = store.put(upload);
                String displayName = name == null || name.isBlank() ? "dataset-" + blob.sha256().substring(0, 12)
                        : name.strip();
                if (displayName.length() > 200) {
                    throw ServiceException.invalid("INVALID_PARAMETER", "name: at most 200 characters");
                }
                var shape = dataset.imageShape();
                view = new DatasetView(UUID.randomUUID().toString(), displayName, blob.sha256(), blob.bytes(),
                        dataset.format().name().toLowerCase(Locale.ROOT).replace('_', '-'), dataset.classes(),
                        dataset.trainCount(), dataset.valCount(), dataset.validationFromArchive(),
                        List.of(shape.channels(), shape.height(), shape.width()), dataset.skipped().size(),
                        Instant.now());
            }
        } finally {
            FileTrees.delete(spool);
        }
        rows.insert(view.id(), tenant, view.name(), view.sha256(), view.bytes(), view, view.createdAt());
        return view;
    }

    public List<DatasetView> list(String tenant) {
        return rows.list(tenant);
    }

    public DatasetView get(String tenant, String id) {
        return rows.get(tenant, id);
    }

    public Path file(String tenant, String id, Path cacheDir) throws IOException {
        return store.localFile(get(tenant, id).sha256(), cacheDir);
    }

    public void delete(String tenant, String id) throws IOException {
        DatasetView dataset = get(tenant, id);
        int active = jobs.activeJobsUsingDataset(id);
        if (active > 0) {
            throw ServiceException.conflict("DATASET_IN_USE", "dataset '" + id + "' is used by " + active
                    + " queued or running job(s); cancel them or wait");
        }
        rows.delete(id);
        BlobReferences.deleteIfUnreferenced(jdbc, store, dataset.sha256());
    }
}
