package io.shears.jobs;

import io.shears.catalog.JobReferences;
import io.shears.pipeline.Stage;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The job records. State changes are guarded in SQL ({@code where state in ...}), so two processes racing over one
 * job (a worker finishing while an API process cancels, a rerun after a crash) cannot both win.
 */
@Repository
class JobRepository implements JobReferences {
    private static final String COLUMNS = "id, tenant_id, model_id, spec, spec_sha256, idempotency_key, state, stage, "
            + "progress, attempts, cancel_requested, error_code, error_message, result, created_at, started_at, "
            + "finished_at, updated_at, worker";
    private static final RowMapper<JobRow> ROW = JobRepository::row;

    private final JdbcClient jdbc;

    JobRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** What a client's submission sets of a new job's row; the rest starts empty (queued, no stage, no attempt). */
    record NewJob(String id, String tenantId, String modelId, List<String> datasetIds, String spec, String specSha256,
                  String idempotencyKey, Instant createdAt) {
    }

    /** The job's row and its links to the datasets it reads, together. */
    @Transactional
    void insert(NewJob job) {
        jdbc.sql("insert into jobs (" + COLUMNS + ") values (:id, :tenant, :model, :spec, :sha, :key, :state, null, "
                        + "0, 0, false, null, null, null, :now, null, null, :now, null)")
                .param("id", job.id()).param("tenant", job.tenantId()).param("model", job.modelId())
                .param("spec", job.spec()).param("sha", job.specSha256())
                .param("key", job.idempotencyKey(), Types.VARCHAR).param("state", JobState.QUEUED.name())
                .param("now", ts(job.createdAt())).update();
        for (String datasetId : job.datasetIds()) {
            jdbc.sql("insert into job_datasets (job_id, dataset_id) values (:job, :dataset)")
                    .param("job", job.id()).param("dataset", datasetId).update();
        }
    }

    @Override
    public int activeJobsUsingModel(String modelId) {
        return jdbc.sql("select count(*) from jobs where model_id = :id and state in ('QUEUED', 'RUNNING')")
                .param("id", modelId).query(Integer.class).single();
    }

    @Override
    public int activeJobsUsingDataset(String datasetId) {
        return jdbc.sql("select count(*) from jobs j join job_datasets l on l.job_id = j.id "
                        + "where l.dataset_id = :id and j.state in ('QUEUED', 'RUNNING')")
                .param("id", datasetId).query(Integer.class).single();
    }

    Optional<JobRow> find(String tenant, String id) {
        return jdbc.sql("select " + COLUMNS + " from jobs where tenant_id = :tenant and id = :id")
                .param("tenant", tenant).param("id", id).query(ROW).optional();
    }

    Optional<JobRow> find(String id) {
        return jdbc.sql("select " + COLUMNS + " from jobs where id = :id").param("id", id).query(ROW).optional();
    }

    List<JobRow> findAll(Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select " + COLUMNS + " from jobs where id in (:ids)").param("ids", ids).query(ROW).list();
    }

    Optional<JobRow> findByIdempotencyKey(String tenant, String key) {
        return jdbc.sql("select " + COLUMNS + " from jobs where tenant_id = :tenant and idempotency_key = :key")
                .param("tenant", tenant).param("key", key).query(ROW).optional();
    }

    List<JobRow> list(String tenant, JobState state, String modelId, int page, int size) {
        return jdbc.sql("select " + COLUMNS + " from jobs where tenant_id = :tenant"
                        + " and (:state is null or state = :state) and (:model is null or model_id = :model)"
                        + " order by created_at desc, id limit :size offset :offset")
                .param("tenant", tenant).param("state", state == null ? null : state.name(), Types.VARCHAR)
                .param("model", modelId, Types.VARCHAR).param("size", size).param("offset", (long) page * size)
                .query(ROW).list();
    }

    long count(String tenant, JobState state, String modelId) {
        return jdbc.sql("select count(*) from jobs where tenant_id = :tenant"
                        + " and (:state is null or state = :state) and (:model is null or model_id = :model)")
                .param("tenant", tenant).param("state", state == null ? null : state.name(), Types.VARCHAR)
                .param("model", modelId, Types.VARCHAR).query(Long.class).single();
    }

