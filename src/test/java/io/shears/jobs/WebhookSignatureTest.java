package io.shears.jobs;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookSignatureTest {
    @Test
    void matchesTheStandardWebhooksReferenceExample() {
        // The example of the Standard Webhooks libraries' tests: secret, id, timestamp, payload and signature.
        String signature = WebhookSignature.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void everySignedPartChangesTheSignature() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        String base = WebhookSignature.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_a", 1, body);
        assertThat(WebhookSignature.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_b", 1, body)).isNotEqualTo(base);
        assertThat(WebhookSignature.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_a", 2, body)).isNotEqualTo(base);
        assertThat(WebhookSignature.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx", "msg_a", 1, body)).isNotEqualTo(base);
        assertThat(WebhookSignature.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_a", 1,
                "{ }".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(base);
    }
}
