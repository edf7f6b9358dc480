package io.shears.tenancy;

import jakarta.annotation.Nullable;

import java.time.Instant;

/**
 * A newly created API key. {@code key} is shown this once and stored only as a hash; {@code callbackSecret} is the
 * tenant's secret for verifying job callbacks' HMAC-SHA256 signatures. {@code admin} repeats {@code role == admin}
 * for old clients.
 */
public record IssuedKey(String id, String tenant, String key, KeyRole role, boolean admin, @Nullable String label,
                        Instant createdAt, String callbackSecret) {
    public IssuedKey(String id, String tenant, String key, KeyRole role, String label, Instant createdAt,
                     String callbackSecret) {
        this(id, tenant, key, role, role == KeyRole.ADMIN, label, createdAt, callbackSecret);
    }
}
