package io.shears.catalog;

import io.shears.config.ServiceException;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/**
 * One catalog table ({@code models} or {@code datasets}): the searchable columns plus the whole view as JSON in
 * {@code details}, always filtered by tenant, so another tenant's row reads as missing.
 */
final class CatalogTable<V> {
    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final String table;
    private final String kind;
    private final Class<V> viewType;

    CatalogTable(JdbcClient jdbc, JsonMapper json, String table, String kind, Class<V> viewType) {
        this.jdbc = jdbc;
        this.json = json;
        this.table = table;
        this.kind = kind;
        this.viewType = viewType;
    }

    void insert(String id, String tenant, String name, String sha256, long bytes, V view, Instant createdAt) {
        jdbc.sql("insert into " + table + " (id, tenant_id, name, sha256, bytes, details, created_at) "
                        + "values (:id, :tenant, :name, :sha, :bytes, :details, :now)")
                .param("id", id).param("tenant", tenant).param("name", name).param("sha", sha256)
                .param("bytes", bytes).param("details", json.writeValueAsString(view))
                .param("now", Timestamp.from(createdAt)).update();
    }

    List<V> list(String tenant) {
        return jdbc.sql("select details from " + table + " where tenant_id = :tenant order by created_at desc, id")
                .param("tenant", tenant).query(String.class).list().stream()
                .map(d -> json.readValue(d, viewType)).toList();
    }

    V get(String tenant, String id) {
        return jdbc.sql("select details from " + table + " where tenant_id = :tenant and id = :id")
                .param("tenant", tenant).param("id", id).query(String.class).optional()
                .map(d -> json.readValue(d, viewType))
                .orElseThrow(() -> ServiceException.notFound(kind, id));
    }

    void delete(String id) {
        jdbc.sql("delete from " + table + " where id = :id").param("id", id).update();
    }
}
