package io.shears.tenancy;

/** Who made a request: the tenant its API key belongs to, and whether the key may administer keys. */
public record Caller(String tenantId, String keyId, boolean admin) {
}
