package io.shears.service;

import io.shears.cli.ExitCodes;
import io.shears.cli.ShearsCli;
import io.shears.testing.AwsTestCredentials;
import io.shears.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import tools.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import static io.shears.service.ServiceTestSupport.assertJobError;
import static io.shears.service.ServiceTestSupport.assertProblem;
import static io.shears.service.ServiceTestSupport.sha256;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Models and datasets given by URI, job outputs written to an S3 prefix, and downloads by presigned URL, against
 * S3Proxy. The service keeps its blobs in one bucket of the same server and imports take that server from the store's
 * settings, as a deployment with one S3 would.
 */
class S3ImportServiceTest {
    static final String STORE = "shears-store";
    static final String INPUTS = "pipeline-inputs";
    static final String RESULTS = "pipeline-results";
    static final Duration TIMEOUT = Duration.ofSeconds(300);

    static S3ProxyServer s3;
    static AwsTestCredentials.Installed credentials;
    static InProcessService service;
    static ApiClient api;
    static int closedPort;

    @TempDir
    static Path data;

    @BeforeAll
    static void start() throws Exception {
        credentials = AwsTestCredentials.install();
        s3 = S3ProxyServer.start();
        for (String bucket : new String[] {STORE, INPUTS, RESULTS}) {
            s3.createBucket(bucket);
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        service = InProcessService.start(data, "--shears.artifacts.type=s3",
                "--shears.artifacts.s3.endpoint=" + s3.endpoint(), "--shears.artifacts.s3.bucket=" + STORE,
                "--shears.artifacts.s3.path-style=true", "--shears.artifacts.s3.presign=true",
                "--shears.uploads.max-model-bytes=8MB", "--shears.import.allowed-hosts=127.0.0.1",
                "--shears.import.timeout=5s", "--shears.jobs.max-attempts=1");
        api = service.admin();
    }

    @AfterAll
    static void stop() throws Exception {
        try (AwsTestCredentials.Installed c = credentials; S3ProxyServer s = s3) {
            if (service != null) {
                service.close();
            }
        }
    }

    static void put(String bucket, String key, byte[] content) {
        try (S3Client client = s3.client()) {
            client.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(content));
        }
    }

    static ApiClient.Reply importUri(String path, Object body) {
        return api.postJson(path, body);
    }

