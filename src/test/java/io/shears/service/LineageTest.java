package io.shears.service;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.onnx.ModelMetadata;
import io.shears.pipeline.ModelLineage;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A published model and report say which job made them, from what, and when. */
class LineageTest extends ServiceTestSupport {
    @Test
    void thePublishedModelAndReportNameTheJobItsSourceAndItsUploads() throws Exception {
        byte[] source = ServiceFixtures.smallCnn();
        var model = api.postBytes("/v1/models?name=shop-classifier", source, "application/octet-stream");
        assertThat(model.status()).as(model.toString()).isEqualTo(201);
        String modelId = model.json().get("id").asString();
        var dataset = api.postBytes("/v1/datasets?name=shelf-photos", ServiceFixtures.idxDataset(tmp, 10, 6, 4),
                "application/zip");
        assertThat(dataset.status()).as(dataset.toString()).isEqualTo(201);
        String datasetId = dataset.json().get("id").asString();

        var submitted = api.postJson("/v1/jobs", Map.of("modelId", modelId, "budget", Map.of("fraction", 0.7),
                "pruning", Map.of("scope", "channels", "roundTo", 1), "input", Map.of("channels", "rgb"),
                "evaluation", Map.of("datasetId", datasetId)));
        assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
        String job = submitted.json().get("id").asString();
        JsonNode done = awaitTerminal(job);
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        Map<String, JsonNode> artifacts = byName(done.get("result").get("artifacts"));

        ModelProto pruned = ModelProto.parseFrom(api.get(artifacts.get("model.onnx").get("url").asString()).body());
        assertThat(pruned.getProducerName()).isEqualTo("Shears");
        Map<String, String> props = ModelMetadata.properties(pruned);
        assertThat(props).containsEntry(ModelLineage.JOB_ID, job)
                .containsEntry(ModelLineage.SOURCE_SHA256, sha256(source))
                .containsEntry(ModelLineage.SOURCE_NAME, "shop-classifier")
                .containsEntry(ModelLineage.BUDGET, "fraction=0.7")
                .containsEntry(ModelLineage.SCOPE, "channels")
                .containsEntry(ModelLineage.TOP1_DATASET, datasetId)
                .containsEntry(ModelLineage.VERSION, pruned.getProducerVersion());
        JsonNode summary = done.get("result").get("summary");
        assertThat(Long.parseLong(props.get(ModelLineage.MACS))).isEqualTo(summary.get("prunedMacs").asLong());
        assertThat(Double.parseDouble(props.get(ModelLineage.MACS_FRACTION)))
                .isEqualTo(summary.get("macsRatio").asDouble());
        assertThat(Double.parseDouble(props.get(ModelLineage.TOP1))).isEqualTo(summary.get("finalTop1").asDouble());

        JsonNode report = api.get(artifacts.get("report.json").get("url").asString()).json();
        JsonNode reported = report.get("job");
        assertThat(reported.get("id").asString()).isEqualTo(job);
        assertThat(reported.get("modelName").asString()).isEqualTo("shop-classifier");
        assertThat(reported.get("datasetNames").get(datasetId).asString()).isEqualTo("shelf-photos");
        assertThat(millis(reported.get("startedAt"))).isEqualTo(millis(done.get("startedAt")));
        assertThat(millis(reported.get("finishedAt"))).isEqualTo(millis(done.get("finishedAt")));
        assertThat(report.get("export").get("sha256").asString())
                .isEqualTo(artifacts.get("model.onnx").get("sha256").asString());

        String html = api.get(artifacts.get("report.html").get("url").asString()).text();
        assertThat(html).contains("<title>Shears report: shop-classifier</title>").contains(job)
                .contains("shelf-photos (" + datasetId + ")").contains("Dataset shelf-photos");
    }

    private static Instant millis(JsonNode time) {
        return Instant.parse(time.asString()).truncatedTo(ChronoUnit.MILLIS);
    }
}
