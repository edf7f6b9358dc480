package io.shears.service;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The service's meters as Prometheus scrapes them, after real jobs ran over real HTTP. */
@TestPropertySource(properties = "shears.data-dir=${shears.test.metrics-data-dir}")
class MetricsTest extends ServiceTestSupport {
    static {
        // Its own database: another cached test context's worker on the shared one could take this test's jobs.
        System.setProperty("shears.test.metrics-data-dir", dataDir("metrics").toString());
    }

    @Test
    void jobsAreCountedByOutcomeAndCodeAndTimedInHistograms() {
        String model = upload(ServiceFixtures.resnet18());
        double succeededBefore = value(scrape(), "shears_jobs_finished_total{code=\"none\",outcome=\"succeeded\"}");
        double unreachableBefore = value(scrape(),
                "shears_jobs_finished_total{code=\"BUDGET_UNREACHABLE\",outcome=\"failed\"}");

        JsonNode ok = awaitTerminal(api.postJson("/v1/jobs", Map.of("modelId", model, "budget",
                Map.of("fraction", 0.9))).json().get("id").asString());
        assertThat(ok.get("state").asString()).isEqualTo("SUCCEEDED");
        JsonNode failed = awaitTerminal(api.postJson("/v1/jobs", Map.of("modelId", model, "budget",
                Map.of("macs", 1000))).json().get("id").asString());
        assertJobError(failed, "BUDGET_UNREACHABLE");

        String text = scrape();
        assertThat(value(text, "shears_jobs_finished_total{code=\"none\",outcome=\"succeeded\"}"))
                .isEqualTo(succeededBefore + 1);
        assertThat(value(text, "shears_jobs_finished_total{code=\"BUDGET_UNREACHABLE\",outcome=\"failed\"}"))
                .isEqualTo(unreachableBefore + 1);
        assertThat(text).doesNotContain("shears_jobs_succeeded_total").doesNotContain("shears_jobs_failed_total");

        assertThat(value(text, "shears_job_duration_seconds_count{outcome=\"succeeded\"}")).isPositive();
        assertThat(text).contains("shears_job_duration_seconds_bucket{outcome=\"succeeded\",le=\"");
        assertThat(text).contains("shears_job_stage_duration_seconds_bucket{stage=\"PRUNE\",le=\"");
        assertThat(value(text, "shears_upload_bytes_count")).isPositive();
        assertThat(text).contains("shears_upload_bytes_bucket{le=\"");

        assertThat(value(text, "shears_jobs_running")).isZero();
        assertThat(value(text, "shears_jobs_queue_depth")).isZero();
        assertThat(value(text, "shears_jobs_queue_oldest_age_seconds")).isZero();
        assertThat(value(text, "shears_worker_ready")).isEqualTo(1);
        assertThat(text).containsPattern("shears_build_info\\{java=\"[^\"]+\",role=\"all\",version=\"[^\"]+\"} 1");
    }

    private String scrape() {
        var r = api.get("/actuator/prometheus");
        assertThat(r.status()).isEqualTo(200);
        return r.text();
    }

    /** The sample's value, 0 when the series is absent (a counter not yet incremented). */
    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
