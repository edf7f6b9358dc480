package io.shears.catalog;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.artifacts.ArtifactStore;
import io.shears.artifacts.StoredBlob;
import io.shears.config.ServiceException;
import io.shears.config.ShearsProperties;
import io.shears.graph.ShapeInference;
import io.shears.onnx.ModelLimits;
import io.shears.onnx.ModelReader;
import io.shears.pruning.FrozenReason;
import io.shears.pruning.ModelInspection;
import io.shears.pruning.PruningOptions;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Uploaded models: validated and analysed synchronously, stored by content, visible to their tenant only. */
@Service
public class ModelCatalog {
    private final JdbcClient jdbc;
    private final ArtifactStore store;
    private final JsonMapper json;
    private final ShearsProperties properties;
    private final CatalogTable<ModelView> rows;
    private final JobReferences jobs;

    public ModelCatalog(JdbcClient jdbc, ArtifactStore store, JsonMapper json, ShearsProperties properties,
                        JobReferences jobs) {
        this.jdbc = jdbc;
        this.jobs = jobs;
        this.store = store;
        this.json = json;
        this.properties = properties;
        this.rows = new CatalogTable<>(jdbc, json, "models", "model", ModelView.class);
    }

    public long maxBytes() {
        return properties.uploads().maxModelBytes().toBytes();
    }

    /** Reads, validates and analyses the uploaded file, then keeps it; the caller still owns {@code upload}. */
    public ModelView register(String tenant, Path upload, String name, String inputShape) throws IOException {
        PruningOptions options = PruningOptions.defaults();
        if (inputShape != null && !inputShape.isBlank()) {
            options = options.withInputShapes(Map.of(ShapeInference.ONLY_INPUT, PruningOptions.parseShape(inputShape)));
        }
        ModelProto model = new ModelReader(ModelLimits.defaults().withMaxBytes(maxBytes())).read(upload);
        ModelInspection inspection = ModelInspection.of(model, options);
        model = null;
        StoredBlob blob = store.put(upload);
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        String displayName = name == null || name.isBlank() ? "model-" + blob.sha256().substring(0, 12) : name.strip();
        if (displayName.length() > 200) {
            throw ServiceException.invalid("INVALID_PARAMETER", "name: at most 200 characters");
        }
        ModelView view = new ModelView(id, displayName, blob.sha256(), blob.bytes(), inspection.opset(),
                tensors(inspection.inputs()), tensors(inspection.outputs()), inspection.totals().macs(),
                inspection.totals().flops(), inspection.totals().params(), inspection.prunableGroups().size(),
                inspection.frozenGroups().size(), frozenReasons(inspection.frozenReasons()),
                inspection.unsupportedOps(), now);
        rows.insert(id, tenant, displayName, blob.sha256(), blob.bytes(), view, now);
        return view;
    }

    public List<ModelView> list(String tenant) {
        return rows.list(tenant);
    }

    public ModelView get(String tenant, String id) {
        return rows.get(tenant, id);
    }

    /** The stored model file, for reading in place (never to be changed). */
    public Path file(String tenant, String id, Path cacheDir) throws IOException {
        return store.localFile(get(tenant, id).sha256(), cacheDir);
    }

    public void delete(String tenant, String id) throws IOException {
        ModelView model = get(tenant, id);
        int active = jobs.activeJobsUsingModel(id);
        if (active > 0) {
            throw ServiceException.conflict("MODEL_IN_USE", "model '" + id + "' is used by " + active
                    + " queued or running job(s); cancel them or wait");
        }
        rows.delete(id);
        BlobReferences.deleteIfUnreferenced(jdbc, store, model.sha256());
    }

    private static List<ModelView.FrozenReasonInfo> frozenReasons(List<FrozenReason> reasons) {
        return reasons.stream().limit(ModelView.FROZEN_REASONS_LISTED).map(r -> new ModelView.FrozenReasonInfo(
                r.reason(), r.groups(), r.channels(), r.macs(), r.shareOfMacs())).toList();
    }

    private static List<ModelView.TensorInfo> tensors(List<ModelInspection.Tensor> tensors) {
        return tensors.stream().map(t -> new ModelView.TensorInfo(t.name(),
                t.shape() == null ? List.of() : Arrays.stream(t.shape()).boxed().toList())).toList();
    }
}
