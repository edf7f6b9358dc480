package io.shears.service;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.onnx.ModelMetadata;
import io.shears.testing.AwsTestCredentials;
import io.shears.testing.S3ProxyServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scale-out deployment in miniature, as separate operating-system processes of the packaged jar: one
 * {@code api} process and two {@code worker} processes sharing one PostgreSQL and one S3 endpoint (S3Proxy). A worker
 * is killed with SIGKILL in the middle of a job; the other takes the job over once JobRunr declares the dead worker
 * gone, and nothing is lost or published twice. Then a worker stopped with SIGTERM hands its job back in time.
 */
class MultiProcessIT {
    static final String KEY = ServiceTestSupport.ADMIN_KEY;
    static final Duration LONG = Duration.ofSeconds(300);
    static final Path LOGS = Path.of("target/multi-process");

    static EmbeddedPostgres postgres;
    static S3ProxyServer s3;
    static Map<String, String> environment;
    static List<String> shared;

    @BeforeAll
    static void infrastructure() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        s3 = S3ProxyServer.start();
        s3.createBucket("shears");
        environment = Map.of("AWS_ACCESS_KEY_ID", AwsTestCredentials.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", AwsTestCredentials.SECRET_KEY, "AWS_REGION", "us-east-1");
        shared = List.of(
                "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres", "--spring.datasource.password=postgres",
                "--shears.artifacts.type=s3", "--shears.artifacts.s3.endpoint=" + s3.endpoint(),
                "--shears.artifacts.s3.bucket=shears", "--shears.artifacts.s3.path-style=true",
                "--shears.security.bootstrap-key=" + KEY, "--shears.jobs.latency-runs=2",
                "--shears.jobs.latency-warmup=1", "--shears.engine.device=cpu",
                // the warm-up runs as deployed, with fewer rounds: two workers start at once on two cores
                "--shears.engine.warm-up-rounds=2",
                "--jobrunr.background-job-server.poll-interval-in-seconds=5",
                "--jobrunr.background-job-server.server-timeout-poll-interval-multiplicand=4",
                "--jobrunr.background-job-server.interrupt-jobs-await-duration-on-stop=2s");
    }

