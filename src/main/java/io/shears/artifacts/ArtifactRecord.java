package io.shears.artifacts;

import java.time.Instant;

/** A job's published file: a name within the job, a media type, and the blob that holds it. */
public record ArtifactRecord(String id, String tenantId, String jobId, String name, String mediaType, String sha256,
                             long bytes, Instant createdAt) {
}
