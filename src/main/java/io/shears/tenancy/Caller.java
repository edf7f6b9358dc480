package io.shears.tenancy;

/** Who made a request: the tenant its API key belongs to, and the key's role. */
public record Caller(String tenantId, String keyId, KeyRole role) {
}
