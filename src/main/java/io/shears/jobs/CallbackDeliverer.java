package io.shears.jobs;

import io.shears.config.ShearsProperties;
import io.shears.tenancy.ApiKeys;
import org.jobrunr.jobs.annotations.Job;
import org.jobrunr.jobs.lambdas.JobRequestHandler;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One try of a callback, run by JobRunr: a signed POST of the stored body. A 2xx answer delivers it; anything else
 * records the try and schedules the next one on the back-off schedule, as a JobRunr job of its own, so a retry
 * survives a restart of every process.
 */
@Component
public class CallbackDeliverer implements JobRequestHandler<DeliverCallback> {
    private static final Logger log = LoggerFactory.getLogger(CallbackDeliverer.class);
    private static final int MAX_ERROR = 500;

    private final CallbackDeliveries deliveries;
    private final JobCallbacks callbacks;
    private final ApiKeys keys;
    private final JobRequestScheduler scheduler;
    private final CallbackSchedule schedule;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public CallbackDeliverer(CallbackDeliveries deliveries, JobCallbacks callbacks, ApiKeys keys,
                             JobRequestScheduler scheduler, ShearsProperties properties) {
        this.deliveries = deliveries;
        this.callbacks = callbacks;
        this.keys = keys;
        this.scheduler = scheduler;
        this.schedule = CallbackSchedule.of(properties.callbacks());
    }

    @Override
    @Job(name = "Shears callback", retries = 3)
    public void run(DeliverCallback request) {
        Optional<CallbackDeliveries.Stored> found = deliveries.find(request.getDeliveryId());
        if (found.isEmpty() || found.get().delivery().state() != CallbackDelivery.State.PENDING
                || found.get().delivery().attempts() != request.getAttemptsBefore()) {
            return;
        }
        CallbackDeliveries.Stored stored = found.get();
        MDC.put("jobId", stored.jobId());
        try {
            attempt(stored);
        } finally {
            MDC.remove("jobId");
        }
    }

    private void attempt(CallbackDeliveries.Stored stored) {
        CallbackDelivery delivery = stored.delivery();
        int attempt = delivery.attempts() + 1;
        Integer status = null;
        String error = null;
        if (!callbacks.allowed(delivery.url())) {
            error = "the host is no longer on shears.callbacks.allowed-hosts";
        } else {
            try {
                status = post(stored);
                if (status / 100 != 2) {
                    error = "answered " + status;
                }
            } catch (IOException e) {
                // The exception's simple name says what happened (ConnectException, HttpTimeoutException) without
                // showing the service's class names in the job's view.
                error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error = "interrupted";
            }
        }
        Instant now = Instant.now();
        CallbackDeliveries.Outcome outcome;
        if (error == null) {
            outcome = new CallbackDeliveries.Outcome(CallbackDelivery.State.DELIVERED, status, null, now, null);
        } else {
            Optional<Duration> wait = callbacks.allowed(delivery.url()) ? schedule.delayAfter(attempt)
                    : Optional.empty();
            outcome = new CallbackDeliveries.Outcome(
                    wait.isPresent() ? CallbackDelivery.State.PENDING : CallbackDelivery.State.GAVE_UP, status,
                    truncated(error), now, wait.map(now::plus).orElse(null));
        }
        if (!deliveries.recordAttempt(delivery.id(), delivery.attempts(), outcome)) {
            return;
        }
        switch (outcome.state()) {
            case DELIVERED -> log.info("Callback {} to {} delivered (attempt {})", delivery.id(), delivery.url(),
                    attempt);
            case GAVE_UP -> log.warn("Callback {} to {} given up after attempt {}: {}", delivery.id(),
                    delivery.url(), attempt, error);
            case PENDING -> {
                log.warn("Callback {} to {} failed (attempt {}): {}; next try at {}", delivery.id(), delivery.url(),
                        attempt, error, outcome.nextAttemptAt());
                DeliverCallback next = new DeliverCallback(delivery.id(), attempt);
                scheduler.schedule(next.jobRunrId(), outcome.nextAttemptAt(), next);
            }
        }
    }

    private int post(CallbackDeliveries.Stored stored) throws IOException, InterruptedException {
        byte[] body = stored.body().getBytes(StandardCharsets.UTF_8);
        long timestamp = Instant.now().getEpochSecond();
        String id = stored.delivery().id();
        HttpRequest request = HttpRequest.newBuilder(URI.create(stored.delivery().url()))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header(WebhookSignature.ID_HEADER, id)
                .header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
                .header(WebhookSignature.SIGNATURE_HEADER,
                        WebhookSignature.sign(keys.callbackSecret(stored.tenantId()), id, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String truncated(String error) {
        return error.length() <= MAX_ERROR ? error : error.substring(0, MAX_ERROR);
    }
}
