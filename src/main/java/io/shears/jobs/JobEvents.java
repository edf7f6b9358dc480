package io.shears.jobs;

import io.shears.pipeline.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Streams of jobs' state, stage and progress, which the API serves as Server-Sent Events. The job's record is the
 * source, polled for all open streams in one query, so a stream sees a job change whichever process runs it.
 */
@Component
public class JobEvents {
    private static final Logger log = LoggerFactory.getLogger(JobEvents.class);

    /** What a stream sends; one event per change. */
    public record JobEvent(String id, JobState state, Stage stage, double progress, String errorCode) {
    }

    /** Where a stream's events go. */
    public interface Listener {
        /** Takes {@code unsubscribe}, to run when the listener's stream ends for its own reasons. */
        void onEnd(Runnable unsubscribe);

        /** One event; an {@link IOException} or {@link IllegalStateException} means the stream is gone. */
        void send(JobEvent event) throws IOException;

        /** The job reached a terminal state, so no event follows. */
        void complete();

        /** Sending failed; the stream ends. */
        void fail(Exception e);
    }

    private record Subscription(String tenant, Listener listener, JobEvent[] last) {
    }

    private final JobRepository jobs;
    private final Map<String, List<Subscription>> subscriptions = new ConcurrentHashMap<>();

    public JobEvents(JobRepository jobs) {
        this.jobs = jobs;
    }

    /** Streams the job's changes to {@code listener}: the current state at once, the end after a terminal state. */
    public void subscribe(JobView job, String tenant, Listener listener) {
        Subscription s = new Subscription(tenant, listener, new JobEvent[1]);
        subscriptions.computeIfAbsent(job.id(), k -> new CopyOnWriteArrayList<>()).add(s);
        listener.onEnd(() -> subscriptions.computeIfPresent(job.id(), (k, list) -> {
            list.remove(s);
            return list.isEmpty() ? null : list;
        }));
        jobs.find(tenant, job.id()).ifPresent(row -> deliver(s, row));
    }

    /**
     * Sends a job's change to its streams at once, so that a stream in the process running the job sees every stage
     * however short; streams in other processes see it at their next poll.
     */
    void changed(String jobId) {
        if (!subscriptions.containsKey(jobId)) {
            return;
        }
        jobs.find(jobId).ifPresent(row -> subscriptions.getOrDefault(jobId, List.of()).forEach(s -> deliver(s, row)));
    }

    @Scheduled(fixedDelay = 250)
    void poll() {
        if (subscriptions.isEmpty()) {
            return;
        }
        for (JobRow row : jobs.findAll(List.copyOf(subscriptions.keySet()))) {
            for (Subscription s : subscriptions.getOrDefault(row.id(), List.of())) {
                deliver(s, row);
            }
        }
    }

    private void deliver(Subscription s, JobRow row) {
        if (!row.tenantId().equals(s.tenant())) {
            return;
        }
        JobEvent event = new JobEvent(row.id(), row.state(), row.stage(), row.progress(), row.errorCode());
        synchronized (s) {
            if (Objects.equals(s.last()[0], event)) {
                return;
            }
            s.last()[0] = event;
            try {
                s.listener().send(event);
                if (row.state().terminal()) {
                    s.listener().complete();
                }
            } catch (IOException | IllegalStateException e) {
                log.debug("Job {}: event stream closed: {}", row.id(), e.toString());
                s.listener().fail(e);
            }
        }
    }
}
