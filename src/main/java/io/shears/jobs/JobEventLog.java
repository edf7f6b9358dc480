package io.shears.jobs;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The events of each job, numbered from 1 per job. The number is the primary key's second half, so two processes
 * appending to one job at once cannot both take a number: the loser reads again and decides anew.
 */
@Repository
class JobEventLog {
    /** An event with its number, the {@code id} of its Server-Sent Event. */
    record Logged(long id, JobEvents.JobEvent event) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    JobEventLog(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    Optional<Logged> last(String jobId) {
        return jdbc.sql("select seq, data from job_events where job_id = :job order by seq desc limit 1")
                .param("job", jobId).query((rs, n) -> logged(rs.getLong("seq"), rs.getString("data"))).optional();
    }

    List<Logged> after(String jobId, long seq) {
        return jdbc.sql("select seq, data from job_events where job_id = :job and seq > :seq order by seq")
                .param("job", jobId).param("seq", seq)
                .query((rs, n) -> logged(rs.getLong("seq"), rs.getString("data"))).list();
    }

    /** Appends {@code event} as number {@code seq}; false when another process took that number first. */
    boolean append(String jobId, long seq, JobEvents.JobEvent event) {
        try {
            jdbc.sql("insert into job_events (job_id, seq, data, created_at) values (:job, :seq, :data, :now)")
                    .param("job", jobId).param("seq", seq).param("data", json.writeValueAsString(event))
                    .param("now", Timestamp.from(Instant.now())).update();
            return true;
        } catch (DuplicateKeyException taken) {
            return false;
        }
    }

    private Logged logged(long seq, String data) {
        return new Logged(seq, json.readValue(data, JobEvents.JobEvent.class));
    }
}
