package io.shears.service;

import io.shears.ShearsApplication;
import io.shears.tenancy.ApiKeys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service over real HTTP on a random port, with a real database, real files and the real engine, on the embedded
 * default (an H2 file database under a fresh data directory). Test classes that extend this and add no
 * configuration of their own share one running service.
 */
@SpringBootTest(classes = ShearsApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "shears.data-dir=${shears.test.data-dir}",
                "shears.security.bootstrap-key=" + ServiceTestSupport.ADMIN_KEY,
                "shears.jobs.latency-runs=2",
                "shears.jobs.latency-warmup=1",
                "shears.uploads.max-model-bytes=8MB",
                "shears.callbacks.allowed-hosts=127.0.0.1",
                // the warm-up has a test of its own; dozens of contexts would spend seconds each on it
                "shears.engine.warm-up-rounds=0",
        })
abstract class ServiceTestSupport {
    /** The key the README's quick start sets, so the walkthrough runs as written. */
    static final String ADMIN_KEY = "shears-dev-key-0123456789";
    static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

    static {
        // One fresh data directory per test JVM, named before Spring resolves shears.data-dir.
        System.setProperty("shears.test.data-dir", dataDir("h2").toString());
    }

    static Path dataDir(String name) {
        try {
            return Files.createTempDirectory("shears-" + name);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    ApiKeys keys;

    @TempDir
    Path tmp;

    ApiClient api;

    @BeforeEach
    void client() {
        api = new ApiClient(port, ADMIN_KEY);
    }

    // ---- helpers

    String upload(byte[] model) {
        var r = api.postBytes("/v1/models", model, "application/octet-stream");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    String uploadDataset(byte[] archive) {
        var r = api.postBytes("/v1/datasets", archive, "application/zip");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    /** A job that fine-tunes for 1,000 epochs on {@code dataset}: it runs until something stops it. */
    static Map<String, Object> endlessJob(String model, String dataset) {
        return new java.util.LinkedHashMap<>(Map.of("modelId", model, "budget", Map.of("fraction", 0.9),
                "pruning", Map.of("scope", "channels", "roundTo", 1), "input", Map.of("channels", "rgb"),
                "fineTune", Map.of("datasetId", dataset, "epochs", 1000, "batchSize", 4)));
    }

    JsonNode awaitTerminal(String job) {
        return JobPolling.terminal(api, job, JOB_TIMEOUT);
    }

    JsonNode awaitStage(String job, String stage) {
        return JobPolling.inStage(api, job, stage, JOB_TIMEOUT);
    }

    static void assertProblem(ApiClient.Reply r, int status, String code) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Content-Type")).as(r.toString()).startsWith("application/problem+json");
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        assertThat(r.text()).doesNotContain("Exception").doesNotContain("\tat ");
        ErrorCatalog.assertDocumented(status, code);
    }

    /** The job ended with this error code, which docs/errors.md documents. */
    static void assertJobError(JsonNode job, String code) {
        assertThat(job.path("error").path("code").asString()).as(job.toString()).isEqualTo(code);
        ErrorCatalog.assertDocumentedJobCode(code);
    }

    static List<String> ids(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get("id").asString()));
        return out;
    }

    static Map<String, JsonNode> byName(JsonNode artifacts) {
        Map<String, JsonNode> out = new java.util.TreeMap<>();
        artifacts.forEach(a -> out.put(a.get("name").asString(), a));
        return out;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static List<JsonNode> readEvents(InputStream in) {
        return readIdentifiedEvents(in).stream().map(SseEvent::data).toList();
    }

    /** A Server-Sent Event's {@code id} (null without one) and its JSON {@code data}. */
    record SseEvent(Long id, JsonNode data) {
    }

    static List<SseEvent> readIdentifiedEvents(InputStream in) {
        List<SseEvent> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            Long id = null;
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("id:")) {
                    id = Long.parseLong(line.substring(3).trim());
                } else if (line.startsWith("data:")) {
                    events.add(new SseEvent(id, ApiClient.JSON.readTree(line.substring(5))));
                } else if (line.isEmpty()) {
                    id = null;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return events;
    }
}
