package io.shears.jobs;

import io.shears.config.ShearsProperties;
import io.shears.tenancy.ApiKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Tells a job's {@code callbackUrl} that the job ended: a POST of the job as JSON, signed with the tenant's secret
 * ({@code X-Shears-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">}). Only hosts on the allow-list
 * are called, so a job spec cannot make the service probe the internal network.
 */
@Component
public class JobCallbacks implements AutoCloseable {
    public static final String SIGNATURE_HEADER = "X-Shears-Signature";
    private static final Logger log = LoggerFactory.getLogger(JobCallbacks.class);
    private static final int ATTEMPTS = 3;

    private final ShearsProperties properties;
    private final ApiKeys keys;
    private final JsonMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "shears-callbacks");
        t.setDaemon(true);
        return t;
    });

    public JobCallbacks(ShearsProperties properties, ApiKeys keys, JsonMapper json) {
        this.properties = properties;
        this.keys = keys;
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
        byte[] body = json.writeValueAsBytes(job);
        String secret = keys.callbackSecret(tenant);
        sender.submit(() -> deliver(url, body, secret, job.id()));
    }

    private void deliver(String url, byte[] body, String secret, String jobId) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                long t = Instant.now().getEpochSecond();
                HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .header(SIGNATURE_HEADER, "t=" + t + ",v1=" + sign(secret, t, body))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 == 2) {
                    return;
                }
                log.warn("Job {}: callback to {} answered {} (attempt {})", jobId, url, status, attempt);
            } catch (Exception e) {
                log.warn("Job {}: callback to {} failed (attempt {}): {}", jobId, url, attempt, e.toString());
            }
            try {
                Thread.sleep(1000L * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The signature a receiver recomputes from the raw body and the {@code t} of the header. */
    public static String sign(String secret, long t, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
    }

    @Override
    public void close() {
        sender.shutdown();
    }
}
