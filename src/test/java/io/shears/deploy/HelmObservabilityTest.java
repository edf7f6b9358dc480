package io.shears.deploy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.shears.deploy.RenderedChart.NAMESPACE;
import static io.shears.deploy.RenderedChart.RELEASE;
import static io.shears.deploy.Yamls.at;
import static io.shears.deploy.Yamls.list;
import static io.shears.deploy.Yamls.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chart's alert rules, Grafana dashboard and KEDA scaling: off by default, and when on, written against series
 * the service really exports (the table of docs/observability.md, which MetricsTest checks against a live scrape).
 */
class HelmObservabilityTest {
    private static final Pattern SERIES = Pattern.compile("\\b(shears_[a-z_]+)");

    @Test
    void noneRendersByDefault() {
        RenderedChart chart = RenderedChart.render();
        assertThat(chart.ofKind("PrometheusRule")).isEmpty();
        assertThat(chart.ofKind("ScaledObject")).isEmpty();
        assertThat(chart.names()).doesNotContain("ConfigMap/shears-dashboard");
        assertThat(at(chart.deployment("worker"), "spec", "replicas")).isEqualTo(2);
    }

    @Test
    void theRulesAlertOnFailureRateQueueAgeAndNoReadyWorker() throws Exception {
        RenderedChart chart = RenderedChart.render(Map.of("metrics.prometheusRule.enabled", "true",
                "metrics.prometheusRule.labels.release", "kube-prometheus",
                "metrics.prometheusRule.queueAgeSecondsThreshold", "900"));
        Map<String, Object> rule = chart.one("PrometheusRule", RELEASE);
        assertThat(at(rule, "metadata", "labels", "release")).isEqualTo("kube-prometheus");
        Map<String, String> alerts = new java.util.TreeMap<>();
        for (Object group : list(at(rule, "spec", "groups"))) {
            for (Object r : list(map(group).get("rules"))) {
                alerts.put((String) map(r).get("alert"), (String) map(r).get("expr"));
            }
        }
        assertThat(alerts).containsOnlyKeys("ShearsJobFailureRateHigh", "ShearsQueueStalled", "ShearsNoReadyWorker");
        assertThat(alerts.get("ShearsJobFailureRateHigh")).contains("shears_jobs_finished_total")
                .contains("outcome=\"failed\"").contains("> 0.25");
        assertThat(alerts.get("ShearsQueueStalled")).contains("shears_jobs_queue_oldest_age_seconds").contains("> 900");
        assertThat(alerts.get("ShearsNoReadyWorker")).contains("shears_worker_ready").contains("vector(0)");
        Set<String> exported = exported();
        alerts.values().forEach(expr -> {
            assertThat(expr).contains("namespace=\"" + NAMESPACE + "\"");
            assertThat(series(expr)).isSubsetOf(exported);
        });
    }

    @Test
    void theDashboardIsAConfigMapForGrafanasSidecarOverExportedSeries() throws Exception {
        RenderedChart chart = RenderedChart.render(Map.of("metrics.dashboard.enabled", "true"));
        Map<String, Object> configMap = chart.one("ConfigMap", RELEASE + "-dashboard");
        assertThat(at(configMap, "metadata", "labels", "grafana_dashboard")).isEqualTo("1");
        JsonNode dashboard = JsonMapper.builder().build().readTree((String) at(configMap, "data", "shears.json"));
        assertThat(dashboard.get("uid").asString()).isEqualTo("shears-jobs");
        List<String> exprs = new ArrayList<>();
        dashboard.get("panels").forEach(p -> p.get("targets").forEach(t -> exprs.add(t.get("expr").asString())));
        assertThat(exprs).hasSizeGreaterThanOrEqualTo(9);
        Set<String> used = new TreeSet<>();
        exprs.forEach(e -> used.addAll(series(e)));
        assertThat(used).isSubsetOf(exported()).contains("shears_jobs_finished_total",
                "shears_job_stage_duration_seconds_bucket", "shears_jobs_queue_depth", "shears_worker_ready");
    }

    @Test
    void kedaScalesTheWorkersByQueuedAndRunningJobsInsteadOfAFixedCount() throws Exception {
        RenderedChart chart = RenderedChart.render(Map.of("worker.keda.enabled", "true",
                "worker.keda.prometheusServerAddress", "http://prometheus-operated.monitoring:9090",
                "worker.keda.minReplicas", "0", "worker.jobsPerPod", "2"));
        Map<String, Object> scaled = chart.one("ScaledObject", RELEASE + "-worker");
        assertThat(at(scaled, "spec", "scaleTargetRef", "name")).isEqualTo(RELEASE + "-worker");
        assertThat(at(scaled, "spec", "minReplicaCount")).isEqualTo(0);
        assertThat(at(scaled, "spec", "maxReplicaCount")).isEqualTo(8);
        Map<String, Object> trigger = map(list(at(scaled, "spec", "triggers")).get(0));
        assertThat(trigger.get("type")).isEqualTo("prometheus");
        Map<String, Object> metadata = map(trigger.get("metadata"));
        assertThat(metadata.get("serverAddress")).isEqualTo("http://prometheus-operated.monitoring:9090");
        assertThat(metadata.get("threshold")).isEqualTo("2");
        String query = (String) metadata.get("query");
        assertThat(series(query)).containsExactlyInAnyOrder("shears_jobs_queue_depth", "shears_jobs_running");
        assertThat(series(query)).isSubsetOf(exported());
        // The ScaledObject owns the replica count; a fixed one in the Deployment would fight it on every upgrade.
        assertThat(at(chart.deployment("worker"), "spec", "replicas")).isNull();

        assertThatThrownBy(() -> RenderedChart.render(Map.of("worker.keda.enabled", "true")))
                .hasMessageContaining("worker.keda.prometheusServerAddress");
    }

    private static Set<String> series(String expr) {
        Set<String> out = new TreeSet<>();
        Matcher m = SERIES.matcher(expr);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Every series docs/observability.md lists, with a histogram's _bucket, _count and _sum. */
    private static Set<String> exported() throws java.io.IOException {
        String doc = Files.readString(Path.of("docs/observability.md"));
        Set<String> out = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `(shears_[a-z_]+)` \\| (\\w+)").matcher(doc);
        while (row.find()) {
            out.add(row.group(1));
            if (row.group(2).equals("histogram")) {
                out.addAll(List.of(row.group(1) + "_bucket", row.group(1) + "_count", row.group(1) + "_sum"));
            }
        }
        return out;
    }
}
