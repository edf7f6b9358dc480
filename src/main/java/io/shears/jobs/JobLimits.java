package io.shears.jobs;

import io.shears.config.ShearsProperties;
import io.shears.pipeline.JobSpec;

import java.time.Duration;

/**
 * The time limit and attempts one job gets: its spec's {@code limits}, each capped by the server's
 * {@code shears.jobs.*}, which also fill in what the spec leaves out. A job may ask for less than the server allows,
 * never more.
 */
record JobLimits(Duration maxRuntime, int maxAttempts) {
    static JobLimits of(JobSpec spec, ShearsProperties.Jobs server) {
        JobSpec.LimitsSpec asked = spec.limits();
        Duration runtime = asked == null || asked.maxRuntime() == null
                || asked.maxRuntime().compareTo(server.maxRuntime()) > 0 ? server.maxRuntime() : asked.maxRuntime();
        int attempts = asked == null || asked.maxAttempts() == null ? server.maxAttempts()
                : Math.min(asked.maxAttempts(), server.maxAttempts());
        return new JobLimits(runtime, attempts);
    }
}
