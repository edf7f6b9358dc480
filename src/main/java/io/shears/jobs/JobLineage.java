package io.shears.jobs;

import io.shears.catalog.DatasetCatalog;
import io.shears.catalog.ModelCatalog;
import io.shears.config.ServiceException;
import io.shears.pipeline.JobSpec;
import io.shears.pipeline.PipelineResult;
import io.shears.report.JobReport;
import io.shears.report.ReportHtml;
import io.shears.report.ReportJson;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a job's published files say about the job: its id and the names its model and datasets were uploaded under
 * (given to the pipeline, which writes them into the model and the report), and the job's start and end times, which
 * only the service knows and which go into the report as it is published.
 */
@Component
class JobLineage {
    private final ModelCatalog models;
    private final DatasetCatalog datasets;

    JobLineage(ModelCatalog models, DatasetCatalog datasets) {
        this.models = models;
        this.datasets = datasets;
    }

    /** The job as its report names it, before it has times. */
    JobReport.Job describe(String tenant, String jobId, JobSpec spec) {
        Map<String, String> names = new LinkedHashMap<>();
        for (String id : spec.datasetIds()) {
            names.put(id, datasetName(tenant, id));
        }
        return new JobReport.Job(jobId, models.get(tenant, spec.modelId()).name(), names, null, null);
    }

    /** Rewrites the report the pipeline left with the job's start and end times. */
    void stampTimes(PipelineResult result, Instant started, Instant finished) {
        JobReport report = ReportJson.read(result.reportJson());
        JobReport.Job job = report.job();
        if (job == null) {
            return;
        }
        JobReport stamped = report.withJob(job.withTimes(started, finished));
        ReportJson.write(stamped, result.reportJson());
        ReportHtml.write(stamped, result.reportHtml());
    }

    /** A dataset deleted since the job was submitted is named by its id: the job itself fails on it later. */
    private String datasetName(String tenant, String id) {
        try {
            return datasets.get(tenant, id).name();
        } catch (ServiceException e) {
            return id;
        }
    }
}
