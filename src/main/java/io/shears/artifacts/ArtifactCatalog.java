package io.shears.artifacts;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

/** Which blobs a job published, under which names; the rows are the only way to reach a job's blobs. */
@Repository
public class ArtifactCatalog {
    private static final RowMapper<ArtifactRecord> ROW = (rs, n) -> new ArtifactRecord(rs.getString("id"),
            rs.getString("tenant_id"), rs.getString("job_id"), rs.getString("name"), rs.getString("media_type"),
            rs.getString("sha256"), rs.getLong("bytes"), rs.getTimestamp("created_at").toInstant());

    private final JdbcClient jdbc;

    public ArtifactCatalog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Replaces whatever the job published before (a rerun after a crash publishes again, identically). */
    public void replaceAll(String jobId, List<ArtifactRecord> records) {
        jdbc.sql("delete from artifacts where job_id = :job").param("job", jobId).update();
        for (ArtifactRecord r : records) {
            jdbc.sql("insert into artifacts (id, tenant_id, job_id, name, media_type, sha256, bytes, created_at) "
                            + "values (:id, :tenant, :job, :name, :type, :sha, :bytes, :at)")
                    .param("id", r.id()).param("tenant", r.tenantId()).param("job", r.jobId())
                    .param("name", r.name()).param("type", r.mediaType()).param("sha", r.sha256())
                    .param("bytes", r.bytes()).param("at", Timestamp.from(r.createdAt())).update();
        }
    }

    /**
     * Bytes of every distinct blob a model, dataset or artifact row names: what the store holds, counting shared
     * content once.
     */
    public long storedBytes() {
        return jdbc.sql("select coalesce(sum(bytes), 0) from (select sha256, max(bytes) as bytes from ("
                        + "select sha256, bytes from models union all select sha256, bytes from datasets "
                        + "union all select sha256, bytes from artifacts) b group by sha256) d")
                .query(Long.class).single();
    }

    public List<ArtifactRecord> forJob(String tenant, String jobId) {
        return jdbc.sql("select * from artifacts where tenant_id = :tenant and job_id = :job order by name")
                .param("tenant", tenant).param("job", jobId).query(ROW).list();
    }

    public Optional<ArtifactRecord> find(String tenant, String id) {
        return jdbc.sql("select * from artifacts where tenant_id = :tenant and id = :id")
                .param("tenant", tenant).param("id", id).query(ROW).optional();
    }
}
