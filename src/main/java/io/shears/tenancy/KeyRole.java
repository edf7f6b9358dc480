package io.shears.tenancy;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What an API key may do. A tenant key works on its tenant's models, datasets, jobs and artifacts; an admin key also
 * manages keys and reads metrics; a metrics key only reads metrics, so that a scraper's credential opens nothing else.
 */
public enum KeyRole {
    TENANT,
    ADMIN,
    METRICS;

    /** The roles a key of this role holds: an admin key may do what a tenant key and a metrics key may. */
    public Set<KeyRole> grants() {
        return switch (this) {
            case TENANT -> EnumSet.of(TENANT);
            case ADMIN -> EnumSet.of(ADMIN, TENANT, METRICS);
            case METRICS -> EnumSet.of(METRICS);
        };
    }

    /** The name stored and shown in the API: {@code tenant}, {@code admin}, {@code metrics}. */
    @JsonValue
    public String externalName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<KeyRole> fromExternalName(String name) {
        for (KeyRole role : values()) {
            if (role.externalName().equals(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
