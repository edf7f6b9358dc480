package io.shears.jobs;

import io.shears.pipeline.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Server-Sent Events of jobs' state, stage and progress. The job's record is the source, polled for all open
 * streams in one query, so a stream sees a job change whichever process runs it.
 */
@Component
public class JobEvents {
    static final Duration STREAM_TIMEOUT = Duration.ofHours(1);
    private static final Logger log = LoggerFactory.getLogger(JobEvents.class);

    /** What a stream sends; one event per change. */
    public record JobEvent(String id, JobState state, Stage stage, double progress, String errorCode) {
    }

    private record Subscription(String tenant, SseEmitter emitter, JobEvent[] last) {
    }

    private final JobRepository jobs;
    private final Map<String, List<Subscription>> subscriptions = new ConcurrentHashMap<>();

    public JobEvents(JobRepository jobs) {
        this.jobs = jobs;
    }

    /** A stream of the job's changes; it sends the current state at once and ends after a terminal state. */
    public SseEmitter subscribe(JobView job, String tenant) {
        SseEmitter emitter = new SseEmitter(STREAM_TIMEOUT.toMillis());
        Subscription s = new Subscription(tenant, emitter, new JobEvent[1]);
        subscriptions.computeIfAbsent(job.id(), k -> new CopyOnWriteArrayList<>()).add(s);
        Runnable remove = () -> subscriptions.computeIfPresent(job.id(), (k, list) -> {
            list.remove(s);
            return list.isEmpty() ? null : list;
        });
        emitter.onCompletion(remove);
        emitter.onTimeout(remove);
        emitter.onError(e -> remove.run());
        jobs.find(tenant, job.id()).ifPresent(row -> deliver(s, row));
        return emitter;
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
                s.emitter().send(SseEmitter.event().name("job").id(Long.toString(System.nanoTime())).data(event));
                if (row.state().terminal()) {
                    s.emitter().complete();
                }
            } catch (IOException | IllegalStateException e) {
                log.debug("Job {}: event stream closed: {}", row.id(), e.toString());
                s.emitter().completeWithError(e);
            }
        }
    }
}
