package io.shears.report;

import io.shears.engine.evaluation.EvaluationResult;
import io.shears.pruning.PruningReport;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything a finished job reports, as {@code report.json} holds it and {@code report.html} shows it. Sections for
 * stages the spec did not ask for are null. Figures that do not exist (an accuracy over no sample, a validation loss
 * without a validation split) are null rather than NaN, so every JSON reader can parse the file.
 *
 * @param spec     the normalized job spec, echoed back so the report says exactly what ran
 * @param compute  the pruning core's compute report: MACs (FLOPs = 2 × MACs) and params before and after, every
 *                 group's channels before and after, frozen groups with their reasons
 * @param sweep    for a sweep job, every candidate with its figures; the other sections are the chosen candidate's
 * @param stages   every stage in order, with what happened to it and how long it took
 * @param job      the service's job that produced the report; null for a run outside the service
 */
@JsonPropertyOrder({"formatVersion", "job"})
public record JobReport(int formatVersion, Versions versions, JsonNode spec, Model model, PruningReport compute,
                        HeadChange head, Recalibration recalibration, FineTuning fineTuning, Accuracy accuracy,
                        Export export, Latency latency, Sweep sweep, List<StageTiming> stages, Job job) {
    public static final int FORMAT_VERSION = 1;

    /** A report of no service job (a pipeline run on its own); see {@link #withJob}. */
    public JobReport(int formatVersion, Versions versions, JsonNode spec, Model model, PruningReport compute,
                     HeadChange head, Recalibration recalibration, FineTuning fineTuning, Accuracy accuracy,
                     Export export, Latency latency, Sweep sweep, List<StageTiming> stages) {
        this(formatVersion, versions, spec, model, compute, head, recalibration, fineTuning, accuracy, export,
                latency, sweep, stages, null);
    }

    public JobReport withJob(Job job) {
        return new JobReport(formatVersion, versions, spec, model, compute, head, recalibration, fineTuning, accuracy,
                export, latency, sweep, stages, job);
    }

    /**
     * The job as its owner knows it: the names the model and datasets were uploaded under (the spec has only their
     * ids) and when the job started and ended. The times are the job record's, so they are null until the service
     * publishes the report.
     *
     * @param datasetNames the upload name of every dataset the job read, by id
     */
    public record Job(String id, String modelName, Map<String, String> datasetNames, Instant startedAt,
                      Instant finishedAt) {
        public Job {
            datasetNames = datasetNames == null ? Map.of() : Map.copyOf(datasetNames);
        }

        public Job withTimes(Instant started, Instant finished) {
            return new Job(id, modelName, datasetNames, started, finished);
        }

        /** The dataset's upload name, or its id when the job does not know the name. */
        public String datasetName(String datasetId) {
            return datasetNames.getOrDefault(datasetId, datasetId);
        }
    }

    /** The title of the report: the name the model was uploaded under, else the name the analysis found. */
    public String title() {
        if (job != null && job.modelName() != null) {
            return job.modelName();
        }
        return model == null ? "model" : model.name();
    }

    /** How the report shows a dataset: its upload name, or its id outside the service. */
    public String datasetLabel(String datasetId) {
        return job == null ? datasetId : job.datasetName(datasetId);
    }

    /** Versions of the components that produced the figures; {@code pytorchNative} includes its flavour (cpu, cu124). */
    public record Versions(String shears, String djl, String pytorchNative, String onnxRuntime, String java) {
    }

    /**
     * The uploaded model as analysed.
     *
     * @param inputShape  the input shape the analysis used (a dynamic batch taken as 1)
     * @param outputShape the original output shape at that input
     * @param classes     the original output size (axis 1)
     */
    public record Model(String name, String sha256, String inputName, List<Long> inputShape, List<Long> outputShape,
                        long classes, int batchNormNodes) {
    }

    /** What head replacement did for a dataset with another class count. */
    public record HeadChange(String mode, boolean replaced, String node, long oldClasses, long newClasses) {
    }

    public record Recalibration(String datasetId, boolean applied, String note, int layers, int batches,
                                long samples) {
    }

    /**
     * @param resumedAtEpoch the epoch a rerun resumed at from its checkpoint, 0 when it ran straight through
     * @param trainFlops     training FLOPs spent: 3 × forward FLOPs per sample seen
     * @param threads        PyTorch's intra-op threads during training. On a CPU the trained weights depend on it (a
     *                       reduction split over more threads adds in another order), so a rerun reproduces the
     *                       bytes only with the same count on the same kind of CPU. Null in stage results written
     *                       before it was recorded
     * @param threading      how PyTorch's threads were set up for the run; null in stage results written before it
     *                       was recorded
     */
    public record FineTuning(String datasetId, List<Epoch> epochs, long steps, long trainFlops,
                             boolean budgetReached, int resumedAtEpoch, Integer threads, Threading threading) {
        public FineTuning {
            epochs = List.copyOf(epochs);
        }
    }

    /**
     * The threads a native library ran with and what they were sized by.
     *
     * @param intraopThreads      threads that split one operator's work
     * @param interopThreads      threads that run independent operators side by side
     * @param availableProcessors the processors the JVM sees
     * @param cpuQuota            the control group's CPU limit in CPUs (a container's or pod's), null when there is
     *                            none; the default thread count is no higher
     * @param openMp              OpenMP's wait settings in the process's environment ({@code OMP_WAIT_POLICY},
     *                            {@code KMP_BLOCKTIME}, {@code GOMP_SPINCOUNT}, {@code OMP_NUM_THREADS}), "unset" for
     *                            one not set; PyTorch's OpenMP reads them once, when it loads
     * @param mallocTunables      glibc's allocator settings in the process's environment ({@code GLIBC_TUNABLES}),
     *                            "unset" when it is not set; glibc reads them once, when the process starts
     * @param jitCompilers        the JVM's just-in-time compilers: {@code c1} (the service on the CPU), {@code c1+c2},
     *                            {@code c2} or {@code unknown}; the JVM reads them once, when it starts
     */
    public record Threading(int intraopThreads, int interopThreads, int availableProcessors, Double cpuQuota,
                            Map<String, String> openMp, String mallocTunables, String jitCompilers) {
        public Threading {
            openMp = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(openMp == null ? Map.of() : openMp));
        }
    }

    /** One epoch as {@code training.csv} has it; the validation figures are null without a validation split. */
    public record Epoch(int epoch, long steps, long samples, Double trainLoss, Double trainAccuracy, Double valLoss,
                        Double valTop1, long trainFlops, double seconds) {
    }

    /**
     * Accuracy of the model after each stage, on one dataset split. A stage that did not run, or whose model cannot be
     * evaluated on the dataset, is null and {@code notes} says why, keyed by the stage field's name. {@code runtime}
     * names what computed the figures: {@code onnxruntime} (on the CPU) or {@code interpreter} (on a GPU, or for a
     * model ONNX Runtime does not take, when {@code notes.runtime} says why); null in reports written before it was
     * recorded.
     */
    public record Accuracy(String datasetId, String split, List<String> classes, Evaluation original,
                           Evaluation prunedZeroShot, Evaluation recalibrated, Evaluation fineTuned, String runtime,
                           Map<String, String> notes) {
        public Accuracy {
            classes = List.copyOf(classes);
            notes = Map.copyOf(notes);
        }
    }

    /**
     * @param top5             null with fewer than five classes
     * @param perClass         top-1 accuracy per true class, null for a class without samples
     * @param confusion        {@code confusion[trueClass][predictedClass]} sample counts; null past
     *                         {@link #MAX_CONFUSION_CLASSES} classes, and {@code confusionOmitted} says so
     * @param confusionOmitted why {@code confusion} is null, else null
     */
    public record Evaluation(long samples, Double top1, Double top5, Double meanLoss, List<Double> perClass,
                             long[][] confusion, String confusionOmitted) {
        /**
         * The matrix has classes² cells, so past this many classes it would outgrow everything else in the report
         * (5,000 classes made 150 MB); per-class accuracy, which grows linearly, is kept at any count.
         */
        public static final int MAX_CONFUSION_CLASSES = 100;

        public static Evaluation of(EvaluationResult r) {
            List<Double> perClass = new ArrayList<>();
            for (double a : r.perClassAccuracy()) {
                perClass.add(finite(a));
            }
            boolean keep = r.classCount() <= MAX_CONFUSION_CLASSES;
            return new Evaluation(r.samples(), finite(r.top1()),
                    r.top5().isPresent() ? finite(r.top5().getAsDouble()) : null, finite(r.meanLoss()),
                    perClass, keep ? r.confusion() : null, keep ? null : "the dataset has " + r.classCount()
                    + " classes; the confusion matrix is kept only up to " + MAX_CONFUSION_CLASSES
                    + " (it grows with the square of the class count); perClass has every class's accuracy");
        }
    }

    /** The published model: its digest and size, and what ONNX Runtime produced from it at batch 1. */
    public record Export(String sha256, long bytes, List<Long> outputShape) {
    }

    /**
     * ONNX Runtime CPU latency, original against pruned, per batch size, their runs alternating.
     *
     * @param threads           intra-op threads (one inter-op thread, sequential execution)
     * @param warmup            untimed runs of each model before the timed ones
     * @param runs              timed runs of each model at most, per batch size
     * @param maxSeconds        the stage's time allowed; null in results written before it was recorded
     * @param stableHalfWidth   a batch size stops once both medians' 95% confidence intervals are this narrow,
     *                          relative to the median; null in results written before it was recorded
     */
    public record Latency(int threads, int warmup, int runs, List<LatencyComparison> batches, Integer maxSeconds,
                          Double stableHalfWidth) {
        public Latency {
            batches = List.copyOf(batches);
        }
    }

    /**
     * @param speedUp original median / pruned median; null when a batch size could not be measured ({@code note})
     * @param stop    why the runs stopped: {@code stable}, {@code max-runs} or {@code time} (the time allowed ran out
     *                first, so the medians are less sure); null when not measured
     */
    public record LatencyComparison(int batch, LatencyFigures original, LatencyFigures pruned, Double speedUp,
                                    String note, String stop) {
    }

    /**
     * Milliseconds per batch over the timed runs: the median, the spread (10th and 90th percentile, minimum,
     * maximum) and the run count; samples per second at the median. The percentiles and count are null in results
     * written before they were recorded.
     */
    public record LatencyFigures(double medianMs, double minMs, double maxMs, double samplesPerSecond, Double p10Ms,
                                 Double p90Ms, Integer runs) {
    }

    /**
     * The compute-optimal frontier a sweep measured: each candidate pruned to its fraction, fine-tuned within the
     * same training budget and evaluated on the same split as {@code accuracy}.
     *
     * @param trainFlops the fine-tuning budget of every candidate (3 × forward FLOPs per sample seen)
     */
    public record Sweep(long trainFlops, List<SweepCandidate> candidates) {
        public Sweep {
            candidates = List.copyOf(candidates);
        }

        public SweepCandidate chosen() {
            return candidates.stream().filter(SweepCandidate::chosen).findFirst().orElse(null);
        }
    }

    /**
     * One candidate of a sweep. An unreachable one (the pruning cannot get its MACs down to the fraction) has only
     * its fraction and the reason in {@code note}; every figure of it is null.
     *
     * @param macs            MACs of the pruned candidate (FLOPs = 2 × MACs)
     * @param trainFlopsSpent training FLOPs its fine-tuning spent, at most the sweep's budget
     * @param samplesSeen     training samples its fine-tuning took, over all epochs
     * @param epochs          epochs its fine-tuning started (the last one cut short when the budget ran out)
     * @param chosen          the most accurate candidate (top-1; on a tie, the one with fewer MACs), published
     */
    public record SweepCandidate(double fraction, boolean reachable, Long macs, Long flops, Long params,
                                 Long trainFlopsSpent, Long samplesSeen, Integer epochs, Double top1, Double top5,
                                 Double meanLoss, boolean chosen, String note) {
    }

    /**
     * @param status {@code done} (ran now), {@code resumed} (finished by an earlier run of the same job, taken from its
     *               work directory), or {@code skipped} (the spec does not ask for it)
     * @param millis time the stage took when it ran
     */
    public record StageTiming(String stage, String status, long millis) {
    }

    /** The value, or null when it is NaN or infinite (JSON has no such numbers). */
    public static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
