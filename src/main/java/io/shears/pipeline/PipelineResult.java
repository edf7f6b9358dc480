package io.shears.pipeline;

import io.shears.report.JobSummary;

import java.nio.file.Path;

/**
 * The files a finished job publishes, all in the work directory's {@code output} folder.
 *
 * @param trainingCsv one row per fine-tuning epoch; null when the job did not fine-tune
 */
public record PipelineResult(Path model, Path reportJson, Path reportHtml, Path trainingCsv, JobSummary summary) {
}
