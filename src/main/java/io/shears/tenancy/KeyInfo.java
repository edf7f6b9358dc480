package io.shears.tenancy;

import java.time.Instant;

/** An API key as listed to admins: never the key itself. */
public record KeyInfo(String id, String tenant, boolean admin, String label, Instant createdAt, Instant revokedAt) {
}
