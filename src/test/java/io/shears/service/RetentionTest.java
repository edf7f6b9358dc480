package io.shears.service;

import io.shears.artifacts.ArtifactCatalog;
import io.shears.artifacts.ArtifactStore;
import io.shears.jobs.JobRetention;
import io.shears.jobs.RetentionProperties;
import io.shears.jobs.RetentionSchedule;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jobrunr.jobs.RecurringJob;
import org.jobrunr.storage.StorageProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code shears.retention.*} on a real database and a real filesystem store. */
class RetentionTest {
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path data;

    @Test
    void theRecurringJobDeletesFinishedJobsPastTheirAgeAndKeepsTheUploads() throws Exception {
        try (InProcessService service = InProcessService.start(data, "--shears.retention.max-age=1s",
                "--shears.retention.interval=5s")) {
            assertThat(recurringJobIds(service)).contains(RetentionSchedule.RECURRING_JOB_ID);
            ApiClient api = service.admin();
            byte[] source = ServiceFixtures.smallCnn();
            String model = api.postBytes("/v1/models", source, "application/octet-stream").json().get("id")
                    .asString();
            String job = submit(api, model);
            JsonNode done = JobPolling.terminal(api, job, JOB_TIMEOUT);
            assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
            List<String> blobs = blobs(done);

            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (api.get("/v1/jobs/" + job).status() == 200 && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }

            assertThat(api.get("/v1/jobs/" + job).status()).isEqualTo(404);
            ArtifactStore store = service.bean(ArtifactStore.class);
            for (String sha : blobs) {
                assertThat(store.size(sha)).as(sha).isEmpty();
            }
            assertThat(api.get("/v1/models/" + model + "/content").body()).isEqualTo(source);
            assertThat(Files.exists(data.resolve("work").resolve(job))).isFalse();
        }
    }

    @Test
    void theLongestFinishedJobsGoFirstWhileTheStoreIsOverItsSize() throws Exception {
        try (InProcessService service = InProcessService.start(data)) {
            deletesOldestFirstBySizeThenByAge(service);
        }
    }

    @Test
    void theSameQueriesHoldOnPostgreSql() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
             InProcessService service = InProcessService.start(data, "--spring.datasource.url="
                     + postgres.getJdbcUrl("postgres", "postgres"), "--spring.datasource.username=postgres",
                     "--spring.datasource.password=postgres")) {
            deletesOldestFirstBySizeThenByAge(service);
        }
    }

    private static void deletesOldestFirstBySizeThenByAge(InProcessService service) throws Exception {
        assertThat(recurringJobIds(service)).doesNotContain(RetentionSchedule.RECURRING_JOB_ID);
        ApiClient api = service.admin();
        byte[] source = ServiceFixtures.smallCnn();
        String model = api.postBytes("/v1/models", source, "application/octet-stream").json().get("id")
                .asString();
        List<String> jobs = new ArrayList<>();
        List<JsonNode> done = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            jobs.add(submit(api, model));
            done.add(JobPolling.terminal(api, jobs.get(i), JOB_TIMEOUT));
            assertThat(done.get(i).get("state").asString()).isEqualTo("SUCCEEDED");
        }
        ArtifactCatalog catalog = service.bean(ArtifactCatalog.class);
        long stored = catalog.storedBytes();
        long firstJobBytes = artifactBytes(done.get(0));
        assertThat(stored).isGreaterThanOrEqualTo(source.length + 3 * firstJobBytes - 3 * 1024);
        JobRetention retention = service.bean(JobRetention.class);

        JobRetention.Outcome oneTooMany = retention.apply(new RetentionProperties(null,
                DataSize.ofBytes(stored - 1), null), Instant.now());

        assertThat(oneTooMany.deletedBySize()).isEqualTo(1);
        assertThat(oneTooMany.deletedByAge()).isZero();
        assertThat(oneTooMany.storedBytes()).isEqualTo(stored - firstJobBytes).isEqualTo(catalog.storedBytes());
        assertThat(api.get("/v1/jobs/" + jobs.get(0)).status()).isEqualTo(404);
        assertThat(api.get("/v1/jobs/" + jobs.get(1)).status()).isEqualTo(200);
        assertThat(api.get("/v1/jobs/" + jobs.get(2)).status()).isEqualTo(200);
        ArtifactStore store = service.bean(ArtifactStore.class);
        for (String sha : blobs(done.get(0))) {
            assertThat(store.size(sha)).as(sha).isEmpty();
        }
        for (String sha : blobs(done.get(1))) {
            assertThat(store.size(sha)).as(sha).isPresent();
        }

        JobRetention.Outcome tooOld = retention.apply(new RetentionProperties(Duration.ofMinutes(10), null,
                null), Instant.parse(done.get(1).get("finishedAt").asString()).plus(Duration.ofMinutes(10))
                .plusMillis(1));
        assertThat(tooOld.deletedByAge()).isEqualTo(1);
        assertThat(api.get("/v1/jobs/" + jobs.get(1)).status()).isEqualTo(404);
        assertThat(api.get("/v1/jobs/" + jobs.get(2)).status()).isEqualTo(200);

        JobRetention.Outcome nothingLeft = retention.apply(new RetentionProperties(null, DataSize.ofBytes(1),
                null), Instant.now());
        assertThat(nothingLeft.deletedBySize()).isEqualTo(1);
        assertThat(nothingLeft.storedBytes()).isEqualTo(source.length);
        assertThat(api.get("/v1/models/" + model + "/content").body()).isEqualTo(source);
    }

    private static String submit(ApiClient api, String model) {
        var submitted = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.8),
                "pruning", Map.of("scope", "channels", "roundTo", 1)));
        assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
        return submitted.json().get("id").asString();
    }

    private static List<String> blobs(JsonNode job) {
        List<String> out = new ArrayList<>();
        job.get("result").get("artifacts").forEach(a -> out.add(a.get("sha256").asString()));
        return out;
    }

    private static long artifactBytes(JsonNode job) {
        long sum = 0;
        for (JsonNode a : job.get("result").get("artifacts")) {
            sum += a.get("bytes").asLong();
        }
        return sum;
    }

    private static List<String> recurringJobIds(InProcessService service) {
        return service.bean(StorageProvider.class).getRecurringJobs().stream().map(RecurringJob::getId).toList();
    }
}
