package io.shears.config;

import java.time.Duration;

/** The service cannot take the request now, for want of capacity; the client may retry after {@code retryAfter}. */
public class ServiceBusyException extends ServiceException {
    private final Duration retryAfter;

    public ServiceBusyException(String code, String message, Duration retryAfter) {
        super(Kind.UNAVAILABLE, code, message);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
