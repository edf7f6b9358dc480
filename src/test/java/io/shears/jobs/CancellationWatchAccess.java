package io.shears.jobs;

import org.springframework.context.ApplicationContext;

/** Lets service tests watch a job with the running service's {@link CancellationWatch}. */
public final class CancellationWatchAccess {
    private CancellationWatchAccess() {
    }

    public static AutoCloseable watch(ApplicationContext context, String jobId) {
        return context.getBean(CancellationWatch.class).watch(jobId);
    }
}