    long countInState(JobState state) {
        return jdbc.sql("select count(*) from jobs where state = :state").param("state", state.name())
                .query(Long.class).single();
    }

    /**
     * QUEUED or RUNNING (a rerun) → RUNNING on {@code worker} with one more attempt; false when the job is already
     * terminal.
     */
    boolean start(String id, String worker) {
        Instant now = Instant.now();
        return jdbc.sql("update jobs set state = 'RUNNING', attempts = attempts + 1, worker = :worker, "
                        + "started_at = coalesce(started_at, :now), updated_at = :now "
                        + "where id = :id and state in ('QUEUED', 'RUNNING')")
                .param("worker", worker).param("now", ts(now)).param("id", id).update() == 1;
    }

    void progress(String id, Stage stage, double progress) {
        jdbc.sql("update jobs set stage = :stage, progress = :progress, updated_at = :now "
                        + "where id = :id and state = 'RUNNING'")
                .param("stage", stage == null ? null : stage.name(), Types.VARCHAR).param("progress", progress)
                .param("now", ts(Instant.now())).param("id", id).update();
    }

    boolean cancelRequested(String id) {
        return jdbc.sql("select cancel_requested from jobs where id = :id").param("id", id).query(Boolean.class)
                .optional().orElse(true);
    }

    /** Ends a job that is not yet terminal; false if it already was (so it completes only once). */
    boolean finish(String id, JobState state, String errorCode, String errorMessage, String result) {
        return finish(id, state, errorCode, errorMessage, result, Instant.now());
    }

    /** As {@link #finish(String, JobState, String, String, String)}, ended at {@code now}. */
    boolean finish(String id, JobState state, String errorCode, String errorMessage, String result, Instant now) {
        return jdbc.sql("update jobs set state = :state, error_code = :code, error_message = :message, "
                        + "result = :result, progress = case when :state = 'SUCCEEDED' then 1 else progress end, "
                        + "finished_at = :now, updated_at = :now where id = :id and state in ('QUEUED', 'RUNNING')")
                .param("state", state.name(), Types.VARCHAR).param("code", errorCode, Types.VARCHAR)
                .param("message", errorMessage, Types.VARCHAR).param("result", result, Types.VARCHAR).param("now", ts(now)).param("id", id).update() == 1;
    }

    /** Deletes a finished job's row (its dataset links go with it); false when it is not finished or is gone. */
    boolean deleteFinished(String id) {
        return jdbc.sql("delete from jobs where id = :id and state in ('SUCCEEDED', 'FAILED', 'CANCELLED')")
                .param("id", id).update() == 1;
    }

    /** Finished jobs, the longest finished first; those finished before {@code before} only, when it is given. */
    List<JobRow> oldestFinished(Instant before, int limit) {
        var query = jdbc.sql("select " + COLUMNS + " from jobs where state in ('SUCCEEDED', 'FAILED', 'CANCELLED')"
                        + (before == null ? "" : " and finished_at < :before") + " order by finished_at, id limit :limit")
                .param("limit", limit);
        return (before == null ? query : query.param("before", ts(before))).query(ROW).list();
    }

    void requestCancel(String id) {
        jdbc.sql("update jobs set cancel_requested = true, updated_at = :now where id = :id")
                .param("now", ts(Instant.now())).param("id", id).update();
    }

    private static JobRow row(ResultSet rs, int n) throws SQLException {
        return new JobRow(rs.getString("id"), rs.getString("tenant_id"), rs.getString("model_id"),
                rs.getString("spec"), rs.getString("spec_sha256"), rs.getString("idempotency_key"),
                JobState.valueOf(rs.getString("state")),
                rs.getString("stage") == null ? null : Stage.valueOf(rs.getString("stage")),
                rs.getDouble("progress"), rs.getInt("attempts"), rs.getBoolean("cancel_requested"),
                rs.getString("error_code"), rs.getString("error_message"), rs.getString("result"),
                instant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "finished_at"),
                instant(rs, "updated_at"), rs.getString("worker"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.from(i);
    }
}
