package io.shears.service;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A job's own {@code limits}, within the server's: a shorter time limit ends it, bad values are refused by field. */
class JobLimitsServiceTest extends ServiceTestSupport {
    @Test
    void aJobPastItsOwnTimeLimitFailsWithTimeoutOnItsOnlyAttempt() {
        String model = upload(ServiceFixtures.smallCnn());
        String dataset = uploadDataset(ServiceFixtures.idxDataset(tmp, 10, 30, 6));
        Map<String, Object> spec = endlessJob(model, dataset);
        spec.put("limits", Map.of("maxRuntime", 3, "maxAttempts", 1));
        var submitted = api.postJson("/v1/jobs", spec);
        assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
        assertThat(submitted.json().get("spec").get("limits").get("maxAttempts").asInt()).isEqualTo(1);

        JsonNode done = awaitTerminal(submitted.json().get("id").asString());

        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("FAILED");
        assertJobError(done, "TIMEOUT");
        assertThat(done.get("error").get("message").asString()).contains("PT3S");
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
        Duration ran = Duration.between(Instant.parse(done.get("startedAt").asString()),
                Instant.parse(done.get("finishedAt").asString()));
        assertThat(ran).isGreaterThanOrEqualTo(Duration.ofSeconds(3)).isLessThan(Duration.ofMinutes(5));
    }

    @Test
    void badLimitsAreRefusedByField() {
        String model = upload(ServiceFixtures.smallCnn());
        for (var bad : Map.of("{\"maxRuntime\": \"forever\"}", "limits.maxRuntime",
                "{\"maxRuntime\": \"PT0S\"}", "limits.maxRuntime",
                "{\"maxAttempts\": 0}", "limits.maxAttempts",
                "{\"maxAttempts\": 1.5}", "limits.maxAttempts").entrySet()) {
            var r = api.postJson("/v1/jobs", "{\"modelId\": \"" + model + "\", \"budget\": {\"fraction\": 0.5}, "
                    + "\"limits\": " + bad.getKey() + "}");
            assertProblem(r, 422, "INVALID_FIELD");
            assertThat(r.json().get("field").asString()).as(bad.getKey()).isEqualTo(bad.getValue());
        }
    }
}
