package io.shears.jobs;

import io.shears.pipeline.Stage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

import java.time.Duration;

/** The service's own meters (Prometheus names: shears_jobs_submitted_total, ...). */
@Component
public class JobMetrics {
    private final MeterRegistry registry;
    private final Counter submitted;
    private final Counter succeeded;
    private final Counter failed;
    private final Counter cancelled;
    private final DistributionSummary uploadBytes;

    public JobMetrics(MeterRegistry registry, JobRepository jobs) {
        this.registry = registry;
        this.submitted = Counter.builder("shears.jobs.submitted").description("jobs accepted").register(registry);
        this.succeeded = Counter.builder("shears.jobs.succeeded").description("jobs that succeeded").register(registry);
        this.failed = Counter.builder("shears.jobs.failed").description("jobs that failed").register(registry);
        this.cancelled = Counter.builder("shears.jobs.cancelled").description("jobs cancelled").register(registry);
        this.uploadBytes = DistributionSummary.builder("shears.upload.bytes").baseUnit("bytes")
                .description("size of accepted model and dataset uploads").register(registry);
        Gauge.builder("shears.jobs.queue.depth", jobs, r -> r.countInState(JobState.QUEUED))
                .description("jobs waiting for a worker").register(registry);
    }

    public void submitted() {
        submitted.increment();
    }

    public void finished(JobState state) {
        switch (state) {
            case SUCCEEDED -> succeeded.increment();
            case FAILED -> failed.increment();
            case CANCELLED -> cancelled.increment();
            default -> throw new IllegalArgumentException("not a terminal state: " + state);
        }
    }

    public void uploaded(long bytes) {
        uploadBytes.record(bytes);
    }

    public void stage(Stage stage, Duration took) {
        Timer.builder("shears.job.stage.duration").tag("stage", stage.name()).description("time per job stage")
                .register(registry).record(took);
    }
}
