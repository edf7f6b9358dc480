package io.shears.service;

import java.util.List;

/**
 * What a response must never show a client: the service's Java packages and types, or the name of a server-side
 * temporary upload file. Downloads (the client's own bytes) are exempt. JDK-only, for {@link PathEscalationProbe}.
 */
final class ServiceInternals {
    private static final List<String> MARKERS = List.of("io.shears", "java.", "org.springframework", ".upload");

    private ServiceInternals() {
    }

    static boolean appliesTo(String contentDisposition) {
        return !contentDisposition.startsWith("attachment");
    }

    /** The first marker the body shows, or null. */
    static String shown(String body) {
        return MARKERS.stream().filter(body::contains).findFirst().orElse(null);
    }

    static void assertNotShown(String what, String body) {
        String marker = shown(body);
        if (marker != null) {
            int at = body.indexOf(marker);
            throw new AssertionError(what + " shows '" + marker + "': ..."
                    + body.substring(Math.max(0, at - 80), Math.min(body.length(), at + 80)) + "...");
        }
    }
}
