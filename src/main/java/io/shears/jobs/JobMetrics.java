package io.shears.jobs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.shears.pipeline.Stage;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The service's own meters (Prometheus names: shears_jobs_submitted_total, shears_jobs_finished_total, ...). Durations
 * and sizes publish histogram buckets, so a percentile (p95 of a stage) is {@code histogram_quantile} over every
 * process's buckets rather than an average of per-process percentiles.
 */
@Component
public class JobMetrics {
    /** The {@code code} of a job that succeeded, which has no error code. */
    static final String NO_CODE = "none";

    private final MeterRegistry registry;
    private final Counter submitted;
    private final DistributionSummary uploadBytes;

    public JobMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.submitted = Counter.builder("shears.jobs.submitted").description("jobs accepted").register(registry);
        this.uploadBytes = DistributionSummary.builder("shears.upload.bytes").baseUnit("bytes")
                .description("size of accepted model and dataset uploads")
                .publishPercentileHistogram()
                .minimumExpectedValue(1024.0).maximumExpectedValue(16.0 * 1024 * 1024 * 1024).register(registry);
    }

    public void submitted() {
        submitted.increment();
    }

    /**
     * A job ended: counted by outcome (succeeded, failed, cancelled) and error code ({@value #NO_CODE} when it
     * succeeded), and its time from submission to end recorded by outcome.
     */
    public void finished(JobState state, String code, Instant createdAt) {
        if (!state.terminal()) {
            throw new IllegalArgumentException("not a terminal state: " + state);
        }
        String outcome = state.name().toLowerCase(Locale.ROOT);
        Counter.builder("shears.jobs.finished").description("jobs that ended, by outcome and error code")
                .tag("outcome", outcome).tag("code", code == null ? NO_CODE : code).register(registry).increment();
        Timer.builder("shears.job.duration").description("time from a job's submission to its end")
                .tag("outcome", outcome).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofSeconds(1)).maximumExpectedValue(Duration.ofHours(24))
                .register(registry).record(Duration.between(createdAt, Instant.now()));
    }

    public void uploaded(long bytes) {
        uploadBytes.record(bytes);
    }

    public void stage(Stage stage, Duration took) {
        Timer.builder("shears.job.stage.duration").tag("stage", stage.name()).description("time per job stage")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofHours(12))
                .register(registry).record(took);
    }
}
