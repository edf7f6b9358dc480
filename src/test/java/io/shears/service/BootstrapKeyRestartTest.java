package io.shears.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** SHEARS_API_KEY registers the first admin key once; a restart neither duplicates it nor brings it back revoked. */
class BootstrapKeyRestartTest {
    @TempDir
    Path data;

    @Test
    void aRevokedBootstrapKeyStaysRevokedAcrossARestart() {
        String successor;
        try (InProcessService first = InProcessService.start(data)) {
            ApiClient admin = first.admin();
            var issued = admin.postJson("/v1/admin/keys", Map.of("tenant", "default", "admin", true,
                    "label", "successor"));
            assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
            successor = issued.json().get("key").asString();
            String bootstrapId = null;
            for (JsonNode key : admin.get("/v1/admin/keys").json()) {
                if (key.get("label").asString().startsWith("bootstrap")) {
                    bootstrapId = key.get("id").asString();
                }
            }
            assertThat(bootstrapId).as("the bootstrap key is listed").isNotNull();
            assertThat(admin.withKey(successor).delete("/v1/admin/keys/" + bootstrapId).status()).isEqualTo(204);
        }

        try (InProcessService second = InProcessService.start(data)) {
            ApiClient successorClient = second.admin().withKey(successor);
            assertThat(second.admin().get("/v1/models").status()).as("the revoked key").isEqualTo(401);
            assertThat(successorClient.get("/v1/models").status()).isEqualTo(200);
            assertThat(successorClient.get("/v1/admin/keys").json().size()).as("no second bootstrap row")
                    .isEqualTo(2);
        }
    }
}
