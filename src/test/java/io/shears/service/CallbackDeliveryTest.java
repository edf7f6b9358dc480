package io.shears.service;

import io.shears.tenancy.ApiKeys;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A callback reaches a receiver that is down when the job ends: the back-off here is shrunk to a second so the test
 * is quick (the default's reach is checked on the schedule itself, in CallbackScheduleTest).
 */
@TestPropertySource(properties = {
        "shears.data-dir=${shears.test.callbacks-data-dir}",
        "shears.callbacks.first-retry=1s",
        "shears.callbacks.backoff-factor=2",
        "shears.callbacks.max-retry-delay=2s",
        "shears.callbacks.give-up-after=10m",
})
class CallbackDeliveryTest extends ServiceTestSupport {
    static {
        // Its own database: another cached test context's worker on the shared one could take this test's jobs.
        System.setProperty("shears.test.callbacks-data-dir", dataDir("callbacks").toString());
    }

    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(120);

    @Test
    void aReceiverThatIsDownAndThenFailsStillGetsTheSignedCallback() throws Exception {
        int port;
        try (ServerSocket reserved = new ServerSocket(0)) {
            port = reserved.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/hook";
        String model = upload(ServiceFixtures.resnet18());
        String job = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.9),
                "callbackUrl", url)).json().get("id").asString();

        JsonNode refused = JobPolling.await(api, job, DELIVERY_TIMEOUT,
                j -> j.path("callbacks").size() == 1 && j.get("callbacks").get(0).get("attempts").asInt() >= 1);
        JsonNode first = refused.get("callbacks").get(0);
        assertThat(refused.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(first.get("state").asString()).isEqualTo("PENDING");
        assertThat(first.get("url").asString()).isEqualTo(url);
        assertThat(first.get("lastStatus").isNull()).as(first.toString()).isTrue();
        assertThat(first.get("lastError").asString()).isNotBlank();
        assertThat(Instant.parse(first.get("nextAttemptAt").asString()))
                .isAfter(Instant.parse(first.get("lastAttemptAt").asString()));

        try (WebhookReceiver receiver = new WebhookReceiver(port, n -> n == 1 ? 500 : 204)) {
            JsonNode delivered = JobPolling.await(api, job, DELIVERY_TIMEOUT,
                    j -> "DELIVERED".equals(j.get("callbacks").get(0).get("state").asString()));
            JsonNode callback = delivered.get("callbacks").get(0);
            var received = receiver.received();
            assertThat(received).hasSize(2);
            assertThat(received.get(0).answered()).isEqualTo(500);
            assertThat(callback.get("attempts").asInt()).isGreaterThanOrEqualTo(first.get("attempts").asInt() + 2);
            assertThat(callback.get("lastStatus").asInt()).isEqualTo(204);
            assertThat(callback.get("nextAttemptAt").isNull()).isTrue();
            assertThat(callback.get("deliveredAt").isNull()).isFalse();

            String secret = keys.callbackSecret(ApiKeys.DEFAULT_TENANT);
            assertThat(secret).startsWith("whsec_");
            for (WebhookReceiver.Received r : received) {
                assertThat(r.id()).isEqualTo(callback.get("id").asString()).startsWith("msg_");
                assertThat(WebhookReceiver.verifies(secret, r)).as(r.toString()).isTrue();
                assertThat(Long.parseLong(r.timestamp()))
                        .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(300L));
                JsonNode body = ApiClient.JSON.readTree(r.body());
                assertThat(body.get("id").asString()).isEqualTo(job);
                assertThat(body.get("state").asString()).isEqualTo("SUCCEEDED");
            }
            assertThat(received.get(1).body()).isEqualTo(received.get(0).body());
            assertThat(WebhookReceiver.verifies(secret, new WebhookReceiver.Received(received.get(1).id(),
                    received.get(1).timestamp(), received.get(1).signature(), received.get(1).body() + " ", 204)))
                    .isFalse();
        }
    }
}
