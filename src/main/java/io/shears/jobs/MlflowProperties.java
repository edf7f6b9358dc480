package io.shears.jobs;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.net.URI;
import java.time.Duration;

/**
 * An MLflow tracking server that hears of every finished job ({@code shears.mlflow.*}); off while {@code uri} is
 * empty.
 *
 * @param uri        the tracking server's base URL, e.g. {@code http://mlflow:5000}
 * @param experiment the experiment the runs go to; created when it does not exist
 * @param token      sent as {@code Authorization: Bearer <token>} when set (MLflow's {@code MLFLOW_TRACKING_TOKEN})
 * @param timeout    for each request to the server
 */
@ConfigurationProperties("shears.mlflow")
public record MlflowProperties(String uri, String experiment, String token, Duration timeout) {
    public MlflowProperties {
        uri = uri == null || uri.isBlank() ? null : uri.strip().replaceAll("/+$", "");
        experiment = experiment == null || experiment.isBlank() ? "shears" : experiment;
        token = token == null || token.isBlank() ? null : token;
        timeout = timeout == null || timeout.isZero() || timeout.isNegative() ? Duration.ofSeconds(10) : timeout;
        if (uri != null) {
            String scheme = URI.create(uri).getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                throw new IllegalArgumentException("shears.mlflow.uri must be an http or https URL, is '" + uri + "'");
            }
        }
    }

    public boolean enabled() {
        return uri != null;
    }
}
