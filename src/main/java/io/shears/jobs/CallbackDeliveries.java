package io.shears.jobs;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The callback deliveries' records. A try is recorded only over the attempt count it started from, so a try that
 * JobRunr runs twice (a worker that died after sending) counts and schedules once.
 */
@Repository
class CallbackDeliveries {
    private static final String COLUMNS = "id, job_id, tenant_id, url, body, state, attempts, last_status, last_error, "
            + "created_at, last_attempt_at, next_attempt_at, delivered_at";

    /** A delivery with what a try needs beyond its view: whose secret signs it, and the bytes it sends. */
    record Stored(CallbackDelivery delivery, String jobId, String tenantId, String body) {
    }

    /** How one try ended. */
    record Outcome(CallbackDelivery.State state, Integer status, String error, Instant at, Instant nextAttemptAt) {
    }

    private final JdbcClient jdbc;

    CallbackDeliveries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(String id, String jobId, String tenantId, String url, String body, Instant now) {
        jdbc.sql("insert into callback_deliveries (" + COLUMNS + ") values (:id, :job, :tenant, :url, :body, "
                        + ":state, 0, null, null, :now, null, :now, null)")
                .param("id", id).param("job", jobId).param("tenant", tenantId).param("url", url).param("body", body)
                .param("state", CallbackDelivery.State.PENDING.name()).param("now", Timestamp.from(now)).update();
    }

    Optional<Stored> find(String id) {
        return jdbc.sql("select " + COLUMNS + " from callback_deliveries where id = :id").param("id", id)
                .query(CallbackDeliveries::stored).optional();
    }

    List<CallbackDelivery> forJob(String jobId) {
        return jdbc.sql("select " + COLUMNS + " from callback_deliveries where job_id = :job order by created_at, id")
                .param("job", jobId).query((rs, n) -> stored(rs, n).delivery()).list();
    }

    /** Records the try that started from {@code attemptsBefore}; false if another run of it already did. */
    boolean recordAttempt(String id, int attemptsBefore, Outcome outcome) {
        return jdbc.sql("update callback_deliveries set attempts = attempts + 1, state = :state, "
                        + "last_status = :status, last_error = :error, last_attempt_at = :at, next_attempt_at = :next, "
                        + "delivered_at = :delivered "
                        + "where id = :id and attempts = :before and state = 'PENDING'")
                .param("state", outcome.state().name(), Types.VARCHAR)
                .param("status", outcome.status(), Types.INTEGER).param("error", outcome.error(), Types.VARCHAR)
                .param("at", Timestamp.from(outcome.at()))
                .param("next", outcome.nextAttemptAt() == null ? null : Timestamp.from(outcome.nextAttemptAt()),
                        Types.TIMESTAMP)
                .param("delivered", outcome.state() == CallbackDelivery.State.DELIVERED
                        ? Timestamp.from(outcome.at()) : null, Types.TIMESTAMP)
                .param("id", id).param("before", attemptsBefore).update() == 1;
    }

    private static Stored stored(ResultSet rs, int n) throws SQLException {
        CallbackDelivery delivery = new CallbackDelivery(rs.getString("id"), rs.getString("url"),
                CallbackDelivery.State.valueOf(rs.getString("state")), rs.getInt("attempts"),
                rs.getObject("last_status", Integer.class), rs.getString("last_error"), instant(rs, "created_at"),
                instant(rs, "last_attempt_at"), instant(rs, "next_attempt_at"), instant(rs, "delivered_at"));
        return new Stored(delivery, rs.getString("job_id"), rs.getString("tenant_id"), rs.getString("body"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
