package io.shears.service;

import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** Waits for a job to reach a condition, polling its record over the API. */
final class JobPolling {
    private JobPolling() {
    }

    static JsonNode await(ApiClient api, String job, Duration timeout, Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            var r = api.get("/v1/jobs/" + job);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            if (done.test(r.json())) {
                return r.json();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("job " + job + " did not get there in " + timeout + ": " + api.get("/v1/jobs/" + job));
    }

    static JsonNode terminal(ApiClient api, String job, Duration timeout) {
        return await(api, job, timeout, j -> j.get("state").asString().matches("SUCCEEDED|FAILED|CANCELLED"));
    }

    static JsonNode inStage(ApiClient api, String job, String stage, Duration timeout) {
        return await(api, job, timeout, j -> stage.equals(j.path("stage").asString())
                || !j.get("state").asString().matches("QUEUED|RUNNING"));
    }
}
