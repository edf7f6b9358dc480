package io.shears.tenancy;

import java.time.Instant;

/**
 * A newly created API key. {@code key} is shown this once and stored only as a hash; {@code callbackSecret} is the
 * tenant's secret for verifying job callbacks' HMAC-SHA256 signatures.
 */
public record IssuedKey(String id, String tenant, String key, boolean admin, String label, Instant createdAt,
                        String callbackSecret) {
}
