package io.shears.jobs;

import org.jobrunr.jobs.annotations.Job;
import org.jobrunr.jobs.lambdas.JobRequestHandler;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.time.Instant;

/**
 * Keeps JobRunr's recurring retention job in step with {@code shears.retention.*}: scheduled every
 * {@code interval} when a limit is set, removed when none is, and run by whichever worker JobRunr picks, so several
 * processes apply it once per interval between them.
 */
@Component
@EnableConfigurationProperties(RetentionProperties.class)
public class RetentionSchedule implements JobRequestHandler<ApplyRetention> {
    /** The recurring job's id in JobRunr, the same from every process. */
    public static final String RECURRING_JOB_ID = "shears-retention";
    private static final Logger log = LoggerFactory.getLogger(RetentionSchedule.class);

    private final RetentionProperties properties;
    private final JobRetention retention;
    private final JobRequestScheduler scheduler;

    RetentionSchedule(RetentionProperties properties, JobRetention retention, JobRequestScheduler scheduler) {
        this.properties = properties;
        this.retention = retention;
        this.scheduler = scheduler;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void register() {
        if (properties.enabled()) {
            scheduler.scheduleRecurrently(RECURRING_JOB_ID, properties.interval(), new ApplyRetention());
            log.info("Retention: finished jobs older than {} and past a store of {} are deleted every {}",
                    properties.maxAge() == null ? "(no age limit)" : properties.maxAge(),
                    properties.maxStoreSize() == null ? "(no size limit)" : properties.maxStoreSize(),
                    properties.interval());
        } else {
            scheduler.deleteRecurringJob(RECURRING_JOB_ID);
        }
    }

    @Override
    @Job(name = "Shears retention", retries = 2)
    public void run(ApplyRetention request) throws Exception {
        retention.apply(properties, Instant.now());
    }
}
