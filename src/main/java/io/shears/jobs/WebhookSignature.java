package io.shears.jobs;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Signs a callback the Standard Webhooks way (standardwebhooks.com): {@code v1,} and the base64 HMAC-SHA256 of
 * {@code "<webhook-id>.<webhook-timestamp>.<body>"}, keyed by the secret's bytes. A secret {@code whsec_<base64>} is
 * the base64-decoded key, as the standard's libraries read it; a tenant secret issued before that form (no prefix)
 * keys the HMAC with its UTF-8 bytes.
 */
public final class WebhookSignature {
    public static final String ID_HEADER = "webhook-id";
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    public static final String SIGNATURE_HEADER = "webhook-signature";
    static final String SECRET_PREFIX = "whsec_";

    private WebhookSignature() {
    }

    public static String sign(String secret, String messageId, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key(secret), "HmacSHA256"));
            mac.update((messageId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
    }

    private static byte[] key(String secret) {
        return secret.startsWith(SECRET_PREFIX) ? Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()))
                : secret.getBytes(StandardCharsets.UTF_8);
    }
}
