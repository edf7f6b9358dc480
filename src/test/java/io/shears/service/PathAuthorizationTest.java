package io.shears.service;

import io.shears.api.AdminController;
import io.shears.tenancy.Caller;
import io.shears.tenancy.KeyInfo;
import io.shears.tenancy.KeyRole;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Who may call what, by role, and that no spelling of a privileged path gets past the rules (see
 * {@link PathEscalationProbe}).
 */
class PathAuthorizationTest extends ServiceTestSupport {
    @Autowired
    AdminController adminController;

    private PathEscalationProbe probe;
    private String tenantKey;
    private String tenantKeyId;
    private String metricsKey;

    @BeforeEach
    void keys() {
        probe = new PathEscalationProbe("127.0.0.1", port);
        var tenant = api.postJson("/v1/admin/keys", Map.of("tenant", "paths-" + port, "role", "tenant"));
        assertThat(tenant.status()).as(tenant.toString()).isEqualTo(201);
        tenantKey = tenant.json().get("key").asString();
        tenantKeyId = tenant.json().get("id").asString();
        var metrics = api.postJson("/v1/admin/keys", Map.of("tenant", "default", "role", "metrics"));
        assertThat(metrics.status()).as(metrics.toString()).isEqualTo(201);
        assertThat(metrics.json().get("role").asString()).isEqualTo("metrics");
        assertThat(metrics.json().get("admin").asBoolean()).isFalse();
        metricsKey = metrics.json().get("key").asString();
    }

    @AfterEach
    void clearSecurityContext() {
        SecurityContextHolder.clearContext();
    }

    @Test
    void theCanonicalPathsAnswerTheRightRolesOnly() {
        assertThat(probe.send("GET", "/v1/admin/keys", ADMIN_KEY, null).status()).isEqualTo(200);
        assertThat(probe.send("GET", "/actuator/prometheus", ADMIN_KEY, null).status()).isEqualTo(200);
        var scrape = probe.send("GET", "/actuator/prometheus", metricsKey, null);
        assertThat(scrape.status()).as(scrape.toString()).isEqualTo(200);
        assertThat(scrape.body()).contains("shears_jobs_submitted_total");
        assertThat(probe.send("GET", "/v1/models", metricsKey, null).status()).as("a metrics key opens nothing else")
                .isEqualTo(403);
        assertThat(probe.send("GET", "/v1/admin/keys", metricsKey, null).status()).isEqualTo(403);
        assertThat(probe.send("GET", "/v1/models", tenantKey, null).status()).isEqualTo(200);
        var forbidden = probe.send("GET", "/v1/admin/keys", tenantKey, null);
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.header("content-type")).startsWith("application/problem+json");
        assertThat(forbidden.body()).contains("\"code\":\"FORBIDDEN\"");
        var nonCanonical = probe.send("GET", "/v1//models", tenantKey, null);
        assertThat(nonCanonical.status()).isEqualTo(400);
        assertThat(nonCanonical.header("content-type")).startsWith("application/problem+json");
        assertThat(nonCanonical.body()).contains("\"code\":\"INVALID_PATH\"");
    }

    @Test
    void aKeyRoleThatDoesNotExistIsRefused() {
        assertProblem(api.postJson("/v1/admin/keys", Map.of("tenant", "default", "role", "root")), 422,
                "INVALID_FIELD");
        assertProblem(api.postJson("/v1/admin/keys", Map.of("tenant", "default", "role", "tenant", "admin", true)),
                422, "INVALID_FIELD");
    }

    @Test
    void everySpellingOfAnAdminOrActuatorPathIsRefusedToATenantKeyAndToNoKey() {
        long adminKeysBefore = adminKeys();
        PathEscalationProbe.Findings findings = probe.run(tenantKey, tenantKeyId);
        assertThat(findings.failures()).as("of %d requests", findings.sent()).isEmpty();
        assertThat(findings.sent()).isGreaterThan(500);
        assertThat(adminKeys()).as("no request created an admin key").isEqualTo(adminKeysBefore);
        assertThat(keys.list().stream().filter(k -> k.id().equals(tenantKeyId)).findFirst().orElseThrow()
                .revokedAt()).as("no request revoked a key").isNull();
    }

    @Test
    void anEncodedApiPathWithoutAKeyIsRefusedNotAnError() {
        for (String path : PathEscalationProbe.spellings("/v1/models")) {
            var r = probe.send("GET", path, null, null);
            assertThat(r.status()).as(path + " -> " + r).isIn(PathEscalationProbe.REFUSED);
        }
    }

    @Test
    void theAdminControllerRefusesANonAdminCallerEvenWhenCalledDirectly() {
        Caller tenant = new Caller("default", "k", KeyRole.TENANT);
        SecurityContextHolder.getContext().setAuthentication(new TestingAuthenticationToken(tenant, null,
                "ROLE_TENANT"));
        assertThatThrownBy(() -> adminController.list(tenant)).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> adminController.create(tenant,
                new AdminController.NewKey("default", "admin", null, null))).isInstanceOf(AccessDeniedException.class);

        Caller admin = new Caller("default", "k", KeyRole.ADMIN);
        SecurityContextHolder.getContext().setAuthentication(new TestingAuthenticationToken(admin, null,
                "ROLE_ADMIN"));
        assertThat(adminController.list(admin)).isNotEmpty();
    }

    private long adminKeys() {
        return keys.list().stream().filter(KeyInfo::admin).count();
    }
}
