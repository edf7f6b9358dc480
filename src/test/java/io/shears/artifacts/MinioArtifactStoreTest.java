package io.shears.artifacts;

import io.shears.testing.AwsTestCredentials;
import io.shears.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;

/** The S3 store against a real MinIO, where a Docker engine exists; skipped where none does. */
@Testcontainers(disabledWithoutDocker = true)
class MinioArtifactStoreTest extends S3ArtifactStoreContract {
    static final String BUCKET = "shears-artifacts";

    @Container
    static final MinIOContainer MINIO = new MinIOContainer("minio/minio:RELEASE.2025-04-22T22-12-26Z")
            .withUserName(AwsTestCredentials.ACCESS_KEY)
            .withPassword(AwsTestCredentials.SECRET_KEY);

    static AwsTestCredentials.Installed credentials;

    @BeforeAll
    static void createBucket() {
        credentials = AwsTestCredentials.install();
        try (S3Client s3 = S3ProxyServer.client(URI.create(MINIO.getS3URL()))) {
            s3.createBucket(b -> b.bucket(BUCKET));
        }
    }

    @AfterAll
    static void restoreCredentials() {
        credentials.close();
    }

    @Override
    URI endpoint() {
        return URI.create(MINIO.getS3URL());
    }

    @Override
    String bucket() {
        return BUCKET;
    }

    @Override
    S3Client rawClient() {
        return S3ProxyServer.client(endpoint());
    }
}
