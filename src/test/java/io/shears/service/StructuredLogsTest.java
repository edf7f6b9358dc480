package io.shears.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One setting makes every log line JSON; a request's lines carry its request id and the trace id of the W3C
 * {@code traceparent} it came with, and a job's lines carry the job's id.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = {"shears.data-dir=${shears.test.logs-data-dir}",
        "logging.structured.format.console=ecs"})
class StructuredLogsTest extends ServiceTestSupport {
    static {
        // Its own database: another cached test context's worker on the shared one could take this test's jobs.
        System.setProperty("shears.test.logs-data-dir", dataDir("logs").toString());
    }

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void logLinesAreJsonWithTheRequestIdTheTraceAndTheJobId(CapturedOutput output) {
        String model = upload(ServiceFixtures.resnet18());
        HttpRequest.Builder submit = api.request("/v1/jobs", "Content-Type", "application/json",
                        "X-Request-ID", "req-structured-1",
                        "traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"modelId\":\"" + model
                        + "\",\"budget\":{\"fraction\":0.9}}"));
        var submitted = api.send(submit);
        assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
        assertThat(submitted.header("X-Request-ID")).isEqualTo("req-structured-1");
        String job = submitted.json().get("id").asString();
        awaitTerminal(job);
        var generated = api.get("/v1/jobs/" + job);
        assertThat(generated.header("X-Request-ID")).as("a request without one gets an id").matches("[0-9a-f-]{36}");

        List<JsonNode> lines = output.getOut().lines().filter(l -> l.startsWith("{"))
                .map(l -> ApiClient.JSON.readTree(l)).toList();
        JsonNode queued = lines.stream().filter(l -> l.path("message").asString().equals("Job " + job
                + " queued for model " + model)).findFirst().orElseThrow(() -> new AssertionError(output.getOut()));
        assertThat(queued.path("requestId").asString()).isEqualTo("req-structured-1");
        assertThat(queued.path("jobId").asString()).isEqualTo(job);
        assertThat(queued.toString()).contains(TRACE_ID);
        assertThat(queued.has("@timestamp")).isTrue();
        JsonNode ran = lines.stream().filter(l -> l.path("message").asString().startsWith("Job " + job + " running"))
                .findFirst().orElseThrow();
        assertThat(ran.path("jobId").asString()).isEqualTo(job);
        assertThat(output.getOut().lines().filter(l -> l.contains("Job " + job)))
                .as("every line about the job is JSON").allMatch(l -> l.startsWith("{"));
    }
}
