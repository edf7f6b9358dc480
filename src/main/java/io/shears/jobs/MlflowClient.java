package io.shears.jobs;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The calls of MLflow's REST API (2.0) that log a run: find or create the experiment, create the run, log its
 * params, metrics and tags in batches, upload artifacts to a server that proxies them, and set the run's status.
 */
final class MlflowClient {
    /** MLflow's limits per {@code runs/log-batch} call. */
    static final int MAX_METRICS = 1000;
    static final int MAX_PARAMS = 100;
    static final int MAX_TAGS = 100;
    /** Artifact locations a server serves itself (mlflow server --serve-artifacts), reachable over its REST API. */
    private static final String PROXIED_ARTIFACTS = "mlflow-artifacts:/";

    record Metric(String key, double value, long timestamp, long step) {
    }

    record Run(String id, String artifactUri) {
    }

    /** An answer other than 2xx, with MLflow's {@code error_code} when it sent one. */
    static final class MlflowException extends IOException {
        private final int status;
        private final String errorCode;

        MlflowException(String call, int status, String errorCode, String body) {
            super(call + " answered " + status + (errorCode == null ? "" : " " + errorCode) + ": "
                    + body.substring(0, Math.min(body.length(), 300)));
            this.status = status;
            this.errorCode = errorCode;
        }

        int status() {
            return status;
        }

        String errorCode() {
            return errorCode;
        }
    }

    private final MlflowProperties properties;
    private final JsonMapper json;
    private final HttpClient http;

    MlflowClient(MlflowProperties properties, JsonMapper json) {
        this.properties = properties;
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(properties.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The experiment's id, creating it when the server has none of that name. */
    String experimentId(String name) throws IOException {
        try {
            return get("experiments/get-by-name?experiment_name=" + URLEncoder.encode(name, StandardCharsets.UTF_8))
                    .path("experiment").path("experiment_id").asString();
        } catch (MlflowException e) {
            if (!"RESOURCE_DOES_NOT_EXIST".equals(e.errorCode()) && e.status() != 404) {
                throw e;
            }
        }
        try {
            return post("experiments/create", Map.of("name", name)).path("experiment_id").asString();
        } catch (MlflowException e) {
            if (!"RESOURCE_ALREADY_EXISTS".equals(e.errorCode())) {
                throw e;
            }
            return experimentId(name);
        }
    }

    Run createRun(String experimentId, String runName, long startTime, Map<String, String> tags) throws IOException {
        JsonNode info = post("runs/create", Map.of("experiment_id", experimentId, "run_name", runName,
                "start_time", startTime, "tags", keyValues(tags))).path("run").path("info");
        return new Run(info.path("run_id").asString(), info.path("artifact_uri").asString(""));
    }

    /** Logs everything, split into as many calls as MLflow's per-call limits need. */
    void logBatch(String runId, List<Metric> metrics, Map<String, String> params, Map<String, String> tags)
            throws IOException {
        List<Map<String, Object>> p = keyValues(params);
        List<Map<String, Object>> t = keyValues(tags);
        int calls = Math.max(1, Math.max(ceilDiv(metrics.size(), MAX_METRICS),
                Math.max(ceilDiv(p.size(), MAX_PARAMS), ceilDiv(t.size(), MAX_TAGS))));
        for (int i = 0; i < calls; i++) {
            post("runs/log-batch", Map.of("run_id", runId,
                    "metrics", slice(metrics, i, MAX_METRICS).stream().map(m -> Map.<String, Object>of("key",
                            m.key(), "value", m.value(), "timestamp", m.timestamp(), "step", m.step())).toList(),
                    "params", slice(p, i, MAX_PARAMS), "tags", slice(t, i, MAX_TAGS)));
        }
    }

    /**
     * Uploads a file among the run's artifacts when the server proxies its artifact store; false when the run's
     * artifacts live where only a client with the store's own credentials reaches (s3://, a local path).
     */
    boolean uploadArtifact(Run run, String name, Supplier<InputStream> content) throws IOException {
        if (!run.artifactUri().startsWith(PROXIED_ARTIFACTS)) {
            return false;
        }
        String path = run.artifactUri().substring(PROXIED_ARTIFACTS.length()).replaceAll("^/+", "");
        URI target = URI.create(properties.uri() + "/api/2.0/mlflow-artifacts/artifacts/" + path + "/"
                + URLEncoder.encode(name, StandardCharsets.UTF_8));
        send("artifact " + name, request(target).PUT(HttpRequest.BodyPublishers.ofInputStream(content))
                .header("Content-Type", "application/octet-stream"));
        return true;
    }

    void updateRun(String runId, String status, long endTime) throws IOException {
        post("runs/update", Map.of("run_id", runId, "status", status, "end_time", endTime));
    }

    private JsonNode get(String call) throws IOException {
        return send(call, request(api(call)).GET());
    }

    private JsonNode post(String call, Object body) throws IOException {
        return send(call, request(api(call)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
    }

    private URI api(String call) {
        return URI.create(properties.uri() + "/api/2.0/mlflow/" + call);
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(properties.timeout());
        if (properties.token() != null) {
            request.header("Authorization", "Bearer " + properties.token());
        }
        return request;
    }

    private JsonNode send(String call, HttpRequest.Builder request) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during " + call, e);
        }
        String body = response.body() == null ? "" : response.body();
        if (response.statusCode() / 100 != 2) {
            String code = null;
            try {
                code = json.readTree(body).path("error_code").asString(null);
            } catch (RuntimeException notJson) {
                // An answer from a proxy in front of MLflow, not MLflow's own: the status says enough.
            }
            throw new MlflowException(call, response.statusCode(), code, body);
        }
        return body.isBlank() ? json.createObjectNode() : json.readTree(body);
    }

    private static List<Map<String, Object>> keyValues(Map<String, String> entries) {
        List<Map<String, Object>> out = new ArrayList<>();
        entries.forEach((k, v) -> out.add(Map.of("key", k, "value", v)));
        return out;
    }

    private static <T> List<T> slice(List<T> items, int call, int size) {
        int from = Math.min(items.size(), call * size);
        return items.subList(from, Math.min(items.size(), from + size));
    }

    private static int ceilDiv(int n, int d) {
        return (n + d - 1) / d;
    }
}
