package io.shears.service;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A fine-tuning job's event stream over real HTTP: its training figures, and resuming it with Last-Event-ID. */
class JobEventsResumeTest extends ServiceTestSupport {

    @Test
    void eventsCarryTheTrainingFiguresAndResumeAfterTheLastEventId() throws Exception {
        String model = upload(ServiceFixtures.smallCnn());
        String data = uploadDataset(ServiceFixtures.idxDataset(tmp, 10, 12, 3));
        String job = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.8),
                "pruning", Map.of("scope", "channels", "roundTo", 1),
                "input", Map.of("channels", "rgb", "mean", List.of(0.5), "std", List.of(0.25)),
                "fineTune", Map.of("datasetId", data, "epochs", 3, "batchSize", 8, "learningRate", 0.05)))
                .json().get("id").asString();

        List<SseEvent> all = stream(job, null);
        JsonNode end = all.get(all.size() - 1).data();
        assertThat(end.get("state").asString()).as(end.toString()).isEqualTo("SUCCEEDED");
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).id()).as("consecutive ids").isEqualTo(all.get(i - 1).id() + 1);
        }

        List<JsonNode> training = all.stream().map(SseEvent::data).filter(e -> e.get("epoch").isNumber()).toList();
        assertThat(training).as("events with training figures").hasSizeGreaterThan(1);
        long step = 0;
        long flops = 0;
        int epoch = 0;
        for (JsonNode e : training) {
            assertThat(e.get("step").asLong()).isPositive().isGreaterThanOrEqualTo(step);
            assertThat(e.get("trainFlops").asLong()).isPositive().isGreaterThanOrEqualTo(flops);
            assertThat(e.get("epoch").asInt()).isBetween(Math.max(1, epoch), 3);
            assertThat(e.get("trainLoss").asDouble()).isPositive().isFinite();
            step = e.get("step").asLong();
            flops = e.get("trainFlops").asLong();
            epoch = e.get("epoch").asInt();
        }
        assertThat(end.get("epoch").asInt()).isEqualTo(3);
        assertThat(end.get("valAccuracy").asDouble()).isBetween(0.0, 1.0);
        // Whether an event fell before the first epoch ended (valAccuracy still null) depends on the machine's speed.
        assertThat(training).allSatisfy(e -> assertThat(e.get("valAccuracy").isNull()
                || e.get("valAccuracy").asDouble() >= 0 && e.get("valAccuracy").asDouble() <= 1).isTrue());

        JsonNode done = api.get("/v1/jobs/" + job).json();
        JsonNode report = api.get(byName(done.get("result").get("artifacts")).get("report.json").get("url")
                .asString()).json();
        JsonNode fineTuning = report.findParent("resumedAtEpoch");
        assertThat(end.get("trainFlops").asLong()).isEqualTo(fineTuning.get("trainFlops").asLong());
        assertThat(end.get("step").asLong()).isEqualTo(fineTuning.get("steps").asLong());

        SseEvent middle = all.get(all.size() / 2);
        List<SseEvent> resumed = stream(job, middle.id());
        assertThat(resumed).isEqualTo(all.subList(all.size() / 2 + 1, all.size()));

        assertThat(stream(job, all.get(all.size() - 1).id())).as("nothing after the end").isEmpty();

        var malformed = api.send(api.request("/v1/jobs/" + job + "/events", "Accept", "text/event-stream",
                "Last-Event-ID", "seven").GET());
        assertProblem(malformed, 400, "INVALID_PARAMETER");
    }

    private List<SseEvent> stream(String job, Long lastEventId) throws Exception {
        List<String> headers = new ArrayList<>(List.of("Accept", "text/event-stream"));
        if (lastEventId != null) {
            headers.addAll(List.of("Last-Event-ID", Long.toString(lastEventId)));
        }
        HttpResponse<InputStream> response = api.sendRaw(api.request("/v1/jobs/" + job + "/events",
                headers.toArray(String[]::new)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return CompletableFuture.supplyAsync(() -> readIdentifiedEvents(response.body()))
                .get(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
}
