package io.shears.pipeline;

import io.shears.report.JobReport;

import java.nio.file.Path;
import java.util.Map;

/**
 * Local files a job reads: the uploaded model (an .onnx file or a zip / tar.gz bundle) and the dataset archives,
 * keyed by the dataset ids the spec uses.
 *
 * @param job the service's job these files are for (its id and the upload names), which the published model and
 *            report name; null for a run outside the service
 */
public record PipelineInputs(Path model, Map<String, Path> datasets, JobReport.Job job) {
    public PipelineInputs {
        if (model == null) {
            throw new IllegalArgumentException("the model file is required");
        }
        datasets = datasets == null ? Map.of() : Map.copyOf(datasets);
    }

    public PipelineInputs(Path model, Map<String, Path> datasets) {
        this(model, datasets, null);
    }

    /** The archive of dataset {@code id}; a spec naming a dataset the caller did not provide is refused. */
    public Path dataset(String id) {
        Path path = datasets.get(id);
        if (path == null) {
            throw new JobFailedException(JobFailures.DATASET_NOT_FOUND, "the job names dataset '" + id
                    + "' but no file was provided for it");
        }
        return path;
    }
}
