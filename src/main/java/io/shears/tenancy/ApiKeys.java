package io.shears.tenancy;

import io.shears.config.ShearsProperties;
import io.shears.files.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * API keys and the tenants they belong to. Keys are 256 random bits, so a plain SHA-256 of the key is a safe stored
 * form (no dictionary to attack) and lets a request be authenticated with one indexed lookup.
 */
@Service
@Order(0)
public class ApiKeys implements ApplicationRunner {
    public static final String DEFAULT_TENANT = "default";
    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcClient jdbc;
    private final ShearsProperties properties;
    private final TransactionTemplate transactions;

    public ApiKeys(JdbcClient jdbc, ShearsProperties properties, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.transactions = transactions;
    }

    /**
     * The first admin key: from SHEARS_API_KEY, or generated and printed once when no key exists yet; and the metrics
     * key from SHEARS_METRICS_KEY, which a Prometheus scraper uses instead of an admin key. The processes
     * of a scale-out deployment start together on one database and all check for the key; the ones that lose the race
     * to insert it try once more and then find it.
     */
    @Override
    public void run(ApplicationArguments args) {
        try {
            transactions.executeWithoutResult(status -> registerBootstrapKey());
        } catch (DuplicateKeyException anotherProcessRegisteredIt) {
            transactions.executeWithoutResult(status -> registerBootstrapKey());
        }
    }

    private void registerBootstrapKey() {
        String configured = properties.security() == null ? null : properties.security().bootstrapKey();
        if (configured != null && !configured.isBlank()) {
            registerConfiguredKey(configured, KeyRole.ADMIN, "SHEARS_API_KEY");
        } else {
            Integer keys = jdbc.sql("select count(*) from api_keys").query(Integer.class).single();
            if (keys == 0) {
                String key = newKey();
                insert(DEFAULT_TENANT, key, KeyRole.ADMIN, "bootstrap (generated)");
                log.warn("Generated the first admin API key for tenant '{}'; it is shown only this once: {}",
                        DEFAULT_TENANT, key);
            }
        }
        String metrics = properties.security() == null ? null : properties.security().metricsKey();
        if (metrics != null && !metrics.isBlank()) {
            registerConfiguredKey(metrics, KeyRole.METRICS, "SHEARS_METRICS_KEY");
        }
    }

    /** Registers a key given in the configuration once; a key an admin revoked stays revoked across restarts. */
    private void registerConfiguredKey(String key, KeyRole role, String setting) {
        if (key.length() < 16) {
            throw new IllegalStateException(setting + " must be at least 16 characters");
        }
        Optional<Boolean> revoked = jdbc.sql("select revoked_at from api_keys where key_hash = :h")
                .param("h", hash(key)).query((rs, n) -> rs.getTimestamp(1) != null).optional();
        if (revoked.isEmpty()) {
            insert(DEFAULT_TENANT, key, role, "bootstrap (" + setting + ")");
            log.info("{} API key from {} registered for tenant '{}'", role.externalName(), setting, DEFAULT_TENANT);
        } else if (revoked.get()) {
            log.warn("{} was revoked and stays revoked; set a new one", setting);
        }
    }

    public Optional<Caller> authenticate(String key) {
        if (key == null || key.isBlank()) {
            return Optional.empty();
        }
        return findByHash(hash(key.strip()));
    }

    @Transactional
    public IssuedKey create(String tenant, KeyRole role, String label) {
        return insert(tenant, newKey(), role, label);
    }

    public List<KeyInfo> list() {
        return jdbc.sql("select id, tenant_id, role, label, created_at, revoked_at from api_keys order by created_at, id")
                .query((rs, n) -> new KeyInfo(rs.getString(1), rs.getString(2), role(rs.getString(3)), rs.getString(4),
                        rs.getTimestamp(5).toInstant(),
                        rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant()))
                .list();
    }

    /** Revokes a key; false when there is no such key. Revoking twice is not an error. */
    public boolean revoke(String id) {
        int n = jdbc.sql("update api_keys set revoked_at = coalesce(revoked_at, :now) where id = :id")
                .param("now", Timestamp.from(Instant.now())).param("id", id).update();
        return n > 0;
    }

    public String callbackSecret(String tenant) {
        return jdbc.sql("select callback_secret from tenants where id = :id").param("id", tenant)
                .query(String.class).optional().orElseThrow(() -> new IllegalStateException("no tenant " + tenant));
    }

    private Optional<Caller> findByHash(String hash) {
        return jdbc.sql("select tenant_id, id, role from api_keys where key_hash = :h and revoked_at is null")
                .param("h", hash)
                .query((rs, n) -> new Caller(rs.getString(1), rs.getString(2), role(rs.getString(3))))
                .optional();
    }

    private static KeyRole role(String stored) {
        return KeyRole.fromExternalName(stored)
                .orElseThrow(() -> new IllegalStateException("unknown key role in the database: " + stored));
    }

    private IssuedKey insert(String tenant, String key, KeyRole role, String label) {
        Instant now = Instant.now();
        String secret = ensureTenant(tenant, now);
        String id = UUID.randomUUID().toString();
        jdbc.sql("insert into api_keys (id, tenant_id, key_hash, role, label, created_at) "
                        + "values (:id, :tenant, :hash, :role, :label, :now)")
                .param("id", id).param("tenant", tenant).param("hash", hash(key)).param("role", role.externalName())
                .param("label", label).param("now", Timestamp.from(now)).update();
        return new IssuedKey(id, tenant, key, role, label, now, secret);
    }

    private String ensureTenant(String tenant, Instant now) {
        Optional<String> secret = jdbc.sql("select callback_secret from tenants where id = :id").param("id", tenant)
                .query(String.class).optional();
        if (secret.isPresent()) {
            return secret.get();
        }
        // Standard Webhooks' secret form, which its verifying libraries take as is.
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        String fresh = "whsec_" + Base64.getEncoder().encodeToString(key);
        jdbc.sql("insert into tenants (id, callback_secret, created_at) values (:id, :secret, :now)")
                .param("id", tenant).param("secret", fresh).param("now", Timestamp.from(now)).update();
        return fresh;
    }

    private static String newKey() {
        return "shk_" + randomToken(32);
    }

    private static String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String hash(String key) {
        return Sha256.of(key.getBytes(StandardCharsets.UTF_8));
    }
}
