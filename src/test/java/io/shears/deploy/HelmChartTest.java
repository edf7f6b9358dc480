package io.shears.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.shears.deploy.RenderedChart.RELEASE;
import static io.shears.deploy.RenderedChart.container;
import static io.shears.deploy.RenderedChart.env;
import static io.shears.deploy.Yamls.at;
import static io.shears.deploy.Yamls.list;
import static io.shears.deploy.Yamls.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** helm/shears, linted and rendered by the Helm library itself (no helm binary), checked field by field. */
class HelmChartTest {
    private static final String GPU = "nvidia.com/gpu";
    private static final Set<String> SECRET_ENV = Set.of("SPRING_DATASOURCE_PASSWORD", "SHEARS_API_KEY",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");

    @Test
    void lintsCleanInStrictMode() {
        LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void defaultsRenderEveryPieceOfTheDeployment() {
        RenderedChart chart = RenderedChart.render();
        assertThat(chart.names()).contains("Deployment/shears-api", "Deployment/shears-worker", "Service/shears",
                "Service/shears-worker", "ConfigMap/shears", "Secret/shears", "ServiceAccount/shears",
                "HorizontalPodAutoscaler/shears-api", "PodDisruptionBudget/shears-api",
                "PodDisruptionBudget/shears-worker");
        assertThat(chart.ofKind("Ingress")).isEmpty();
        assertThat(chart.ofKind("ServiceMonitor")).isEmpty();

        Map<String, Object> hpa = chart.one("HorizontalPodAutoscaler", "shears-api");
        assertThat(at(hpa, "spec", "scaleTargetRef", "name")).isEqualTo("shears-api");
        // The HPA owns the replica count; a fixed one in the Deployment would fight it on every upgrade.
        assertThat(at(chart.deployment("api"), "spec", "replicas")).isNull();
        assertThat(at(chart.deployment("worker"), "spec", "replicas")).isEqualTo(2);
    }

    @Test
    void workersRequestOneGpuByDefaultAndTheApiNone() {
        RenderedChart chart = RenderedChart.render();
        Map<String, Object> worker = container(chart.deployment("worker"));
        assertThat(at(worker, "resources", "limits", GPU)).isEqualTo(1);
        assertThat((String) worker.get("image")).endsWith(":0.1.0-gpu");
        assertThat(env(chart.deployment("worker")).get("SHEARS_ENGINE_DEVICE")).containsEntry("value", "gpu");
        assertThat(list(at(chart.deployment("worker"), "spec", "template", "spec", "tolerations")))
                .anySatisfy(t -> assertThat(map(t)).containsEntry("key", GPU));

        Map<String, Object> api = container(chart.deployment("api"));
        assertThat(map(at(api, "resources", "limits"))).doesNotContainKey(GPU);
        assertThat((String) api.get("image")).endsWith(":0.1.0");
    }

    @Test
    void gpuOffMakesCpuWorkers() {
        RenderedChart chart = RenderedChart.render(Map.of("worker.gpu.enabled", "false"));
        Map<String, Object> worker = chart.deployment("worker");
        assertThat(map(at(container(worker), "resources", "limits"))).doesNotContainKey(GPU);
        assertThat(env(worker).get("SHEARS_ENGINE_DEVICE")).containsEntry("value", "cpu");
        assertThat((String) container(worker).get("image")).endsWith(":0.1.0");
        assertThat(at(worker, "spec", "template", "spec", "tolerations")).isNull();
        assertThat(new Yaml().dump(worker)).doesNotContain(GPU);
    }

    @Test
    void probesUseTheActuatorHealthGroupsOnTheHttpPort() {
        RenderedChart chart = RenderedChart.render();
        for (String component : List.of("api", "worker")) {
            Map<String, Object> c = container(chart.deployment(component));
            assertThat(list(c.get("ports"))).as(component).containsExactly(
                    Map.of("name", "http", "containerPort", 8080, "protocol", "TCP"));
            assertThat(at(c, "readinessProbe", "httpGet")).as(component)
                    .isEqualTo(Map.of("path", "/actuator/health/readiness", "port", "http"));
            assertThat(at(c, "livenessProbe", "httpGet")).as(component)
                    .isEqualTo(Map.of("path", "/actuator/health/liveness", "port", "http"));
            assertThat(at(c, "startupProbe", "httpGet")).as(component)
                    .isEqualTo(Map.of("path", "/actuator/health/liveness", "port", "http"));
        }
        Map<String, Object> service = chart.one("Service", "shears");
        assertThat(map(at(service, "spec", "selector"))).containsEntry("app.kubernetes.io/component", "api");
        assertThat(list(at(service, "spec", "ports"))).singleElement()
                .satisfies(p -> assertThat(map(p)).containsEntry("targetPort", "http"));
    }

    @Test
    void eachDeploymentHasItsRoleAndTheSharedDatabaseAndStore() {
        RenderedChart chart = RenderedChart.render(Map.of(
                "database.url", "jdbc:postgresql://db.internal:5432/shears_prod",
                "artifacts.s3.endpoint", "http://minio.storage:9000", "artifacts.s3.pathStyle", "true"));
        for (String role : List.of("api", "worker")) {
            Map<String, String> e = chart.effectiveEnv(chart.deployment(role));
            assertThat(e).as(role)
                    .containsEntry("SHEARS_ROLE", role)
                    .containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://db.internal:5432/shears_prod")
                    .containsEntry("SPRING_DATASOURCE_USERNAME", "shears")
                    .containsEntry("SHEARS_ARTIFACTS_TYPE", "s3")
                    .containsEntry("SHEARS_ARTIFACTS_S3_ENDPOINT", "http://minio.storage:9000")
                    .containsEntry("SHEARS_ARTIFACTS_S3_PATH_STYLE", "true")
                    .containsEntry("SHEARS_ARTIFACTS_S3_BUCKET", "shears")
                    .containsEntry("SERVER_SHUTDOWN", "graceful")
                    .containsEntry("SHEARS_DATA_DIR", "/var/lib/shears/data");
            assertThat(list(at(container(chart.deployment(role)), "volumeMounts")))
                    .anySatisfy(m -> assertThat(map(m)).containsEntry("mountPath", "/var/lib/shears/data"));
        }
        // The worker count defaults to one per device in the app; the chart sets it only when asked.
        assertThat(chart.envNames(chart.deployment("worker")))
                .doesNotContain("JOBRUNR_BACKGROUND_JOB_SERVER_WORKER_COUNT");
        RenderedChart two = RenderedChart.render(Map.of("worker.jobsPerPod", "2"));
        assertThat(two.effectiveEnv(two.deployment("worker")))
                .containsEntry("JOBRUNR_BACKGROUND_JOB_SERVER_WORKER_COUNT", "2");
    }

    @Test
    void everyWorkerTrainsWithTheSameThreadCountWhateverItsNode() {
        // Fine-tuned weights depend on PyTorch's intra-op threads; the node's core count must not pick them.
        RenderedChart chart = RenderedChart.render(Map.of());
        assertThat(chart.effectiveEnv(chart.deployment("worker"))).containsEntry("SHEARS_ENGINE_INTRAOP_THREADS", "2");
        assertThat(chart.envNames(chart.deployment("api"))).doesNotContain("SHEARS_ENGINE_INTRAOP_THREADS");
        RenderedChart eight = RenderedChart.render(Map.of("worker.engineThreads", "8"));
        assertThat(eight.effectiveEnv(eight.deployment("worker"))).containsEntry("SHEARS_ENGINE_INTRAOP_THREADS", "8");
    }

    @Test
    void aStoppingWorkerHandsItsJobBackWithinTheGracePeriod() {
        for (Map<String, Object> sets : List.of(Map.<String, Object>of(),
                Map.<String, Object>of("worker.terminationGracePeriodSeconds", "600"))) {
            RenderedChart chart = RenderedChart.render(sets);
            Map<String, Object> worker = chart.deployment("worker");
            int grace = (Integer) at(worker, "spec", "template", "spec", "terminationGracePeriodSeconds");
            Map<String, String> e = chart.effectiveEnv(worker);
            int await = seconds(e.get("JOBRUNR_BACKGROUND_JOB_SERVER_INTERRUPT_JOBS_AWAIT_DURATION_ON_STOP"));
            int phase = seconds(e.get("SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE"));
            // Web server phase, then the job's await, then at least 10 s to interrupt it and write it back.
            assertThat(phase + await + 10).as("grace %d, phase %d, await %d", grace, phase, await)
                    .isLessThanOrEqualTo(grace);
            // ...and the job is not cut off much earlier than it must be.
            assertThat(await).isGreaterThanOrEqualTo(grace / 2);
            int poll = Integer.parseInt(e.get("JOBRUNR_BACKGROUND_JOB_SERVER_POLL_INTERVAL_IN_SECONDS"));
            int times = Integer.parseInt(e.get("JOBRUNR_BACKGROUND_JOB_SERVER_SERVER_TIMEOUT_POLL_INTERVAL_MULTIPLICAND"));
            assertThat(poll * times).as("dead-server timeout").isLessThan(60);
        }
    }

    @Test
    void settingsThatWouldBreakTheDeploymentRefuseToRender() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("jobrunr.pollIntervalSeconds", "15")))
                .hasMessageContaining("under 60 s");
        assertThatThrownBy(() -> RenderedChart.render(Map.of("worker.terminationGracePeriodSeconds", "30")))
                .hasMessageContaining("terminationGracePeriodSeconds");
        assertThatThrownBy(() -> RenderedChart.render(Map.of("secrets.values.apiKey", "short")))
                .hasMessageContaining("16 characters");
        assertThatThrownBy(() -> RenderedChart.render(Map.of("metrics.serviceMonitor.enabled", "true",
                "secrets.values.apiKey", "admin-key-5b8d2e4f6a1c")))
                .as("the admin key is never the scrape credential").hasMessageContaining("metrics key");
        assertThatThrownBy(() -> RenderedChart.render(Map.of("secrets.values.metricsKey", "short")))
                .hasMessageContaining("16 characters");
    }

    @Test
    void secretsAreReferencedNeverInlined() {
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("secrets.values.databasePassword", "db-pass-7f3a9c1e");
        sets.put("secrets.values.apiKey", "admin-key-5b8d2e4f6a1c");
        sets.put("secrets.values.metricsKey", "metrics-key-9e1c4a7b3d");
        sets.put("secrets.values.s3AccessKeyId", "AKIA-e9c4b7a2");
        sets.put("secrets.values.s3SecretAccessKey", "s3-secret-1d6f8a3b");
        sets.put("metrics.serviceMonitor.enabled", "true");
        RenderedChart chart = RenderedChart.render(sets);

        Map<String, Object> secret = chart.one("Secret", RELEASE);
        Map<String, Object> data = map(secret.get("data"));
        assertThat(decode(data.get("database-password"))).isEqualTo("db-pass-7f3a9c1e");
        assertThat(decode(data.get("api-key"))).isEqualTo("admin-key-5b8d2e4f6a1c");
        assertThat(decode(data.get("metrics-key"))).isEqualTo("metrics-key-9e1c4a7b3d");
        assertThat(decode(data.get("s3-access-key-id"))).isEqualTo("AKIA-e9c4b7a2");
        assertThat(decode(data.get("s3-secret-access-key"))).isEqualTo("s3-secret-1d6f8a3b");

        for (Map<String, Object> manifest : chart.manifests) {
            if (manifest != secret) {
                String text = new Yaml().dump(manifest);
                for (Object value : sets.values()) {
                    if (value.toString().length() > 6) {
                        assertThat(text).as(manifest.get("kind") + " holds a secret").doesNotContain(value.toString());
                    }
                }
            }
        }
        for (String role : List.of("api", "worker")) {
            Map<String, Map<String, Object>> e = env(chart.deployment(role));
            assertThat(e).as(role).containsKeys(SECRET_ENV.toArray(String[]::new));
            for (String name : SECRET_ENV) {
                assertThat(e.get(name)).as(name).doesNotContainKey("value");
                assertThat(at(e.get(name), "valueFrom", "secretKeyRef", "name")).as(name).isEqualTo(RELEASE);
            }
        }
        assertThat(map(chart.one("ConfigMap", RELEASE).get("data"))).doesNotContainKeys(SECRET_ENV.toArray(String[]::new));
        Map<String, Object> monitor = chart.one("ServiceMonitor", RELEASE);
        Map<String, Object> endpoint = map(list(at(monitor, "spec", "endpoints")).get(0));
        assertThat(endpoint).containsEntry("path", "/actuator/prometheus").containsEntry("port", "http");
        assertThat(at(endpoint, "authorization", "credentials"))
                .isEqualTo(Map.of("name", RELEASE, "key", "metrics-key"));
    }

    @Test
    void anExistingSecretReplacesTheChartsOwn() {
        RenderedChart chart = RenderedChart.render(Map.of("secrets.existingSecret", "shears-prod"));
        assertThat(chart.ofKind("Secret")).isEmpty();
        for (String role : List.of("api", "worker")) {
            for (String name : SECRET_ENV) {
                assertThat(at(env(chart.deployment(role)).get(name), "valueFrom", "secretKeyRef", "name"))
                        .as(role + " " + name).isEqualTo("shears-prod");
            }
        }
    }

    @Test
    void withoutAnApiKeyOrS3KeysTheirReferencesAreOptional() {
        RenderedChart chart = RenderedChart.render();
        // Shears then generates the first admin key itself, and the AWS SDK's default chain (IRSA) supplies S3
        // credentials; a required reference to a missing key would keep the pods from starting.
        assertThat(map(chart.one("Secret", RELEASE).get("data")))
                .containsOnlyKeys("database-password");
        for (String name : List.of("SHEARS_API_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
            assertThat(at(env(chart.deployment("worker")).get(name), "valueFrom", "secretKeyRef", "optional"))
                    .as(name).isEqualTo(true);
        }
        assertThat(at(env(chart.deployment("api")).get("SPRING_DATASOURCE_PASSWORD"), "valueFrom", "secretKeyRef",
                "optional")).isNull();
    }

    @Test
    void ingressOnlyWhenEnabled() {
        RenderedChart chart = RenderedChart.render(Map.of("ingress.enabled", "true",
                "ingress.host", "shears.corp.test", "ingress.className", "nginx"));
        Map<String, Object> ingress = chart.one("Ingress", RELEASE);
        assertThat(at(ingress, "spec", "ingressClassName")).isEqualTo("nginx");
        Map<String, Object> rule = map(list(at(ingress, "spec", "rules")).get(0));
        assertThat(rule).containsEntry("host", "shears.corp.test");
        Map<String, Object> path = map(list(at(rule, "http", "paths")).get(0));
        assertThat(at(path, "backend", "service")).isEqualTo(Map.of("name", RELEASE, "port", Map.of("name", "http")));
    }

    @Test
    void schedulingValuesReachTheWorkerPods() {
        RenderedChart chart = RenderedChart.render(Map.of("worker.nodeSelector.pool", "a100",
                "worker.tolerations[0].key", "dedicated", "worker.tolerations[0].operator", "Exists",
                "worker.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
                        + ".nodeSelectorTerms[0].matchExpressions[0].key", "gpu-type"));
        Map<String, Object> pod = map(at(chart.deployment("worker"), "spec", "template", "spec"));
        assertThat(map(pod.get("nodeSelector"))).containsEntry("pool", "a100");
        assertThat(list(pod.get("tolerations"))).extracting(t -> map(t).get("key"))
                .containsExactly("dedicated", GPU);
        assertThat(at(map(pod.get("affinity")), "nodeAffinity")).isNotNull();
        assertThat(at(chart.deployment("api"), "spec", "template", "spec", "nodeSelector")).isNull();
    }

    @Test
    void podsRunAsTheImagesNonRootUser() {
        RenderedChart chart = RenderedChart.render();
        for (String role : List.of("api", "worker")) {
            Map<String, Object> pod = map(at(chart.deployment(role), "spec", "template", "spec"));
            assertThat(at(pod, "securityContext", "runAsNonRoot")).isEqualTo(true);
            assertThat(at(pod, "securityContext", "runAsUser")).isEqualTo(10001);
            assertThat(at(container(chart.deployment(role)), "securityContext", "allowPrivilegeEscalation"))
                    .isEqualTo(false);
        }
        assertThat(at(chart.one("ServiceAccount", RELEASE), "automountServiceAccountToken")).isEqualTo(false);
    }

    @Test
    void everyValueIsDocumentedInTheChartReadme() throws Exception {
        Set<String> values = new TreeSet<>(Yamls.leaves(Yamls.load(RenderedChart.CHART.resolve("values.yaml")))
                .keySet());
        Set<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\|\\s*`([^`]+)`\\s*\\|")
                .matcher(Files.readString(RenderedChart.CHART.resolve("README.md")));
        while (row.find()) {
            documented.add(row.group(1));
        }
        // A row may document a whole block (`api.resources`), which covers every key under it.
        assertThat(documented).as("README rows for keys values.yaml does not have")
                .allSatisfy(key -> assertThat(values).anyMatch(v -> v.equals(key) || v.startsWith(key + ".")));
        assertThat(values).as("values without a README row")
                .allSatisfy(v -> assertThat(documented).anyMatch(key -> v.equals(key) || v.startsWith(key + ".")));
    }

    private static int seconds(String duration) {
        assertThat(duration).matches("\\d+s");
        return Integer.parseInt(duration.substring(0, duration.length() - 1));
    }

    private static String decode(Object base64) {
        return new String(Base64.getDecoder().decode((String) base64));
    }
}
