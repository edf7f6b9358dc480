package io.shears.tenancy;

import jakarta.annotation.Nullable;

import java.time.Instant;

/** An API key as listed to admins: never the key itself. {@code admin} repeats {@code role == admin} for old clients. */
public record KeyInfo(String id, String tenant, KeyRole role, boolean admin, @Nullable String label,
                      Instant createdAt, @Nullable Instant revokedAt) {
    public KeyInfo(String id, String tenant, KeyRole role, String label, Instant createdAt, Instant revokedAt) {
        this(id, tenant, role, role == KeyRole.ADMIN, label, createdAt, revokedAt);
    }
}
