package io.shears.pipeline;

import java.nio.file.Path;
import java.util.Map;

/**
 * Local files a job reads: the uploaded model (an .onnx file or a zip / tar.gz bundle) and the dataset archives,
 * keyed by the dataset ids the spec uses.
 */
public record PipelineInputs(Path model, Map<String, Path> datasets) {
    public PipelineInputs {
        if (model == null) {
            throw new IllegalArgumentException("the model file is required");
        }
        datasets = datasets == null ? Map.of() : Map.copyOf(datasets);
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
