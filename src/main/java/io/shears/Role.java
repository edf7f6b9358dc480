package io.shears;

import java.util.Locale;

/**
 * What one Shears process does ({@code shears.role}). The embedded default runs everything in one process; at scale,
 * API processes and worker processes share one database and one artifact store.
 */
public enum Role {
    /** The public API and a worker pool in one process. */
    ALL,
    /** The public API only; jobs are queued for workers elsewhere. */
    API,
    /** Workers only; health and metrics are the only endpoints. */
    WORKER;

    public static final String PROPERTY = "shears.role";

    public boolean servesApi() {
        return this != WORKER;
    }

    public boolean runsJobs() {
        return this != API;
    }

    public static Role parse(String text) {
        if (text == null || text.isBlank()) {
            return ALL;
        }
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY + " must be one of all, api, worker; is '" + text + "'");
        }
    }
}
