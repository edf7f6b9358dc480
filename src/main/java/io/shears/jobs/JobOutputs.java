package io.shears.jobs;

import io.shears.pipeline.JobFailedException;
import io.shears.pipeline.JobSpec;
import io.shears.remote.RemoteObjects;
import io.shears.remote.RemoteUri;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a succeeded job's artifacts to the S3 location its spec names, before the job is published: a job whose
 * client asked for its results there succeeds only when they are there.
 */
@Component
class JobOutputs {
    static final String OUTPUT_WRITE_FAILED = "OUTPUT_WRITE_FAILED";

    private final RemoteObjects remote;

    JobOutputs(RemoteObjects remote) {
        this.remote = remote;
    }

    /** @param files each artifact's name (the key under the prefix) and its file */
    void write(JobSpec.OutputSpec output, Map<String, Path> files) {
        RemoteUri prefix = RemoteUri.s3Prefix(output.uri());
        for (Map.Entry<String, Path> file : files.entrySet()) {
            try {
                remote.write(prefix, file.getKey(), file.getValue());
            } catch (IOException e) {
                // Retried like any fault of the service: a rerun resumes past the finished stages, so it costs
                // little, and a missing bucket or a refusal still ends the job once the attempts are spent.
                throw new JobFailedException(OUTPUT_WRITE_FAILED, e.getMessage(), true, e);
            }
        }
    }
}
