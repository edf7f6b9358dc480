package io.shears.artifacts;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.net.URI;
import java.time.Duration;

/**
 * How Shears talks to an S3-compatible server, one place for the artifact store, imports by URI and job outputs.
 * Credentials come from the AWS SDK's default chain (environment, system properties, web identity/IRSA, instance
 * profile), never from Shears' own settings, so no secret sits in its config.
 *
 * @param endpoint  null for AWS itself; otherwise the URL of a compatible server
 * @param pathStyle {@code bucket} in the path rather than the host name, as MinIO and S3Proxy need
 */
public record S3Clients(URI endpoint, String region, boolean pathStyle) {

    public S3Client client() {
        var builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60)))
                .region(Region.of(region))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .forcePathStyle(pathStyle)
                // The SDK's default adds CRC checksums in aws-chunked trailers, which S3-compatible servers (S3Proxy,
                // older MinIO) reject; integrity is checked with SHA-256 instead.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    /** Signs URLs offline, with the same server, region, addressing and credentials as {@link #client()}. */
    public S3Presigner presigner() {
        var builder = S3Presigner.builder()
                .region(Region.of(region))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }
}
