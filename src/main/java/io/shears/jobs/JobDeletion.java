package io.shears.jobs;

import io.shears.artifacts.ArtifactCatalog;
import io.shears.artifacts.ArtifactRecord;
import io.shears.artifacts.ArtifactStore;
import io.shears.catalog.BlobReferences;
import io.shears.config.ServiceException;
import io.shears.config.ShearsProperties;
import io.shears.files.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.IOException;
import java.util.List;

/**
 * Deleting a finished job with everything it left: its record, its artifact records, the stored blobs no other row
 * names, and a work directory a failed attempt kept. A queued or running job is refused (JOB_ACTIVE): cancel it
 * first, so a worker never loses the record it is writing to.
 */
@Service
public class JobDeletion {
    public static final String ACTIVE = "JOB_ACTIVE";
    private static final Logger log = LoggerFactory.getLogger(JobDeletion.class);

    private final JobRepository jobs;
    private final ArtifactCatalog artifacts;
    private final ArtifactStore store;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final ShearsProperties properties;

    JobDeletion(JobRepository jobs, ArtifactCatalog artifacts, ArtifactStore store, JdbcClient jdbc,
                TransactionTemplate transactions, ShearsProperties properties) {
        this.jobs = jobs;
        this.artifacts = artifacts;
        this.store = store;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.properties = properties;
    }

    /** The caller's job, as {@code DELETE /v1/jobs/{id}} asks; another tenant's is not found. */
    public void delete(String tenant, String id) throws IOException {
        JobRow row = jobs.find(tenant, id).orElseThrow(() -> ServiceException.notFound("job", id));
        if (!row.state().terminal()) {
            throw ServiceException.conflict(ACTIVE, "job '" + id + "' is " + row.state() + "; cancel it "
                    + "(POST /v1/jobs/" + id + "/cancel) and delete it once it is CANCELLED");
        }
        deleteFinished(row);
    }

    /** Deletes a finished job; false when it was gone already (another process deleted it first). */
    boolean deleteFinished(JobRow row) throws IOException {
        List<ArtifactRecord> published = artifacts.forJob(row.tenantId(), row.id());
        Boolean deleted = transactions.execute(status -> {
            artifacts.replaceAll(row.id(), List.of());
            if (!jobs.deleteFinished(row.id())) {
                status.setRollbackOnly();
                return false;
            }
            return true;
        });
        if (!Boolean.TRUE.equals(deleted)) {
            return false;
        }
        for (String sha256 : published.stream().map(ArtifactRecord::sha256).distinct().toList()) {
            BlobReferences.deleteIfUnreferenced(jdbc, store, sha256);
        }
        try {
            FileTrees.delete(properties.workDir().resolve(row.id()));
        } catch (IOException e) {
            log.warn("Job {} deleted, but not its work directory: {}", row.id(), e.toString());
        }
        log.info("Job {} deleted with {} artifact(s)", row.id(), published.size());
        return true;
    }
}
