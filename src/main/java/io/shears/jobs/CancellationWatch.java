package io.shears.jobs;

import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Interrupts a running job's thread once its client asks to cancel it, wherever the request arrived. A stage that
 * reports progress notices a cancel at its next report; this reaches the stages that report rarely (an ONNX Runtime
 * check, a latency benchmark) without asking JobRunr to delete a job that is still processing, which JobRunr then
 * logs as a failed state change.
 */
@Component
class CancellationWatch implements AutoCloseable {
    /** Well under the second a cancel may take to stop the job; one primary-key read each time. */
    static final Duration INTERVAL = Duration.ofMillis(250);

    private final JobRepository jobs;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "shears-cancel-watch");
        t.setDaemon(true);
        return t;
    });

    CancellationWatch(JobRepository jobs) {
        this.jobs = jobs;
    }

    /**
     * Watches the job until the returned handle is closed, on the same thread: that thread is the one interrupted, and
     * closing clears an interrupt the watch made, so that what the worker does next (its database writes) runs
     * uninterrupted. An interrupt from anyone else (a shutdown) stays.
     *
     * <p>Once the job is cancelled, the thread is interrupted again at every check that finds its flag clear: a
     * library on the stage's path may take the interrupt and drop it. H2 does, in every commit on the worker's
     * thread (its file store waits for its serialization thread and ignores {@link InterruptedException}), so a
     * single interrupt that landed in a progress write was lost, and a stage that reports rarely ran on.
     */
    Handle watch(String jobId) {
        Handle handle = new Handle(Thread.currentThread());
        handle.check = timer.scheduleWithFixedDelay(() -> {
            if (handle.needsInterrupt() && (handle.interrupted || jobs.cancelRequested(jobId))) {
                handle.interrupt();
            }
        }, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return handle;
    }

    static final class Handle implements AutoCloseable {
        private final Thread worker;
        private ScheduledFuture<?> check;
        private boolean closed;
        private volatile boolean interrupted;

        private Handle(Thread worker) {
            this.worker = worker;
        }

        private synchronized boolean needsInterrupt() {
            return !closed && !worker.isInterrupted();
        }

        private synchronized void interrupt() {
            if (!closed) {
                interrupted = true;
                worker.interrupt();
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            check.cancel(false);
            if (interrupted) {
                Thread.interrupted();
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
