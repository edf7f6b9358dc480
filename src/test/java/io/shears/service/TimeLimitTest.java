package io.shears.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A job that runs past {@code shears.jobs.max-runtime} ends FAILED with TIMEOUT, and is not retried. */
class TimeLimitTest {
    @TempDir
    Path data;

    @Test
    void aJobPastItsTimeLimitFailsWithTimeout() {
        try (InProcessService service = InProcessService.start(data, "--shears.jobs.max-runtime=4s")) {
            ApiClient api = service.admin();
            String model = api.postBytes("/v1/models", ServiceFixtures.smallCnn(), "application/octet-stream")
                    .json().get("id").asString();
            String dataset = api.postBytes("/v1/datasets", ServiceFixtures.idxDataset(data, 10, 30, 6),
                    "application/zip").json().get("id").asString();
            String job = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.9),
                    "pruning", Map.of("scope", "channels", "roundTo", 1), "input", Map.of("channels", "rgb"),
                    "fineTune", Map.of("datasetId", dataset, "epochs", 1000, "batchSize", 4)))
                    .json().get("id").asString();
            JsonNode done = JobPolling.terminal(api, job, Duration.ofSeconds(120));
            assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("FAILED");
            ServiceTestSupport.assertJobError(done, "TIMEOUT");
            assertThat(done.get("attempts").asInt()).isEqualTo(1);
            Duration ran = Duration.between(java.time.Instant.parse(done.get("startedAt").asString()),
                    java.time.Instant.parse(done.get("finishedAt").asString()));
            assertThat(ran).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
        }
    }
}
