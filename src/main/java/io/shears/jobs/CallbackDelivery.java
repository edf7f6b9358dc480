package io.shears.jobs;

import java.time.Instant;

/**
 * One callback of a job as the job's view shows it: {@code id} is the {@code webhook-id} every try sends;
 * {@code lastStatus} is the receiver's last HTTP status (null when it could not be reached, see {@code lastError});
 * {@code nextAttemptAt} is set while a retry is scheduled.
 */
public record CallbackDelivery(String id, String url, State state, int attempts, Integer lastStatus,
                               String lastError, Instant createdAt, Instant lastAttemptAt, Instant nextAttemptAt,
                               Instant deliveredAt) {

    public enum State {
        /** Not yet answered 2xx; a try is queued or scheduled. */
        PENDING,
        /** The receiver answered 2xx. */
        DELIVERED,
        /** Every try of the back-off schedule failed. */
        GAVE_UP
    }
}
