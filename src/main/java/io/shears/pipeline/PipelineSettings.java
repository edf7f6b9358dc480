package io.shears.pipeline;

import io.shears.data.DatasetLimits;
import io.shears.data.DatasetOptions;
import io.shears.engine.latency.LatencyMeter;
import io.shears.engine.startup.CpuQuota;
import io.shears.engine.startup.EngineSettings;
import io.shears.onnx.ModelLimits;

import java.util.List;

/**
 * How a worker runs pipelines, as opposed to what a job asks for ({@link JobSpec}).
 *
 * @param latencyBatches      batch sizes ONNX Runtime latency is measured at; empty skips the benchmark
 * @param latencyWarmup       discarded runs before timing
 * @param latencyRuns         timed runs; the report gives their median
 * @param latencyThreads      ONNX Runtime intra-op threads for the benchmark and the export check
 * @param evaluationBatchSize batch size of evaluation passes
 * @param calibrationBatchSize batch size of BatchNorm recalibration
 * @param valFraction         share held out for validation from a fine-tuning dataset without its own validation split
 * @param engine              how to start DJL's PyTorch engine; it is started only when a stage needs it
 * @param shearsVersion       reported as the Shears version
 */
public record PipelineSettings(List<Integer> latencyBatches, int latencyWarmup, int latencyRuns, int latencyThreads,
                               int evaluationBatchSize, int calibrationBatchSize, double valFraction,
                               ModelLimits modelLimits, DatasetLimits datasetLimits, EngineSettings engine,
                               String shearsVersion) {
    public PipelineSettings {
        latencyBatches = List.copyOf(latencyBatches);
        if (latencyBatches.stream().anyMatch(b -> b < 1) || latencyWarmup < 0 || latencyRuns < 1
                || latencyThreads < 1) {
            throw new IllegalArgumentException("latency batches, runs and threads must be positive, warm-up "
                    + "non-negative");
        }
        if (evaluationBatchSize < 1 || calibrationBatchSize < 1) {
            throw new IllegalArgumentException("batch sizes must be positive");
        }
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new IllegalArgumentException("valFraction must be in [0, 1), is " + valFraction);
        }
        if (modelLimits == null || datasetLimits == null || engine == null) {
            throw new IllegalArgumentException("limits and engine settings are required");
        }
        shearsVersion = shearsVersion == null || shearsVersion.isBlank() ? "unknown" : shearsVersion;
    }

    /**
     * {@link LatencyMeter}'s batches and runs on one thread per CPU the process may use ({@link CpuQuota}),
     * evaluation batches of 64, calibration batches of 32, 10% held out, default limits, the engine as the JVM system
     * properties configure it.
     */
    public static PipelineSettings defaults() {
        return new PipelineSettings(LatencyMeter.DEFAULT_BATCHES, LatencyMeter.DEFAULT_WARMUP,
                LatencyMeter.DEFAULT_RUNS, CpuQuota.ofThisProcess().threads(), 64, 32,
                DatasetOptions.DEFAULT_VAL_FRACTION, ModelLimits.defaults(), DatasetLimits.defaults(),
                EngineSettings.fromSystemProperties(), implementationVersion());
    }

    /** The version in the jar's manifest; "unknown" when running from classes (an IDE, the tests). */
    public static String implementationVersion() {
        String version = PipelineSettings.class.getPackage().getImplementationVersion();
        return version == null || version.isBlank() ? "unknown" : version;
    }

    public PipelineSettings withLatency(List<Integer> batches, int warmup, int runs, int threads) {
        return new PipelineSettings(batches, warmup, runs, threads, evaluationBatchSize, calibrationBatchSize,
                valFraction, modelLimits, datasetLimits, engine, shearsVersion);
    }

    public PipelineSettings withBatchSizes(int evaluation, int calibration) {
        return new PipelineSettings(latencyBatches, latencyWarmup, latencyRuns, latencyThreads, evaluation,
                calibration, valFraction, modelLimits, datasetLimits, engine, shearsVersion);
    }

    public PipelineSettings withValFraction(double fraction) {
        return new PipelineSettings(latencyBatches, latencyWarmup, latencyRuns, latencyThreads, evaluationBatchSize,
                calibrationBatchSize, fraction, modelLimits, datasetLimits, engine, shearsVersion);
    }

    public PipelineSettings withLimits(ModelLimits model, DatasetLimits dataset) {
        return new PipelineSettings(latencyBatches, latencyWarmup, latencyRuns, latencyThreads, evaluationBatchSize,
                calibrationBatchSize, valFraction, model, dataset, engine, shearsVersion);
    }

    public PipelineSettings withEngine(EngineSettings settings) {
        return new PipelineSettings(latencyBatches, latencyWarmup, latencyRuns, latencyThreads, evaluationBatchSize,
                calibrationBatchSize, valFraction, modelLimits, datasetLimits, settings, shearsVersion);
    }
}
