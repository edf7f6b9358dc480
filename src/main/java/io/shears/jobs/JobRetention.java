package io.shears.jobs;

import io.shears.artifacts.ArtifactCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/** Applies a retention policy: deletes finished jobs past its age, then the longest-finished while the store is full. */
@Service
public class JobRetention {
    private static final Logger log = LoggerFactory.getLogger(JobRetention.class);
    private static final int BATCH = 50;

    private final JobRepository jobs;
    private final JobDeletion deletion;
    private final ArtifactCatalog artifacts;

    JobRetention(JobRepository jobs, JobDeletion deletion, ArtifactCatalog artifacts) {
        this.jobs = jobs;
        this.deletion = deletion;
        this.artifacts = artifacts;
    }

    /** What one application of the policy did. */
    public record Outcome(int deletedByAge, int deletedBySize, long storedBytes) {
    }

    public Outcome apply(RetentionProperties policy, Instant now) throws IOException {
        int byAge = 0;
        if (policy.maxAge() != null) {
            Instant before = now.minus(policy.maxAge());
            for (List<JobRow> old; !(old = jobs.oldestFinished(before, BATCH)).isEmpty(); ) {
                int deleted = deleteAll(old);
                if (deleted == 0) {
                    break;
                }
                byAge += deleted;
            }
        }
        int bySize = 0;
        long stored = artifacts.storedBytes();
        if (policy.maxStoreSize() != null) {
            long limit = policy.maxStoreSize().toBytes();
            while (stored > limit) {
                List<JobRow> oldest = jobs.oldestFinished(null, 1);
                if (oldest.isEmpty()) {
                    log.warn("The store holds {} bytes, over shears.retention.max-store-size ({}), but no finished "
                            + "job is left to delete", stored, limit);
                    break;
                }
                if (deletion.deleteFinished(oldest.get(0))) {
                    bySize++;
                }
                stored = artifacts.storedBytes();
            }
        }
        if (byAge + bySize > 0) {
            log.info("Retention deleted {} job(s) past their age and {} for the store's size; it holds {} bytes",
                    byAge, bySize, stored);
        }
        return new Outcome(byAge, bySize, stored);
    }

    private int deleteAll(List<JobRow> rows) throws IOException {
        int deleted = 0;
        for (JobRow row : rows) {
            if (deletion.deleteFinished(row)) {
                deleted++;
            }
        }
        return deleted;
    }
}
