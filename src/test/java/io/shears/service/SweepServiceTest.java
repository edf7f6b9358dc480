package io.shears.service;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A sweep job through the API: submitted, run by the worker, the chosen candidate and the frontier published. */
class SweepServiceTest extends ServiceTestSupport {
    private static final long TRAIN_FLOPS = 500_000_000L;

    @Test
    void aSweepPublishesTheMostAccurateCandidateAndTheFrontier() {
        String model = upload(ServiceFixtures.smallCnn());
        String data = uploadDataset(ServiceFixtures.idxDataset(tmp, 10, 12, 5));
        var submitted = api.postJson("/v1/jobs", Map.of("modelId", model,
                "budget", Map.of("trainFlops", TRAIN_FLOPS), "sweep", Map.of("fractions", List.of(0.5, 1.0)),
                "pruning", Map.of("roundTo", 1),
                "input", Map.of("channels", "rgb", "mean", List.of(0.5), "std", List.of(0.25)),
                "fineTune", Map.of("datasetId", data, "batchSize", 16, "learningRate", 0.05)));
        assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
        assertThat(submitted.json().get("spec").get("sweep").get("fractions").toString()).isEqualTo("[1.0,0.5]");
        assertThat(submitted.json().get("spec").get("fineTune").get("maxTrainFlops").asLong()).isEqualTo(TRAIN_FLOPS);

        JsonNode done = awaitTerminal(submitted.json().get("id").asString());

        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        Map<String, JsonNode> artifacts = byName(done.get("result").get("artifacts"));
        assertThat(artifacts).containsOnlyKeys("model.onnx", "report.json", "report.html", "training.csv");
        JsonNode report = api.get(artifacts.get("report.json").get("url").asString()).json();
        JsonNode sweep = report.get("sweep");
        assertThat(sweep.get("trainFlops").asLong()).isEqualTo(TRAIN_FLOPS);
        List<JsonNode> candidates = new ArrayList<>();
        sweep.get("candidates").forEach(candidates::add);
        assertThat(candidates).extracting(c -> c.get("fraction").asDouble()).containsExactly(1.0, 0.5);
        assertThat(candidates).allSatisfy(c -> {
            assertThat(c.get("reachable").asBoolean()).isTrue();
            assertThat(c.get("trainFlopsSpent").asLong()).isPositive().isLessThanOrEqualTo(TRAIN_FLOPS);
        });
        JsonNode chosen = candidates.stream().filter(c -> c.get("chosen").asBoolean()).findFirst().orElseThrow();
        double bestTop1 = candidates.stream().mapToDouble(c -> c.get("top1").asDouble()).max().orElseThrow();
        assertThat(chosen.get("top1").asDouble()).isEqualTo(bestTop1);
        JsonNode summary = done.get("result").get("summary");
        assertThat(summary.get("chosenFraction").asDouble()).isEqualTo(chosen.get("fraction").asDouble());
        assertThat(summary.get("prunedMacs").asLong()).isEqualTo(chosen.get("macs").asLong());
        assertThat(summary.get("finalTop1").asDouble()).isEqualTo(bestTop1);
        String html = api.get(artifacts.get("report.html").get("url").asString()).text();
        assertThat(html).contains("<svg id=\"chart-frontier\"", "class=\"point-chosen\"");
    }

    @Test
    void aSweepSpecThatCannotRunIsRefusedNamingTheField() {
        String model = upload(ServiceFixtures.smallCnn());
        var withoutFineTune = api.postJson("/v1/jobs", Map.of("modelId", model,
                "budget", Map.of("trainFlops", TRAIN_FLOPS), "sweep", Map.of()));
        assertProblem(withoutFineTune, 422, "INVALID_FIELD");
        assertThat(withoutFineTune.json().get("field").asString()).isEqualTo("fineTune");

        var withoutSweep = api.postJson("/v1/jobs", Map.of("modelId", model,
                "budget", Map.of("trainFlops", TRAIN_FLOPS)));
        assertProblem(withoutSweep, 422, "INVALID_FIELD");
        assertThat(withoutSweep.json().get("field").asString()).isEqualTo("budget.trainFlops");

        var badFraction = api.postJson("/v1/jobs", "{\"modelId\":\"" + model + "\",\"budget\":{\"trainFlops\":5},"
                + "\"sweep\":{\"fractions\":[1.0,2.0]},\"fineTune\":{\"datasetId\":\"d\",\"epochs\":1}}");
        assertProblem(badFraction, 422, "INVALID_FIELD");
        assertThat(badFraction.json().get("field").asString()).isEqualTo("sweep.fractions[1]");
    }
}
