package io.shears.api;

import io.shears.jobs.JobEvents;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.time.Duration;

/**
 * A job's events as Server-Sent Events: one event named {@code job} per change, with the event's number in the job's
 * log as its {@code id} (what a client sends back as {@code Last-Event-ID}), and the end after a terminal state.
 */
final class JobEventStream implements JobEvents.Listener {
    static final Duration TIMEOUT = Duration.ofHours(1);

    private final SseEmitter emitter = new SseEmitter(TIMEOUT.toMillis());

    SseEmitter emitter() {
        return emitter;
    }

    @Override
    public void onEnd(Runnable unsubscribe) {
        emitter.onCompletion(unsubscribe);
        emitter.onTimeout(unsubscribe);
        emitter.onError(e -> unsubscribe.run());
    }

    @Override
    public void send(long id, JobEvents.JobEvent event) throws IOException {
        emitter.send(SseEmitter.event().name("job").id(Long.toString(id)).data(event));
    }

    @Override
    public void complete() {
        emitter.complete();
    }

    @Override
    public void fail(Exception e) {
        emitter.completeWithError(e);
    }
}
