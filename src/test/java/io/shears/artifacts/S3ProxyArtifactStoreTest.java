package io.shears.artifacts;

import io.shears.testing.AwsTestCredentials;
import io.shears.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;

/** The S3 store against S3Proxy in this JVM, over real HTTP: runs everywhere, no Docker needed. */
class S3ProxyArtifactStoreTest extends S3ArtifactStoreContract {
    static final String BUCKET = "shears-artifacts";

    static S3ProxyServer server;
    static AwsTestCredentials.Installed credentials;

    @BeforeAll
    static void startServer() throws Exception {
        credentials = AwsTestCredentials.install();
        server = S3ProxyServer.start();
        server.createBucket(BUCKET);
    }

    @AfterAll
    static void stopServer() throws Exception {
        try (AwsTestCredentials.Installed c = credentials; S3ProxyServer s = server) {
            // closes both, the server first
        }
    }

    @Override
    URI endpoint() {
        return server.endpoint();
    }

    @Override
    String bucket() {
        return BUCKET;
    }

    @Override
    S3Client rawClient() {
        return server.client();
    }
}
