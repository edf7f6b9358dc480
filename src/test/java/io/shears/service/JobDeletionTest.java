package io.shears.service;

import io.shears.artifacts.ArtifactStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code DELETE /v1/jobs/{id}}: a finished job goes with its artifacts; an active one is refused. */
class JobDeletionTest extends ServiceTestSupport {
    @Autowired
    ArtifactStore store;

    @Test
    void aFinishedJobIsDeletedWithItsArtifactsAndItsStoredFiles() throws Exception {
        byte[] source = ServiceFixtures.smallCnn();
        String model = upload(source);
        String job = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.8),
                "pruning", Map.of("scope", "channels", "roundTo", 1))).json().get("id").asString();
        JsonNode done = awaitTerminal(job);
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        List<String> urls = new ArrayList<>();
        List<String> blobs = new ArrayList<>();
        done.get("result").get("artifacts").forEach(a -> {
            urls.add(a.get("url").asString());
            blobs.add(a.get("sha256").asString());
        });
        for (String sha : blobs) {
            assertThat(store.size(sha)).as(sha).isPresent();
        }

        var deleted = api.delete("/v1/jobs/" + job);

        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        assertProblem(api.get("/v1/jobs/" + job), 404, "NOT_FOUND");
        assertProblem(api.get("/v1/jobs/" + job + "/artifacts"), 404, "NOT_FOUND");
        for (String url : urls) {
            assertProblem(api.get(url), 404, "NOT_FOUND");
        }
        for (String sha : blobs) {
            assertThat(store.size(sha)).as(sha).isEmpty();
        }
        assertThat(ids(api.get("/v1/jobs?modelId=" + model).json().get("items"))).doesNotContain(job);
        assertThat(api.get("/v1/models/" + model + "/content").body()).isEqualTo(source);
        assertProblem(api.delete("/v1/jobs/" + job), 404, "NOT_FOUND");
    }

    @Test
    void anActiveJobIsRefusedUntilItIsCancelled() {
        String model = upload(ServiceFixtures.smallCnn());
        String dataset = uploadDataset(ServiceFixtures.idxDataset(tmp, 10, 30, 6));
        String job = api.postJson("/v1/jobs", endlessJob(model, dataset)).json().get("id").asString();

        var refused = api.delete("/v1/jobs/" + job);

        assertProblem(refused, 409, "JOB_ACTIVE");
        assertThat(refused.json().get("detail").asString()).contains("/cancel");
        assertThat(api.get("/v1/jobs/" + job).status()).isEqualTo(200);
        api.post("/v1/jobs/" + job + "/cancel");
        assertThat(awaitTerminal(job).get("state").asString()).isEqualTo("CANCELLED");
        assertThat(api.delete("/v1/jobs/" + job).status()).isEqualTo(204);
        assertProblem(api.get("/v1/jobs/" + job), 404, "NOT_FOUND");
    }

    @Test
    void anotherTenantsJobIsNotFound() {
        String model = upload(ServiceFixtures.smallCnn());
        String job = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.8),
                "pruning", Map.of("scope", "channels", "roundTo", 1))).json().get("id").asString();
        awaitTerminal(job);
        var issued = api.postJson("/v1/admin/keys", Map.of("tenant", "tenant-d-" + port, "label", "d"));
        ApiClient other = api.withKey(issued.json().get("key").asString());

        assertProblem(other.delete("/v1/jobs/" + job), 404, "NOT_FOUND");
        assertThat(api.get("/v1/jobs/" + job).status()).isEqualTo(200);
        assertProblem(api.delete("/v1/jobs/no-such-job"), 404, "NOT_FOUND");
    }
}
