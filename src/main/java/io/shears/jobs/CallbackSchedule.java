package io.shears.jobs;

import io.shears.config.ShearsProperties;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When a failed callback delivery is tried again: exponential back-off from {@code firstRetry} by {@code factor},
 * capped at {@code maxDelay}, for as long as the next try falls within {@code giveUpAfter} of the first. The waits are
 * long (hours in all) so that a receiver that is down for a deploy or an outage still hears of the job.
 */
record CallbackSchedule(Duration firstRetry, double factor, Duration maxDelay, Duration giveUpAfter) {

    CallbackSchedule {
        if (firstRetry.isNegative() || firstRetry.isZero()) {
            throw new IllegalArgumentException("shears.callbacks.first-retry must be positive, got " + firstRetry);
        }
        if (!(factor >= 1)) {
            throw new IllegalArgumentException("shears.callbacks.backoff-factor must be at least 1, got " + factor);
        }
        if (maxDelay.compareTo(firstRetry) < 0) {
            throw new IllegalArgumentException("shears.callbacks.max-retry-delay must be at least first-retry");
        }
    }

    static CallbackSchedule of(ShearsProperties.Callbacks settings) {
        return new CallbackSchedule(settings.firstRetry(), settings.backoffFactor(), settings.maxRetryDelay(),
                settings.giveUpAfter());
    }

    /**
     * The wait after the {@code attempts}-th failed try, or empty when the delivery gives up: the next try would come
     * later than {@code giveUpAfter} after the first.
     */
    Optional<Duration> delayAfter(int attempts) {
        Duration elapsed = Duration.ZERO;
        Duration delay = null;
        for (int n = 1; n <= attempts; n++) {
            delay = delay(n);
            elapsed = elapsed.plus(delay);
            if (elapsed.compareTo(giveUpAfter) > 0) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(delay);
    }

    /** Every wait the schedule makes before it gives up, in order. */
    List<Duration> delays() {
        List<Duration> out = new ArrayList<>();
        for (int n = 1; ; n++) {
            Optional<Duration> next = delayAfter(n);
            if (next.isEmpty()) {
                return out;
            }
            out.add(next.get());
        }
    }

    private Duration delay(int failedAttempts) {
        double millis = firstRetry.toMillis() * Math.pow(factor, failedAttempts - 1);
        return millis >= maxDelay.toMillis() ? maxDelay : Duration.ofMillis(Math.round(millis));
    }
}
