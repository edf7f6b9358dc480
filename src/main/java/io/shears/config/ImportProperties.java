package io.shears.config;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.List;

/**
 * Models and datasets fetched by URI ({@code shears.import.*}), and the S3 server that imports and job outputs talk
 * to.
 *
 * @param allowedHosts hosts an {@code https://} URI may name; empty (the default) allows none. {@code s3://} URIs go
 *                     to the configured S3 server whatever their bucket.
 * @param s3           the S3 server; a setting left empty takes the artifact store's ({@code shears.artifacts.s3.*})
 * @param timeout      to connect, and to wait for an answer's headers
 */
@ConfigurationProperties("shears.import")
public record ImportProperties(List<String> allowedHosts, S3Endpoint s3, Duration timeout) {
    public ImportProperties {
        allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
        s3 = s3 == null ? new S3Endpoint(null, null, null) : s3;
        timeout = timeout == null ? Duration.ofSeconds(30) : timeout;
    }

    /**
     * @param endpoint  empty for AWS (or the artifact store's endpoint); the URL of MinIO or another compatible server
     * @param pathStyle {@code bucket} in the path rather than the host name, as MinIO needs
     */
    public record S3Endpoint(String endpoint, String region, Boolean pathStyle) {
    }
}
