package io.shears.jobs;

import io.shears.artifacts.ArtifactCatalog;
import io.shears.artifacts.ArtifactRecord;
import io.shears.artifacts.ArtifactStore;
import io.shears.report.JobReport;
import io.shears.report.ReportJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Logs every job that ran as an MLflow run, when {@code shears.mlflow.uri} is set: the spec as params, the summary
 * and every fine-tuning epoch as metrics (one step per epoch), the job's id, state, labels and artifact links as tags,
 * the artifacts themselves when the server proxies its artifact store, and the run's status and times from the job's.
 * It runs after the job ended, on a thread of its own, and a tracking server that fails is logged and never fails
 * the job.
 */
@Component
@EnableConfigurationProperties(MlflowProperties.class)
public class MlflowTracking implements AutoCloseable {
    /** MLflow keeps a param's value up to this length in every version since 1.x. */
    static final int MAX_PARAM_LENGTH = 500;
    private static final Logger log = LoggerFactory.getLogger(MlflowTracking.class);

    private final MlflowProperties properties;
    private final MlflowClient client;
    private final ArtifactCatalog artifacts;
    private final ArtifactStore store;
    private final JsonMapper json;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "shears-mlflow");
        t.setDaemon(true);
        return t;
    });

    public MlflowTracking(MlflowProperties properties, ArtifactCatalog artifacts, ArtifactStore store,
                          JsonMapper json) {
        this.properties = properties;
        this.client = new MlflowClient(properties, json);
        this.artifacts = artifacts;
        this.store = store;
        this.json = json;
    }

    /** Logs the ended job as a run, in the background. */
    void jobEnded(String tenant, JobView job) {
        if (!properties.enabled() || job.startedAt() == null) {
            return;
        }
        sender.submit(() -> {
            try {
                log(tenant, job);
            } catch (IOException | RuntimeException e) {
                log.warn("Job {}: could not log it to MLflow at {}: {}", job.id(), properties.uri(), e.toString());
            }
        });
    }

    private void log(String tenant, JobView job) throws IOException {
        List<ArtifactRecord> published = job.result() == null ? List.of() : artifacts.forJob(tenant, job.id());
        JobReport report = report(published);
        String experiment = client.experimentId(properties.experiment());
        MlflowClient.Run run = client.createRun(experiment, job.id(), job.startedAt().toEpochMilli(),
                Map.of("shears.job_id", job.id()));
        long end = job.finishedAt().toEpochMilli();
        try {
            Map<String, String> tags = tags(job, report);
            uploadArtifacts(job, run, published, tags);
            client.logBatch(run.id(), metrics(job, report), params(job), tags);
        } catch (IOException | RuntimeException e) {
            // Not left RUNNING for ever: the run says it is incomplete, and the failure is logged by the caller.
            client.updateRun(run.id(), "FAILED", end);
            throw e;
        }
        client.updateRun(run.id(), status(job.state()), end);
        log.info("Job {} logged to MLflow as run {}", job.id(), run.id());
    }

    /**
     * Uploads the artifacts where the server proxies its artifact store; the links in the tags stand for them where
     * it does not, or where an upload fails (a server started without --serve-artifacts refuses them).
     */
    private void uploadArtifacts(JobView job, MlflowClient.Run run, List<ArtifactRecord> published,
                                 Map<String, String> tags) {
        for (ArtifactRecord a : published) {
            try {
                if (!client.uploadArtifact(run, a.name(), content(a))) {
                    return;
                }
                tags.put("shears.artifact." + a.name() + ".logged", "true");
            } catch (IOException | UncheckedIOException e) {
                log.warn("Job {}: MLflow took no artifact ({}); the run links to them instead", job.id(),
                        e.toString());
                return;
            }
        }
    }

    private JobReport report(List<ArtifactRecord> published) throws IOException {
        for (ArtifactRecord a : published) {
            if (a.name().equals("report.json")) {
                try (InputStream in = store.open(a.sha256(), 0)) {
                    return ReportJson.MAPPER.readValue(in, JobReport.class);
                }
            }
        }
        return null;
    }

    private Supplier<InputStream> content(ArtifactRecord artifact) {
        return () -> {
            try {
                return store.open(artifact.sha256(), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /** The spec's fields by JSON path ({@code budget.fraction}, {@code fineTune.epochs}), absent ones left out. */
    private Map<String, String> params(JobView job) {
        Map<String, String> out = new TreeMap<>();
        flatten("", json.valueToTree(job.spec()), out);
        out.remove("callbackUrl");
        out.keySet().removeIf(k -> k.startsWith("labels."));
        out.replaceAll((k, v) -> v.length() > MAX_PARAM_LENGTH ? v.substring(0, MAX_PARAM_LENGTH) : v);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node == null || node.isNull()) {
            return;
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), out);
            }
        } else if (node.isValueNode()) {
            out.put(prefix, node.asString());
        } else {
            out.put(prefix, node.toString());
        }
    }

    private Map<String, String> tags(JobView job, JobReport report) {
        Map<String, String> out = new TreeMap<>();
        out.put("shears.state", job.state().name());
        out.put("shears.model_id", job.modelId());
        if (job.worker() != null) {
            out.put("shears.worker", job.worker());
        }
        if (job.error() != null) {
            out.put("shears.error_code", job.error().code());
        }
        if (report != null && report.job() != null) {
            out.put("shears.model_name", report.job().modelName());
            report.job().datasetNames().forEach((id, name) -> out.put("shears.dataset." + id, name));
        }
        job.labels().forEach((k, v) -> out.put("label." + k, v));
        if (job.result() != null) {
            job.result().artifacts().forEach(a -> out.put("shears.artifact." + a.name(), a.url()));
        }
        return out;
    }

    /** The summary's figures at step 0, and every fine-tuning epoch's at its epoch. */
    private static List<MlflowClient.Metric> metrics(JobView job, JobReport report) {
        long at = job.finishedAt() == null ? Instant.now().toEpochMilli() : job.finishedAt().toEpochMilli();
        List<MlflowClient.Metric> out = new ArrayList<>();
        if (job.result() != null) {
            job.result().summary().forEach((key, value) -> {
                if (value instanceof Number n) {
                    out.add(new MlflowClient.Metric(key, n.doubleValue(), at, 0));
                }
            });
        }
        if (report != null && report.fineTuning() != null) {
            for (JobReport.Epoch e : report.fineTuning().epochs()) {
                add(out, "train_loss", e.trainLoss(), at, e.epoch());
                add(out, "train_accuracy", e.trainAccuracy(), at, e.epoch());
                add(out, "val_loss", e.valLoss(), at, e.epoch());
                add(out, "val_top1", e.valTop1(), at, e.epoch());
                add(out, "train_flops", (double) e.trainFlops(), at, e.epoch());
            }
        }
        return out;
    }

    private static void add(List<MlflowClient.Metric> out, String key, Double value, long at, int step) {
        if (value != null) {
            out.add(new MlflowClient.Metric(key, value, at, step));
        }
    }

    private static String status(JobState state) {
        return switch (state) {
            case SUCCEEDED -> "FINISHED";
            case CANCELLED -> "KILLED";
            default -> "FAILED";
        };
    }

    @Override
    public void close() {
        sender.shutdown();
    }
}
