package io.shears.jobs;

import io.shears.config.ShearsProperties;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Tells a job's {@code callbackUrl} that the job ended: a POST of the job as JSON, signed the Standard Webhooks way
 * (see {@link WebhookSignature}). The delivery is recorded and queued as a JobRunr job ({@link CallbackDeliverer}),
 * which retries on the back-off schedule until the receiver answers 2xx. Only hosts on the allow-list are called, so
 * a job spec cannot make the service probe the internal network.
 */
@Component
public class JobCallbacks {
    private static final Logger log = LoggerFactory.getLogger(JobCallbacks.class);

    private final ShearsProperties properties;
    private final CallbackDeliveries deliveries;
    private final JobRequestScheduler queue;
    private final JsonMapper json;

    public JobCallbacks(ShearsProperties properties, CallbackDeliveries deliveries, JobRequestScheduler queue,
                        JsonMapper json) {
        this.properties = properties;
        this.deliveries = deliveries;
        this.queue = queue;
        this.json = json;
    }

    public boolean allowed(String url) {
        String host = URI.create(url).getHost();
        return host != null && properties.callbacks().allowedHosts().stream()
                .anyMatch(h -> h.equalsIgnoreCase(host.toLowerCase(Locale.ROOT)));
    }

    public void send(String tenant, String url, JobView job) {
        if (url == null) {
            return;
        }
        if (!allowed(url)) {
            log.warn("Job {}: callback to {} not sent, its host is not on shears.callbacks.allowed-hosts", job.id(),
                    url);
            return;
        }
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        deliveries.insert(id, job.id(), tenant, url, json.writeValueAsString(job), Instant.now());
        DeliverCallback first = new DeliverCallback(id, 0);
        try {
            queue.enqueue(first.jobRunrId(), first);
        } catch (RuntimeException e) {
            log.error("Job {}: callback {} could not be queued: {}", job.id(), id, e.toString());
        }
    }

    /** The job's callbacks, oldest first. */
    List<CallbackDelivery> of(String jobId) {
        return deliveries.forJob(jobId);
    }
}
