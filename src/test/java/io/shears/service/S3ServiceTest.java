package io.shears.service;

import io.shears.testing.AwsTestCredentials;
import io.shears.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The service end to end with {@code shears.artifacts.type=s3} against S3Proxy: uploads, the worker's downloads and
 * the published artifacts all go through the bucket, and nothing lands in the filesystem store.
 */
class S3ServiceTest {
    static final String BUCKET = "shears-e2e";
    static final Duration TIMEOUT = Duration.ofSeconds(300);

    static S3ProxyServer server;
    static AwsTestCredentials.Installed credentials;

    @TempDir
    Path data;

    @BeforeAll
    static void startS3() throws Exception {
        credentials = AwsTestCredentials.install();
        server = S3ProxyServer.start();
        server.createBucket(BUCKET);
    }

    @AfterAll
    static void stopS3() throws Exception {
        try (AwsTestCredentials.Installed c = credentials; S3ProxyServer s = server) {
            // closes both, the server first
        }
    }

    String[] s3Arguments(String bucket) {
        return new String[] {"--shears.artifacts.type=s3", "--shears.artifacts.s3.endpoint=" + server.endpoint(),
                "--shears.artifacts.s3.bucket=" + bucket, "--shears.artifacts.s3.path-style=true",
                "--shears.artifacts.s3.prefix=e2e"};
    }

    @Test
    void aJobReadsItsModelFromS3AndPublishesItsArtifactsThere() throws Exception {
        byte[] resnet = ServiceFixtures.resnet18();
        try (InProcessService service = InProcessService.start(data, s3Arguments(BUCKET))) {
            ApiClient api = service.admin();
            var uploaded = api.postBytes("/v1/models", resnet, "application/octet-stream");
            assertThat(uploaded.status()).as(uploaded.toString()).isEqualTo(201);
            String model = uploaded.json().get("id").asString();
            assertThat(api.get("/v1/models/" + model + "/content").body()).isEqualTo(resnet);
            new RangeChecks(service.port(), ServiceTestSupport.ADMIN_KEY, "/v1/models/" + model + "/content", resnet,
                    "application/octet-stream").all();

            var submitted = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.9)));
            assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
            JsonNode done = JobPolling.terminal(api, submitted.json().get("id").asString(), TIMEOUT);
            assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");

            JsonNode onnx = ServiceTestSupport.byName(done.get("result").get("artifacts")).get("model.onnx");
            String sha256 = onnx.get("sha256").asString();
            byte[] pruned = api.get(onnx.get("url").asString()).body();
            assertThat(pruned).hasSize(onnx.get("bytes").asInt());
            assertThat(ServiceTestSupport.sha256(pruned)).isEqualTo(sha256);
            new RangeChecks(service.port(), ServiceTestSupport.ADMIN_KEY, onnx.get("url").asString(), pruned,
                    "application/octet-stream").all();

            try (S3Client s3 = server.client()) {
                String key = "e2e/sha256/" + sha256.substring(0, 2) + "/" + sha256;
                assertThat(s3.headObject(r -> r.bucket(BUCKET).key(key)).contentLength()).isEqualTo(pruned.length);
            }
        }
        assertThat(Files.exists(data.resolve("artifacts").resolve("sha256")))
                .as("the filesystem store is not used").isFalse();
    }

    @Test
    void aMissingBucketStopsTheServiceAtStartAndSaysWhich() {
        // Spring wraps the store's refusal in bean-creation exceptions, and the refusal keeps the SDK's as its cause.
        assertThatThrownBy(() -> InProcessService.start(data, s3Arguments("no-such-bucket")).close())
                .hasStackTraceContaining("the S3 bucket 'no-such-bucket' at " + server.endpoint() + " does not exist");
    }

    @Test
    void s3WithoutABucketStopsTheServiceAtStart() {
        assertThatThrownBy(() -> InProcessService.start(data, "--shears.artifacts.type=s3").close())
                .rootCause()
                .hasMessageContaining("shears.artifacts.s3.bucket");
    }
}
