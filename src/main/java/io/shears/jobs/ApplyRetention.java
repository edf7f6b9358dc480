package io.shears.jobs;

import org.jobrunr.jobs.lambdas.JobRequest;

/** What JobRunr runs on its recurring schedule: one application of {@code shears.retention.*}. */
public class ApplyRetention implements JobRequest {
    @Override
    public Class<RetentionSchedule> getJobRequestHandler() {
        return RetentionSchedule.class;
    }
}
