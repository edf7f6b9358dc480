package io.shears.catalog;

/**
 * Whether unfinished jobs still need an uploaded model or dataset; the catalogs refuse to delete one that they do.
 * The job service answers it, from its own records.
 */
public interface JobReferences {
    /** The number of queued or running jobs that prune the model. */
    int activeJobsUsingModel(String modelId);

    /** The number of queued or running jobs that read the dataset. */
    int activeJobsUsingDataset(String datasetId);
}
