package io.shears.jobs;

/**
 * Where a client downloads a published artifact. The API owns its paths; the job service asks it here for the links
 * in a job's views, which callbacks send from worker processes too.
 */
public interface ArtifactLinks {
    String urlOf(String artifactId);
}