    @Test
    void aModelGivenByS3UriIsPrunedAndItsArtifactsAppearUnderTheJobsOutputPrefix() throws Exception {
        byte[] resnet = ServiceFixtures.resnet18();
        put(INPUTS, "models/resnet18.onnx", resnet);
        var imported = importUri("/v1/models", Map.of("uri", "s3://" + INPUTS + "/models/resnet18.onnx"));
        assertThat(imported.status()).as(imported.toString()).isEqualTo(201);
        assertThat(imported.json().get("sha256").asString()).isEqualTo(sha256(resnet));
        assertThat(imported.json().get("name").asString()).isEqualTo("resnet18.onnx");
        assertThat(imported.json().get("macs").asLong()).isPositive();
        String model = imported.json().get("id").asString();

        var submitted = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.75),
                "output", Map.of("uri", "s3://" + RESULTS + "/runs/first")));
        assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
        JsonNode done = JobPolling.terminal(api, submitted.json().get("id").asString(), TIMEOUT);
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");

        Map<String, JsonNode> artifacts = ServiceTestSupport.byName(done.get("result").get("artifacts"));
        Map<String, Long> written = new TreeMap<>();
        try (S3Client client = s3.client()) {
            for (S3Object o : client.listObjectsV2(r -> r.bucket(RESULTS).prefix("runs/first/")).contents()) {
                written.put(o.key(), o.size());
            }
            assertThat(written.keySet()).containsExactlyInAnyOrderElementsOf(artifacts.keySet().stream()
                    .map(name -> "runs/first/" + name).toList());
            for (Map.Entry<String, JsonNode> a : artifacts.entrySet()) {
                byte[] there = client.getObjectAsBytes(r -> r.bucket(RESULTS).key("runs/first/" + a.getKey()))
                        .asByteArray();
                assertThat(sha256(there)).as(a.getKey()).isEqualTo(a.getValue().get("sha256").asString());
            }
        }
        assertThat(artifacts).containsKeys("model.onnx", "report.json", "report.html");

        // The store presigns downloads: the API redirects, and the URL serves the bytes without the API key.
        JsonNode onnx = artifacts.get("model.onnx");
        var redirect = api.get(onnx.get("url").asString());
        assertThat(redirect.status()).as(redirect.toString()).isEqualTo(307);
        assertThat(redirect.header("ETag")).isEqualTo("\"" + onnx.get("sha256").asString() + "\"");
        assertThat(redirect.header("Cache-Control")).contains("no-store");
        URI location = URI.create(redirect.header("Location"));
        assertThat(location.getPort()).isEqualTo(s3.endpoint().getPort());
        HttpResponse<byte[]> direct = HttpClient.newHttpClient().send(HttpRequest.newBuilder(location).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(direct.statusCode()).isEqualTo(200);
        assertThat(sha256(direct.body())).isEqualTo(onnx.get("sha256").asString());
        assertThat(direct.headers().firstValue("Content-Disposition").orElse("")).contains("model.onnx");
        var head = api.send(api.request(onnx.get("url").asString()).method("HEAD",
                HttpRequest.BodyPublishers.noBody()));
        assertThat(head.status()).as("HEAD is answered by the API").isEqualTo(200);
    }

    @Test
    void theSubmitCommandPrunesAnS3ModelAndDownloadsItsArtifactsThroughPresignedUrls(@TempDir Path out)
            throws Exception {
        byte[] model = ServiceFixtures.smallCnn();
        put(INPUTS, "models/small-for-cli.onnx", model);
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        int exit = ShearsCli.run(new PrintWriter(stdout), new PrintWriter(stderr), "submit",
                "--server", "http://localhost:" + service.port(), "--key", ServiceTestSupport.ADMIN_KEY,
                "s3://" + INPUTS + "/models/small-for-cli.onnx", "--target-fraction", "0.75",
                "--output-uri", "s3://" + RESULTS + "/cli/", "--out", out.toString());
        assertThat(exit).as(stdout + "\n" + stderr).isEqualTo(ExitCodes.OK);
        assertThat(stdout.toString()).contains("(small-for-cli.onnx, ").contains(": SUCCEEDED");
        try (S3Client client = s3.client()) {
            for (String name : new String[] {"model.onnx", "report.json", "report.html"}) {
                byte[] there = client.getObjectAsBytes(r -> r.bucket(RESULTS).key("cli/" + name)).asByteArray();
                assertThat(java.nio.file.Files.readAllBytes(out.resolve(name))).as(name).isEqualTo(there);
            }
        }
    }

    @Test
    void anOutputThatCannotBeWrittenFailsTheJobAndAnOutputThatIsNotS3IsRefused() {
        String model = upload(ServiceFixtures.smallCnn());
        var refused = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.9),
                "output", Map.of("uri", "https://example.com/results/")));
        assertProblem(refused, 422, "INVALID_FIELD");
        assertThat(refused.json().get("field").asString()).isEqualTo("output.uri");

        var submitted = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.9),
                "output", Map.of("uri", "s3://no-such-results-bucket/runs/")));
        assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
        JsonNode done = JobPolling.terminal(api, submitted.json().get("id").asString(), TIMEOUT);
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("FAILED");
        assertJobError(done, "OUTPUT_WRITE_FAILED");
        assertThat(done.path("error").path("message").asString()).contains("no-such-results-bucket");
    }

    @Test
    void aDatasetGivenByS3UriIsCheckedLikeAnUpload(@TempDir Path tmp) {
        put(INPUTS, "datasets/bands.zip", ServiceFixtures.idxDataset(tmp, 4, 20, 1));
        var imported = importUri("/v1/datasets", Map.of("uri", "s3://" + INPUTS + "/datasets/bands.zip",
                "name", "bands"));
        assertThat(imported.status()).as(imported.toString()).isEqualTo(201);
        assertThat(imported.json().get("name").asString()).isEqualTo("bands");
        assertThat(imported.json().get("format").asString()).isEqualTo("idx");
        assertThat(imported.json().get("classes").size()).isEqualTo(4);

        put(INPUTS, "datasets/slip.zip", ServiceFixtures.zipSlip());
        assertProblem(importUri("/v1/datasets", Map.of("uri", "s3://" + INPUTS + "/datasets/slip.zip")), 422,
                "DATASET_UNSAFE_PATH");
    }

    @Test
    void anImportedModelIsCheckedLikeAnUpload() {
        byte[] resnet = ServiceFixtures.resnet18();
        put(INPUTS, "models/truncated.onnx", Arrays.copyOf(resnet, resnet.length / 3));
        assertProblem(importUri("/v1/models", Map.of("uri", "s3://" + INPUTS + "/models/truncated.onnx")), 400,
                "MODEL_UNPARSEABLE");
        put(INPUTS, "models/huge.onnx", new byte[9 << 20]);
        assertProblem(importUri("/v1/models", Map.of("uri", "s3://" + INPUTS + "/models/huge.onnx")), 413,
                "UPLOAD_TOO_LARGE");
        put(INPUTS, "models/empty.onnx", new byte[0]);
        assertProblem(importUri("/v1/models", Map.of("uri", "s3://" + INPUTS + "/models/empty.onnx")), 422,
                "UPLOAD_EMPTY");
    }

    @Test
    void aUriShearsWillNotOrCannotFetchIsRefusedWithItsCode() {
        assertProblem(importUri("/v1/models", Map.of("uri", "s3://" + INPUTS + "/models/absent.onnx")), 422,
                "URI_OBJECT_NOT_FOUND");
        assertProblem(importUri("/v1/models", Map.of("uri", "s3://no-such-input-bucket/m.onnx")), 422,
                "URI_OBJECT_NOT_FOUND");
        String stored = upload(ServiceFixtures.smallCnn());
        String sha256 = api.get("/v1/models/" + stored).json().get("sha256").asString();
        var ownBucket = importUri("/v1/models", Map.of("uri", "s3://" + STORE + "/sha256/" + sha256.substring(0, 2)
                + "/" + sha256));
        assertProblem(ownBucket, 422, "URI_ACCESS_DENIED");
        assertThat(ownBucket.json().get("detail").asString()).contains("own artifacts");
        assertProblem(importUri("/v1/models", Map.of("uri", "http://127.0.0.1:" + closedPort + "/m.onnx")), 422,
                "URI_SCHEME_NOT_ALLOWED");
        assertProblem(importUri("/v1/datasets", Map.of("uri", "file:///etc/passwd")), 422,
                "URI_SCHEME_NOT_ALLOWED");
        assertProblem(importUri("/v1/models", Map.of("uri", "https://models.example.com/m.onnx")), 422,
                "URI_HOST_NOT_ALLOWED");
        assertProblem(importUri("/v1/models", Map.of("uri", "s3://" + INPUTS + "/")), 422, "URI_INVALID");
        assertProblem(importUri("/v1/models", Map.of("uri", "s3://UPPER_case/m.onnx")), 422, "URI_INVALID");
        assertProblem(importUri("/v1/models", Map.of("name", "no uri")), 422, "URI_INVALID");
        assertProblem(importUri("/v1/models", Map.of("uri", "https://127.0.0.1:" + closedPort + "/m.onnx")), 502,
                "URI_UNREACHABLE");
    }

    @Test
    void aPresignedDownloadKeepsRangeAndConditionalRequests() throws Exception {
        byte[] model = ServiceFixtures.smallCnn();
        String id = upload(model);
        var notModified = api.get("/v1/models/" + id + "/content", "If-None-Match", "\"" + sha256(model) + "\"");
        assertThat(notModified.status()).as("a matching ETag is a 304, not a redirect").isEqualTo(304);
        var redirect = api.get("/v1/models/" + id + "/content");
        assertThat(redirect.status()).isEqualTo(307);
        HttpResponse<byte[]> range = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(redirect.header("Location"))).header("Range", "bytes=0-9").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOf(model, 10));
    }

    static String upload(byte[] model) {
        var r = api.postBytes("/v1/models", model, "application/octet-stream");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asString();
    }
}
