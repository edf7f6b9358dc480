package io.shears.jobs;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * Gauges of the job queue, read from the shared database at each scrape, so every process reports the same
 * cluster-wide figures (aggregate them with max, not sum): queued and running jobs, and how long the oldest queued
 * job has waited (0 when none waits), which a scaler or an alert reads.
 */
@Component
class JobGauges {
    private final JdbcClient jdbc;

    JobGauges(MeterRegistry registry, JobRepository jobs, JdbcClient jdbc) {
        this.jdbc = jdbc;
        Gauge.builder("shears.jobs.queue.depth", jobs, r -> r.countInState(JobState.QUEUED))
                .description("jobs waiting for a worker").register(registry);
        Gauge.builder("shears.jobs.running", jobs, r -> r.countInState(JobState.RUNNING))
                .description("jobs a worker is running").register(registry);
        Gauge.builder("shears.jobs.queue.oldest.age", this, JobGauges::oldestQueuedSeconds).baseUnit("seconds")
                .description("how long the oldest queued job has waited").register(registry);
    }

    private double oldestQueuedSeconds() {
        Timestamp oldest = jdbc.sql("select min(created_at) from jobs where state = 'QUEUED'")
                .query((rs, n) -> java.util.Optional.ofNullable(rs.getTimestamp(1))).single().orElse(null);
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest.toInstant(), Instant.now()).toMillis() / 1e3);
    }
}