    @AfterAll
    static void stopInfrastructure() throws Exception {
        if (s3 != null) {
            s3.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aKilledWorkersJobIsFinishedByTheOtherAndNothingIsLostOrPublishedTwice() throws Exception {
        try (ShearsProcess api = start("api", "api");
             ShearsProcess first = start("worker-1", "worker");
             ShearsProcess second = start("worker-2", "worker")) {
            for (ShearsProcess p : List.of(api, first, second)) {
                p.awaitReady(LONG);
            }
            ApiClient client = api.client(KEY);
            String resnet = upload(client, "/v1/models", ServiceFixtures.resnet18(), "application/octet-stream");
            String cnn = upload(client, "/v1/models", ServiceFixtures.smallCnn(), "application/octet-stream");
            String data = upload(client, "/v1/datasets",
                    ServiceFixtures.idxDataset(Files.createTempDirectory("shears-mp"), 10, 30, 9), "application/zip");

            List<String> jobs = new ArrayList<>();
            Map<String, Map<String, Object>> specs = new HashMap<>();
            for (int i = 0; i < 20; i++) {
                Map<String, Object> spec = i % 5 == 0
                        ? Map.of("modelId", cnn, "budget", Map.of("fraction", 0.9),
                        "pruning", Map.of("scope", "channels", "roundTo", 1), "input", Map.of("channels", "rgb"),
                        "fineTune", Map.of("datasetId", data, "epochs", 4, "batchSize", 4))
                        : Map.of("modelId", resnet, "budget", Map.of("fraction", i % 2 == 0 ? 0.9 : 0.8));
                var r = client.postJson("/v1/jobs", spec);
                assertThat(r.status()).as(r.toString()).isEqualTo(202);
                jobs.add(r.json().get("id").asString());
                specs.put(jobs.get(i), spec);
            }

            // Kill worker-1 in the middle of fine-tuning.
            String victim = awaitJob(client, jobs, j -> j.get("state").asString().equals("RUNNING")
                    && "FINETUNE".equals(j.path("stage").asString())
                    && first.name().equals(j.path("worker").asString()));
            first.kill();

            Map<String, JsonNode> done = new HashMap<>();
            for (String job : jobs) {
                done.put(job, JobPolling.terminal(client, job, LONG));
            }
            Set<String> workers = new HashSet<>();
            Map<String, String> modelBySpec = new HashMap<>();
            for (String job : jobs) {
                JsonNode j = done.get(job);
                assertThat(j.get("state").asString()).as(j.toString()).isEqualTo("SUCCEEDED");
                workers.add(j.get("worker").asString());
                Map<String, JsonNode> artifacts = ServiceTestSupport.byName(j.get("result").get("artifacts"));
                assertThat(client.get("/v1/jobs/" + job + "/artifacts").json().size())
                        .as("each artifact published once").isEqualTo(artifacts.size());
                for (JsonNode a : artifacts.values()) {
                    byte[] content = client.get(a.get("url").asString()).body();
                    assertThat(ServiceTestSupport.sha256(content)).isEqualTo(a.get("sha256").asString());
                }
                // The lineage names the job, so two jobs' files differ there and only there.
                ModelProto published = ModelProto.parseFrom(
                        client.get(artifacts.get("model.onnx").get("url").asString()).body());
                assertThat(ModelMetadata.properties(published)).containsEntry("shears.job_id", job);
                String model = ServiceTestSupport.sha256(published.toBuilder().clearMetadataProps().build()
                        .toByteArray());
                String previous = modelBySpec.putIfAbsent(specs.get(job).toString(), model);
                assertThat(previous == null || previous.equals(model))
                        .as("jobs with the same spec publish the same model, but for its lineage").isTrue();
            }
            JsonNode rerun = done.get(victim);
            assertThat(rerun.get("attempts").asInt()).isEqualTo(2);
            assertThat(rerun.get("worker").asString()).isEqualTo(second.name());
            // Both workers took jobs: worker-1 the victim (at least), worker-2 the rest.
            assertThat(workers).contains(second.name());
            assertThat(jobs.stream().filter(j -> done.get(j).get("worker").asString().equals(second.name())).count())
                    .isGreaterThan(1);
        }
    }

    @Test
    void aWorkerStoppedWithSigtermHandsItsJobBackWithinTheGracePeriod() throws Exception {
        try (ShearsProcess api = start("api-2", "api");
             ShearsProcess leaving = start("worker-3", "worker")) {
            api.awaitReady(LONG);
            leaving.awaitReady(LONG);
            ApiClient client = api.client(KEY);
            String cnn = upload(client, "/v1/models", ServiceFixtures.smallCnn(), "application/octet-stream");
            String data = upload(client, "/v1/datasets",
                    ServiceFixtures.idxDataset(Files.createTempDirectory("shears-mp"), 10, 30, 10), "application/zip");
            String job = client.postJson("/v1/jobs", Map.of("modelId", cnn, "budget", Map.of("fraction", 0.9),
                    "pruning", Map.of("scope", "channels", "roundTo", 1), "input", Map.of("channels", "rgb"),
                    "fineTune", Map.of("datasetId", data, "epochs", 12, "batchSize", 4)))
                    .json().get("id").asString();
            JobPolling.inStage(client, job, "FINETUNE", LONG);

            assertThat(leaving.terminate(Duration.ofSeconds(30))).as("exited within the grace period").isTrue();
            JsonNode handedBack = client.get("/v1/jobs/" + job).json();
            assertThat(handedBack.get("state").asString()).isIn("RUNNING", "QUEUED", "SUCCEEDED");

            try (ShearsProcess taking = start("worker-4", "worker")) {
                taking.awaitReady(LONG);
                JsonNode done = JobPolling.terminal(client, job, LONG);
                assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
                assertThat(done.get("worker").asString()).isEqualTo(taking.name());
            }
        }
    }

    private static ShearsProcess start(String name, String role) throws Exception {
        List<String> args = new ArrayList<>(shared);
        args.add("--shears.role=" + role);
        args.add("--shears.data-dir=" + Files.createTempDirectory("shears-" + name));
        return ShearsProcess.start(name, LOGS, environment, args.toArray(String[]::new));
    }

    private static String upload(ApiClient client, String path, byte[] body, String type) {
        var r = client.postBytes(path, body, type);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    private static String awaitJob(ApiClient client, List<String> jobs,
                                   java.util.function.Predicate<JsonNode> wanted) {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (System.nanoTime() < deadline) {
            for (String job : jobs) {
                JsonNode j = client.get("/v1/jobs/" + job).json();
                if (wanted.test(j)) {
                    return job;
                }
            }
            ShearsProcess.sleep(200);
        }
        throw new AssertionError("no job got there in " + LONG);
    }
}
