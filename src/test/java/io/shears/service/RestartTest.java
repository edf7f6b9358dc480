package io.shears.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stops the service with one job running and two queued, starts it again on the same data directory, and checks
 * that nothing was lost: every job finishes, the interrupted one resumes, and every artifact is whole.
 */
class RestartTest {
    static final Duration TIMEOUT = Duration.ofSeconds(300);
    /** Enough fine-tuning that the job is still running when the service stops. */
    static final int EPOCHS = 8;

    @TempDir
    Path data;

    @Test
    void jobsSurviveARestartAndTheRunningOneIsRerunToCompletion() throws Exception {
        String running;
        List<String> queued;
        // JobRunr waits this long for running jobs at shutdown before it interrupts them.
        try (InProcessService first = InProcessService.start(data,
                "--jobrunr.background-job-server.interrupt-jobs-await-duration-on-stop=1s")) {
            ApiClient api = first.admin();
            String cnn = upload(api, ServiceFixtures.smallCnn(), "application/octet-stream", "/v1/models");
            String dataset = upload(api, ServiceFixtures.idxDataset(data, 10, 30, 5), "application/zip",
                    "/v1/datasets");
            String resnet = upload(api, ServiceFixtures.resnet18(), "application/octet-stream", "/v1/models");
            running = submit(api, Map.of("modelId", cnn, "budget", Map.of("fraction", 0.9),
                    "pruning", Map.of("scope", "channels", "roundTo", 1), "input", Map.of("channels", "rgb"),
                    "fineTune", Map.of("datasetId", dataset, "epochs", EPOCHS, "batchSize", 4)));
            queued = List.of(submit(api, Map.of("modelId", resnet, "budget", Map.of("fraction", 0.9))),
                    submit(api, Map.of("modelId", resnet, "budget", Map.of("fraction", 0.8))));
            JobPolling.inStage(api, running, "FINETUNE", TIMEOUT);
            for (String q : queued) {
                assertThat(api.get("/v1/jobs/" + q).json().get("state").asString()).isEqualTo("QUEUED");
            }
        }

        try (InProcessService second = InProcessService.start(data)) {
            ApiClient api = second.admin();
            JsonNode rerun = JobPolling.terminal(api, running, TIMEOUT);
            assertThat(rerun.get("state").asString()).as(rerun.toString()).isEqualTo("SUCCEEDED");
            assertThat(rerun.get("attempts").asInt()).isEqualTo(2);
            assertThat(byName(rerun)).containsKey("training.csv");
            String csv = api.get(byName(rerun).get("training.csv").get("url").asString()).text();
            assertThat(csv.lines().count()).as(csv).isEqualTo(EPOCHS + 1);
            for (String q : queued) {
                JsonNode done = JobPolling.terminal(api, q, TIMEOUT);
                assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
                assertThat(done.get("attempts").asInt()).isEqualTo(1);
            }
            for (String job : List.of(running, queued.get(0), queued.get(1))) {
                for (JsonNode a : byName(api.get("/v1/jobs/" + job).json()).values()) {
                    byte[] content = api.get(a.get("url").asString()).body();
                    assertThat(content).hasSize(a.get("bytes").asInt());
                    assertThat(ServiceTestSupport.sha256(content)).isEqualTo(a.get("sha256").asString());
                }
            }
        }
        try (var stray = Files.list(data.resolve("artifacts").resolve("tmp"))) {
            assertThat(stray.toList()).as("half-written artifacts").isEmpty();
        }
    }

    private static String upload(ApiClient api, byte[] body, String type, String path) {
        var r = api.postBytes(path, body, type);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    private static String submit(ApiClient api, Map<String, Object> spec) {
        var r = api.postJson("/v1/jobs", spec);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        return r.json().get("id").asString();
    }

    private static Map<String, JsonNode> byName(JsonNode job) {
        return ServiceTestSupport.byName(job.get("result").get("artifacts"));
    }
}
