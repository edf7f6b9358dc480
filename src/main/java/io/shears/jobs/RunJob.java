package io.shears.jobs;

import org.jobrunr.jobs.lambdas.JobRequest;

/** What JobRunr queues: just the job's id; everything else is in the job's own record. */
public class RunJob implements JobRequest {
    private String jobId;

    /** For JobRunr's JSON mapper. */
    public RunJob() {
    }

    public RunJob(String jobId) {
        this.jobId = jobId;
    }

    public String getJobId() {
        return jobId;
    }

    @Override
    public Class<JobWorker> getJobRequestHandler() {
        return JobWorker.class;
    }
}
