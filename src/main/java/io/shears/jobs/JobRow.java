package io.shears.jobs;

import io.shears.pipeline.Stage;
import java.time.Instant;

/** A row of the {@code jobs} table, as stored. */
record JobRow(String id, String tenantId, String modelId, String spec, String specSha256, String idempotencyKey,
              JobState state, Stage stage, double progress, int attempts, boolean cancelRequested, String errorCode,
              String errorMessage, String result, Instant createdAt, Instant startedAt, Instant finishedAt,
              Instant updatedAt, String worker) {
}
