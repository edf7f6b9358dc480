package io.shears.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code shears.role}: an {@code api} process queues jobs without running them, a {@code worker} process runs them
 * and serves no API. Both share one database (here one H2 file, which one JVM may open from several places).
 */
class RolesTest {
    @TempDir
    Path data;

    @Test
    void anApiProcessQueuesAndAWorkerProcessRuns() throws Exception {
        try (InProcessService api = InProcessService.start(data, "--shears.role=api")) {
            ApiClient client = api.admin();
            var model = client.postBytes("/v1/models", ServiceFixtures.resnet18(), "application/octet-stream");
            assertThat(model.status()).as(model.toString()).isEqualTo(201);
            String job = client.postJson("/v1/jobs", Map.of("modelId", model.json().get("id").asString(),
                    "budget", Map.of("fraction", 0.9))).json().get("id").asString();
            // Longer than JobRunr's poll interval: a worker in this process would have taken the job by now.
            Thread.sleep(7_000);
            assertThat(client.get("/v1/jobs/" + job).json().get("state").asString()).isEqualTo("QUEUED");

            try (InProcessService worker = InProcessService.start(data, "--shears.role=worker")) {
                ApiClient workerClient = worker.admin();
                assertThat(workerClient.get("/v1/models").status()).isEqualTo(404);
                assertThat(workerClient.get("/actuator/health/liveness").status()).isEqualTo(200);
                JsonNode done = JobPolling.terminal(client, job, Duration.ofSeconds(120));
                assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
            }
        }
    }
}
