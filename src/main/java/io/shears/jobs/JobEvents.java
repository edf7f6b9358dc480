package io.shears.jobs;

import io.shears.pipeline.Stage;
import io.shears.pipeline.TrainingFigures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Streams of jobs' events, which the API serves as Server-Sent Events. Every change of a job's state, stage,
 * progress or training figures is appended to the job's {@link JobEventLog}, numbered; a stream sends the log from
 * where its client left off, so a client that reconnects with the last id it saw misses nothing. The worker appends
 * as it reports; open streams also compare the job's record with its last event (in one poll for all of them), so a
 * change made by any process (a cancel, a start) becomes an event too.
 */
@Component
public class JobEvents {
    private static final Logger log = LoggerFactory.getLogger(JobEvents.class);
    private static final int APPEND_TRIES = 5;

    /**
     * What a stream sends. The training figures ({@code epoch}, {@code step}, {@code trainLoss},
     * {@code valAccuracy}, {@code trainFlops}) are null until the job fine-tunes, and then keep their latest values;
     * {@code valAccuracy} is the validation top-1 after the latest finished epoch.
     */
    public record JobEvent(String id, JobState state, Stage stage, double progress, String errorCode,
                           Integer epoch, Long step, Double trainLoss, Double valAccuracy, Long trainFlops) {

        static JobEvent of(JobRow row, TrainingFigures figures) {
            if (figures == null) {
                return new JobEvent(row.id(), row.state(), row.stage(), row.progress(), row.errorCode(), null, null,
                        null, null, null);
            }
            return new JobEvent(row.id(), row.state(), row.stage(), row.progress(), row.errorCode(),
                    figures.epoch(), figures.step(), Double.isFinite(figures.trainLoss()) ? figures.trainLoss() : null,
                    figures.valAccuracy(), figures.trainFlops());
        }

        /** This event's state with {@code earlier}'s training figures, when it has none of its own. */
        JobEvent withFiguresOf(JobEvent earlier) {
            if (epoch != null || earlier == null || earlier.epoch() == null) {
                return this;
            }
            return new JobEvent(id, state, stage, progress, errorCode, earlier.epoch(), earlier.step(),
                    earlier.trainLoss(), earlier.valAccuracy(), earlier.trainFlops());
        }
    }

    /** Where a stream's events go. */
    public interface Listener {
        /** Takes {@code unsubscribe}, to run when the listener's stream ends for its own reasons. */
        void onEnd(Runnable unsubscribe);

        /** One event and its id; an {@link IOException} or {@link IllegalStateException} means the stream is gone. */
        void send(long id, JobEvent event) throws IOException;

        /** The job reached a terminal state, so no event follows. */
        void complete();

        /** Sending failed; the stream ends. */
        void fail(Exception e);
    }

    private static final class Subscription {
        final Listener listener;
        long sent;
        boolean completed;

        Subscription(Listener listener, long sent) {
            this.listener = listener;
            this.sent = sent;
        }

        void complete() {
            if (!completed) {
                completed = true;
                listener.complete();
            }
        }
    }

    private final JobRepository jobs;
    private final JobEventLog eventLog;
    private final Map<String, List<Subscription>> subscriptions = new ConcurrentHashMap<>();

    public JobEvents(JobRepository jobs, JobEventLog eventLog) {
        this.jobs = jobs;
        this.eventLog = eventLog;
    }

    /**
     * Streams the job's events to {@code listener}: those after {@code lastEventId}, or without one the latest event
     * at once; the stream ends after a terminal state.
     */
    public void subscribe(JobView job, Listener listener, Long lastEventId) {
        JobEventLog.Logged latest = record(job.id(), null);
        long from = lastEventId != null ? Math.max(0, lastEventId) : latest == null ? 0 : latest.id() - 1;
        Subscription s = new Subscription(listener, from);
        subscriptions.computeIfAbsent(job.id(), k -> new CopyOnWriteArrayList<>()).add(s);
        listener.onEnd(() -> subscriptions.computeIfPresent(job.id(), (k, list) -> {
            list.remove(s);
            return list.isEmpty() ? null : list;
        }));
        deliver(job.id(), s, latest);
    }

    /**
     * Appends the job's change to its log and sends it to the streams in this process at once, so that they see
     * every stage however short; streams in other processes see it at their next poll.
     */
    void changed(String jobId) {
        changed(jobId, null);
    }

    /** {@link #changed(String)}, with the training figures the job reports now. */
    void changed(String jobId, TrainingFigures figures) {
        JobEventLog.Logged latest = record(jobId, figures);
        subscriptions.getOrDefault(jobId, List.of()).forEach(s -> deliver(jobId, s, latest));
    }

    @Scheduled(fixedDelay = 250)
    void poll() {
        for (String jobId : List.copyOf(subscriptions.keySet())) {
            JobEventLog.Logged latest = record(jobId, null);
            subscriptions.getOrDefault(jobId, List.of()).forEach(s -> deliver(jobId, s, latest));
        }
    }

    /**
     * Appends the job's current event unless it equals the last one; returns the job's last event after that (null
     * when the job is gone).
     */
    private JobEventLog.Logged record(String jobId, TrainingFigures figures) {
        for (int tries = 0; tries < APPEND_TRIES; tries++) {
            JobRow row = jobs.find(jobId).orElse(null);
            if (row == null) {
                return null;
            }
            JobEventLog.Logged last = eventLog.last(jobId).orElse(null);
            JobEvent event = JobEvent.of(row, figures).withFiguresOf(last == null ? null : last.event());
            if (last != null && last.event().equals(event)) {
                return last;
            }
            long next = last == null ? 1 : last.id() + 1;
            if (eventLog.append(jobId, next, event)) {
                return new JobEventLog.Logged(next, event);
            }
        }
        return eventLog.last(jobId).orElse(null);
    }

    private void deliver(String jobId, Subscription s, JobEventLog.Logged latest) {
        if (latest == null) {
            return;
        }
        synchronized (s) {
            if (s.completed) {
                return;
            }
            if (latest.id() <= s.sent) {
                if (latest.event().state().terminal()) {
                    s.complete();
                }
                return;
            }
            List<JobEventLog.Logged> unsent = latest.id() == s.sent + 1 ? List.of(latest)
                    : eventLog.after(jobId, s.sent);
            try {
                for (JobEventLog.Logged e : unsent) {
                    s.listener.send(e.id(), e.event());
                    s.sent = e.id();
                    if (e.event().state().terminal()) {
                        s.complete();
                        return;
                    }
                }
            } catch (IOException | IllegalStateException e) {
                log.debug("Job {}: event stream closed: {}", jobId, e.toString());
                s.completed = true;
                s.listener.fail(e);
            }
        }
    }
}
