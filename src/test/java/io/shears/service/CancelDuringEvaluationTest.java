package io.shears.service;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cancel that arrives while a job evaluates stops it within a second. One evaluation batch of this ResNet takes
 * seconds here, so checking between batches is not enough: the interpreter stops an interrupted pass between nodes.
 */
class CancelDuringEvaluationTest extends ServiceTestSupport {
    @Test
    void aJobCancelledInItsEvaluateStageIsCancelledWithinASecond() throws InterruptedException {
        String model = upload(ServiceFixtures.resnet18());
        // Enough images that evaluating the original and the pruned ResNet takes far longer than the bar.
        String data = uploadDataset(ServiceFixtures.idxDataset(tmp, 10, 600, 7));
        String job = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.9),
                "evaluation", Map.of("datasetId", data))).json().get("id").asString();

        JsonNode evaluating = awaitStage(job, "EVALUATE");
        assertThat(evaluating.get("state").asString()).as(evaluating.toString()).isEqualTo("RUNNING");
        Thread.sleep(500);
        JsonNode still = api.get("/v1/jobs/" + job).json();
        assertThat(still.get("stage").asString()).as("the job is still evaluating: " + still).isEqualTo("EVALUATE");

        long asked = System.nanoTime();
        assertThat(api.post("/v1/jobs/" + job + "/cancel").status()).isEqualTo(202);
        JsonNode done = awaitTerminal(job);
        double seconds = (System.nanoTime() - asked) / 1e9;

        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("CANCELLED");
        assertJobError(done, "CANCELLED");
        assertThat(seconds).as("seconds from the cancel to CANCELLED").isLessThan(1.0);
    }
}
