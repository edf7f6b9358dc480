package io.shears.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs logged to MLflow through its REST API, against a small fake of the tracking server that answers as MLflow
 * does and records every request (no MLflow server can run in the test environment).
 */
class MlflowTrackingTest {
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path data;

    private record Request(String method, String path, byte[] body) {
        JsonNode json() {
            return ApiClient.JSON.readTree(new String(body, StandardCharsets.UTF_8));
        }
    }

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> experiments = new HashMap<>();
    private final AtomicInteger runs = new AtomicInteger();
    /** A server started without --serve-artifacts: it has no artifact API. */
    private volatile boolean refuseArtifacts;
    private HttpServer mlflow;

    @BeforeEach
    void startFakeMlflow() throws IOException {
        mlflow = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        mlflow.createContext("/", this::answer);
        mlflow.start();
    }

    @AfterEach
    void stopFakeMlflow() {
        mlflow.stop(0);
    }

    private synchronized void answer(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getPath();
        requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(), body));
        int status = 200;
        String answer = "{}";
        if (refuseArtifacts && path.startsWith("/api/2.0/mlflow-artifacts/")) {
            status = 503;
            answer = "{\"error_code\": \"TEMPORARILY_UNAVAILABLE\"}";
        } else if (path.endsWith("/experiments/get-by-name")) {
            String name = exchange.getRequestURI().getQuery().replace("experiment_name=", "");
            String id = experiments.get(name);
            status = id == null ? 404 : 200;
            answer = id == null ? "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\": \"no experiment\"}"
                    : "{\"experiment\": {\"experiment_id\": \"" + id + "\", \"name\": \"" + name + "\"}}";
        } else if (path.endsWith("/experiments/create")) {
            String id = Integer.toString(7 + experiments.size());
            experiments.put(new Request("", "", body).json().get("name").asString(), id);
            answer = "{\"experiment_id\": \"" + id + "\"}";
        } else if (path.endsWith("/runs/create")) {
            String run = "run" + runs.incrementAndGet();
            String experiment = new Request("", "", body).json().get("experiment_id").asString();
            answer = "{\"run\": {\"info\": {\"run_id\": \"" + run + "\", \"artifact_uri\": \"mlflow-artifacts:/"
                    + experiment + "/" + run + "/artifacts\"}}}";
        }
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Test
    void everyJobThatRanIsARunWithItsSpecItsEpochsItsArtifactsAndItsOutcome() throws Exception {
        try (InProcessService service = InProcessService.start(data, "--shears.mlflow.uri=http://127.0.0.1:"
                + mlflow.getAddress().getPort() + "/", "--shears.mlflow.experiment=pruning")) {
            ApiClient api = service.admin();
            String model = api.postBytes("/v1/models?name=cnn", ServiceFixtures.smallCnn(),
                    "application/octet-stream").json().get("id").asString();
            String dataset = api.postBytes("/v1/datasets?name=bands", ServiceFixtures.idxDataset(data, 10, 6, 3),
                    "application/zip").json().get("id").asString();
            String tuned = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.8),
                    "pruning", Map.of("scope", "channels", "roundTo", 1), "input", Map.of("channels", "rgb"),
                    "fineTune", Map.of("datasetId", dataset, "epochs", 2, "batchSize", 16),
                    "labels", Map.of("team", "vision"))).json().get("id").asString();
            JsonNode done = JobPolling.terminal(api, tuned, JOB_TIMEOUT);
            assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
            awaitUpdates(1);

            assertThat(requests.get(0).path()).isEqualTo("/api/2.0/mlflow/experiments/get-by-name"
                    + "?experiment_name=pruning");
            assertThat(calls("/experiments/create")).singleElement()
                    .satisfies(r -> assertThat(r.json().get("name").asString()).isEqualTo("pruning"));
            JsonNode created = calls("/runs/create").get(0).json();
            assertThat(created.get("experiment_id").asString()).isEqualTo("7");
            assertThat(created.get("run_name").asString()).isEqualTo(tuned);
            assertThat(created.get("start_time").asLong()).isEqualTo(millis(done.get("startedAt")));

            Map<String, String> params = new HashMap<>();
            Map<String, String> tags = new HashMap<>();
            List<JsonNode> metrics = new ArrayList<>();
            for (Request batch : calls("/runs/log-batch")) {
                assertThat(batch.json().get("run_id").asString()).isEqualTo("run1");
                batch.json().get("params").forEach(p -> params.put(p.get("key").asString(), p.get("value").asString()));
                batch.json().get("tags").forEach(t -> tags.put(t.get("key").asString(), t.get("value").asString()));
                batch.json().get("metrics").forEach(metrics::add);
            }
            assertThat(params).containsEntry("budget.fraction", "0.8").containsEntry("pruning.scope", "channels")
                    .containsEntry("fineTune.epochs", "2").containsEntry("modelId", model)
                    .doesNotContainKey("callbackUrl");
            assertThat(tags).containsEntry("shears.state", "SUCCEEDED").containsEntry("label.team", "vision")
                    .containsEntry("shears.model_name", "cnn").containsEntry("shears.dataset." + dataset, "bands")
                    .containsEntry("shears.artifact.model.onnx.logged", "true");
            Map<String, JsonNode> artifacts = ServiceTestSupport.byName(done.get("result").get("artifacts"));
            assertThat(tags.get("shears.artifact.model.onnx")).isEqualTo(artifacts.get("model.onnx").get("url")
                    .asString());
            assertThat(metrics.stream().filter(m -> m.get("key").asString().equals("train_loss"))
                    .map(m -> m.get("step").asInt())).containsExactly(1, 2);
            assertThat(metrics.stream().filter(m -> m.get("key").asString().equals("macsRatio")).findFirst()
                    .orElseThrow().get("value").asDouble())
                    .isEqualTo(done.get("result").get("summary").get("macsRatio").asDouble());

            Request upload = requests.stream().filter(r -> r.method().equals("PUT")
                    && r.path().endsWith("/model.onnx")).findFirst().orElseThrow();
            assertThat(upload.path()).isEqualTo("/api/2.0/mlflow-artifacts/artifacts/7/run1/artifacts/model.onnx");
            assertThat(upload.body()).isEqualTo(api.get(artifacts.get("model.onnx").get("url").asString()).body());

            JsonNode update = calls("/runs/update").get(0).json();
            assertThat(update.get("run_id").asString()).isEqualTo("run1");
            assertThat(update.get("status").asString()).isEqualTo("FINISHED");
            assertThat(update.get("end_time").asLong()).isEqualTo(millis(done.get("finishedAt")));

            String failed = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.01),
                    "pruning", Map.of("scope", "channels"))).json().get("id").asString();
            JsonNode failure = JobPolling.terminal(api, failed, JOB_TIMEOUT);
            assertThat(failure.get("state").asString()).isEqualTo("FAILED");
            awaitUpdates(2);
            assertThat(calls("/experiments/create")).hasSize(1);
            assertThat(calls("/runs/create").get(1).json().get("run_name").asString()).isEqualTo(failed);
            JsonNode failedUpdate = calls("/runs/update").get(1).json();
            assertThat(failedUpdate.get("status").asString()).isEqualTo("FAILED");
            assertThat(calls("/runs/log-batch").get(calls("/runs/log-batch").size() - 1).json().toString())
                    .contains("shears.error_code").contains(failure.get("error").get("code").asString());

            refuseArtifacts = true;
            String unproxied = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.8),
                    "pruning", Map.of("scope", "channels", "roundTo", 1))).json().get("id").asString();
            assertThat(JobPolling.terminal(api, unproxied, JOB_TIMEOUT).get("state").asString())
                    .isEqualTo("SUCCEEDED");
            awaitUpdates(3);
            assertThat(calls("/runs/update").get(2).json().get("status").asString()).isEqualTo("FINISHED");
            String lastBatch = calls("/runs/log-batch").get(calls("/runs/log-batch").size() - 1).json().toString();
            assertThat(lastBatch).contains("shears.artifact.model.onnx").doesNotContain(".logged");
        }
    }

    /** Waits until the fake has heard {@code count} run updates: the last call of each logged job. */
    private void awaitUpdates(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (calls("/runs/update").size() < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private List<Request> calls(String suffix) {
        return requests.stream().filter(r -> r.path().contains("/api/2.0/mlflow/") && r.path().endsWith(suffix))
                .toList();
    }

    private static long millis(JsonNode time) {
        return Instant.parse(time.asString()).toEpochMilli();
    }
}
