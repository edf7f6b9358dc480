package io.shears.pipeline;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnxruntime.OrtEnvironment;
import io.shears.data.Batch;
import io.shears.data.Dataset;
import io.shears.data.Split;
import io.shears.engine.InterpreterSession;
import io.shears.engine.ModelEvaluation;
import io.shears.engine.latency.LatencyComparison;
import io.shears.engine.latency.LatencyMeter;
import io.shears.engine.latency.LatencyStatistics;
import io.shears.engine.latency.TimedSession;
import io.shears.engine.startup.CpuQuota;
import io.shears.engine.startup.EngineInfo;
import io.shears.engine.startup.EngineSetup;
import io.shears.engine.startup.EngineSetupException;
import io.shears.engine.startup.JitCompilers;
import io.shears.engine.startup.MallocTunables;
import io.shears.engine.startup.NativeBuild;
import io.shears.engine.startup.NativeLibraryCheck;
import io.shears.engine.startup.OpenMpEnvironment;
import io.shears.engine.training.BatchNormRecalibration;
import io.shears.engine.training.FineTuneResult;
import io.shears.engine.training.FineTuneSpec;
import io.shears.engine.training.FineTuner;
import io.shears.engine.training.TrainingSlot;
import io.shears.engine.training.ValidationPlan;
import io.shears.files.AtomicFiles;
import io.shears.files.Sha256;
import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.graph.ShapeInference;
import io.shears.graph.Shapes;
import io.shears.onnx.ModelReader;
import io.shears.onnx.ModelWriter;
import io.shears.pruning.ClassifierHead;
import io.shears.pruning.HeadReplacement;
import io.shears.pruning.Pruner;
import io.shears.pruning.PruningReport;
import io.shears.pruning.PruningResult;
import io.shears.report.JobReport;
import io.shears.report.JobSummary;
import io.shears.report.ReportHtml;
import io.shears.report.ReportJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * One compression job from uploaded model to published files: analyse the model, prune it zero-shot to the budget
 * (replacing the head first when fine-tuning on a dataset with another class count), optionally recalibrate
 * BatchNorm statistics and fine-tune, evaluate after every stage, export, prove the export runs in ONNX Runtime, and
 * measure its latency against the original's. It writes {@code model.onnx}, {@code report.json},
 * {@code report.html} and, when it fine-tuned, {@code training.csv} to {@code workDir/output}.
 *
 * <p>Each finished stage leaves its result in {@code workDir/state}, so calling {@link #run} again on the same
 * directory (after a crash, a cancellation or a worker's death) skips the finished stages and resumes fine-tuning from
 * its last epoch checkpoint. Every stage reads its input model from the previous stage's file, so no more than the
 * model in hand (and, while pruning, its cut copy) is held in memory.
 *
 * <p>A spec with a {@code sweep} runs this pipeline once per candidate fraction, each in a directory of its own
 * (see {@link SweepRun}), and publishes the most accurate candidate.
 *
 * <p>Every failure surfaces as a {@link JobFailedException} with a stable code (see {@link JobFailures}), or as a
 * {@link JobCancelledException} when the listener cancels or the thread is interrupted. The same model, spec and
 * datasets give the same {@code model.onnx} bytes.
 */
public final class JobPipeline {
    /** Timed runs of each model before a batch size's medians are judged stable. */
    static final int MIN_BENCHMARK_RUNS = 5;
    /** A batch size stops once both medians' 95% confidence intervals are within 3% of them. */
    static final double STABLE_HALF_WIDTH = 0.03;

    private final PipelineSettings settings;

    public JobPipeline(PipelineSettings settings) {
        this.settings = settings;
    }

    public PipelineSettings settings() {
        return settings;
    }

    /**
     * Runs (or resumes) a job in {@code workDir}.
     *
     * @param normalizedSpec the job spec after {@link JobSpec#normalized()}
     * @param listener       hears stages and progress; may throw {@link JobCancelledException} from either to stop
     */
    public PipelineResult run(JobSpec normalizedSpec, PipelineInputs inputs, Path workDir, PipelineListener listener) {
        try {
            JobSpec spec = normalizedSpec.normalized();
            String modelDigest = sha256(inputs.model());
            if (spec.sweep() != null) {
                PipelineWorkspace workspace = new PipelineWorkspace(workDir);
                workspace.open(fingerprint(spec, modelDigest));
                return new SweepRun(this, spec, inputs, workspace, listener, modelDigest).execute();
            }
            return runSingle(spec, inputs, workDir, listener, modelDigest, true);
        } catch (Throwable t) {
            throw JobFailures.map(t);
        }
    }

    /**
     * Runs (or resumes) one model's pipeline for a spec without a sweep: a job, or one candidate of a sweep.
     *
     * @param benchmark whether to measure latency (when the settings ask for it); a sweep measures its winner only
     */
    PipelineResult runSingle(JobSpec spec, PipelineInputs inputs, Path workDir, PipelineListener listener,
                             String modelDigest, boolean benchmark) {
        try {
            PipelineWorkspace workspace = new PipelineWorkspace(workDir);
            workspace.open(fingerprint(spec, modelDigest));
            Set<Stage> planned = plannedStages(spec);
            if (!benchmark) {
                planned.remove(Stage.BENCHMARK);
            }
            try (Run run = new Run(spec, inputs, workspace, listener, modelDigest, planned)) {
                return run.execute();
            }
        } catch (Throwable t) {
            throw JobFailures.map(t);
        }
    }

    /** The stages a spec runs, in order. */
    public Set<Stage> plannedStages(JobSpec spec) {
        Set<Stage> stages = EnumSet.of(Stage.ANALYZE, Stage.PRUNE, Stage.EXPORT);
        if (spec.calibration() != null) {
            stages.add(Stage.RECALIBRATE);
        }
        if (spec.fineTune() != null) {
            stages.add(Stage.FINETUNE);
        }
        if (spec.fineTune() != null || spec.evaluation() != null) {
            stages.add(Stage.EVALUATE);
        }
        if (!benchmarkBatches(spec).isEmpty()) {
            stages.add(Stage.BENCHMARK);
        }
        return stages;
    }

    /** What PRUNE leaves: the pruning core's report and, when the job fine-tunes, what became of the head. */
    record PruneOutcome(PruningReport report, JobReport.HeadChange head) {
    }

    /** One run of one job; owns the datasets it opens. */
    private final class Run implements AutoCloseable {
        private final JobSpec spec;
        private final PipelineInputs inputs;
        private final PipelineWorkspace workspace;
        private final Set<Stage> planned;
        private final PipelineProgress progress;
        private final String modelDigest;
        private final ModelReader reader;
        private final List<JobReport.StageTiming> timings = new ArrayList<>();
        private JobDatasets datasets;
        private EngineInfo engine;

        Run(JobSpec spec, PipelineInputs inputs, PipelineWorkspace workspace, PipelineListener listener,
            String modelDigest, Set<Stage> planned) {
            this.spec = spec;
            this.inputs = inputs;
            this.workspace = workspace;
            this.planned = planned;
            this.progress = new PipelineProgress(listener, planned);
            this.modelDigest = modelDigest;
            this.reader = new ModelReader(settings.modelLimits());
        }

        PipelineResult execute() {
            JobReport.Model model = stage(Stage.ANALYZE, JobReport.Model.class, this::analyze);
            PruneOutcome pruned = stage(Stage.PRUNE, PruneOutcome.class, () -> prune(model));
            JobReport.Recalibration recalibration = planned.contains(Stage.RECALIBRATE)
                    ? stage(Stage.RECALIBRATE, JobReport.Recalibration.class, () -> recalibrate(model))
                    : skipped(Stage.RECALIBRATE);
            Path recalibrated = workspace.stateFile(recalibration != null && recalibration.applied()
                    ? PipelineWorkspace.RECALIBRATED : PipelineWorkspace.PRUNED);
            JobReport.FineTuning fineTuning = planned.contains(Stage.FINETUNE)
                    ? stage(Stage.FINETUNE, JobReport.FineTuning.class, () -> fineTune(recalibrated))
                    : skipped(Stage.FINETUNE);
            Path result = fineTuning != null ? workspace.stateFile(PipelineWorkspace.FINE_TUNED) : recalibrated;
            JobReport.Accuracy accuracy = planned.contains(Stage.EVALUATE)
                    ? stage(Stage.EVALUATE, JobReport.Accuracy.class,
                    () -> evaluate(pruned.head(), recalibration, fineTuning != null))
                    : skipped(Stage.EVALUATE);
            JobReport.Export export = stage(Stage.EXPORT, JobReport.Export.class,
                    () -> export(model, pruned, accuracy, result));
            JobReport.Latency latency = planned.contains(Stage.BENCHMARK)
                    ? stage(Stage.BENCHMARK, JobReport.Latency.class, () -> benchmark(model))
                    : skipped(Stage.BENCHMARK);

            JobReport report = new JobReport(JobReport.FORMAT_VERSION, versions(), ReportJson.toTree(spec), model,
                    pruned.report(), pruned.head(), recalibration, fineTuning, accuracy, export, latency, null,
                    List.copyOf(timings), inputs.job());
            Path json = workspace.outputFile("report.json");
            Path html = workspace.outputFile("report.html");
            ReportJson.write(report, json);
            ReportHtml.write(report, html);
            Path csv = null;
            if (fineTuning != null) {
                csv = workspace.outputFile("training.csv");
                copyAtomically(workspace.stateFile("training.csv"), csv);
            }
            progress.finished();
            return new PipelineResult(workspace.outputFile("model.onnx"), json, html, csv, JobSummary.of(report));
        }

        private <T> T stage(Stage stage, Class<T> type, Supplier<T> work) {
            PipelineWorkspace.Finished<T> done = workspace.finished(stage, type);
            if (done != null) {
                timings.add(new JobReport.StageTiming(stage.name(), "resumed", done.millis()));
                return done.result();
            }
            progress.enter(stage);
            long start = System.nanoTime();
            T result = work.get();
            long millis = (System.nanoTime() - start) / 1_000_000;
            workspace.finish(stage, millis, result);
            timings.add(new JobReport.StageTiming(stage.name(), "done", millis));
            progress.within(1.0);
            return result;
        }

        private <T> T skipped(Stage stage) {
            timings.add(new JobReport.StageTiming(stage.name(), "skipped", 0));
            return null;
        }

        // ------------------------------------------------------------------ ANALYZE

        private JobReport.Model analyze() {
            ModelProto original = reader.read(inputs.model());
            Graph graph = new Graph(original);
            if (graph.inputs().size() != 1) {
                throw new JobFailedException(JobFailures.MODEL_SHAPE_UNSUPPORTED, "a job needs a model with one "
                        + "input (an image batch); this one has " + graph.inputs().size());
            }
            String inputName = graph.inputs().get(0).getName();
            Shapes shapes = ShapeInference.infer(graph, spec.inputShapes());
            long[] input = shapes.dims(inputName);
            long[] output = graph.outputs().isEmpty() ? new long[0] : shapes.dims(graph.outputs().get(0));
            int batchNorms = (int) graph.nodes().stream()
                    .filter(n -> n.domain().isEmpty() && n.op().equals("BatchNormalization")).count();
            String name = original.getGraph().getName().isBlank()
                    ? inputs.model().getFileName().toString() : original.getGraph().getName();
            long classes = output.length >= 2 ? output[1] : -1;
            JobReport.Model model = new JobReport.Model(name, modelDigest, inputName, boxed(input), boxed(output),
                    classes, batchNorms);
            progress.within(0.3);
            checkDatasets(model, graph.outputs().size());
            return model;
        }

        /** Opens every dataset the spec names before any costly stage, so a bad one fails the job at once. */
        private void checkDatasets(JobReport.Model model, int outputs) {
            long classes = ClassifierHead.declaredClasses(model.outputShape());
            JobSpec.FineTuneSection ft = spec.fineTune();
            if ((ft != null || spec.evaluation() != null) && (outputs != 1 || classes < 0)) {
                throw new JobFailedException(JobFailures.MODEL_SHAPE_UNSUPPORTED, "evaluating or fine-tuning on a "
                        + "labelled dataset needs a classifier with one output of shape [N, classes]; this model "
                        + "has " + outputs + " output(s), the first of shape " + model.outputShape());
            }
            if (ft != null) {
                int datasetClasses = datasets(model).get(ft.datasetId()).classCount();
                if (ft.headMode() == HeadReplacement.Mode.KEEP && datasetClasses != classes) {
                    throw classMismatch(ft.datasetId(), datasetClasses, classes, "fineTune.head is keep; use auto "
                            + "or replace to give the model a new head for the dataset's classes");
                }
                classes = datasetClasses;
            }
            if (spec.evaluation() != null) {
                String id = spec.evaluation().datasetId();
                int datasetClasses = datasets(model).get(id).classCount();
                if (datasetClasses != classes) {
                    throw classMismatch(id, datasetClasses, classes, ft == null
                            ? "without fine-tuning the model keeps its head" : "the fine-tuned model's head has "
                            + classes + " outputs, one per class of fine-tuning dataset '" + ft.datasetId() + "'");
                }
            }
            if (spec.calibration() != null) {
                datasets(model).get(spec.calibration().datasetId());
            }
        }

        private JobFailedException classMismatch(String id, int datasetClasses, long modelClasses, String why) {
            return new JobFailedException(JobFailures.DATASET_CLASSES_MISMATCH, "dataset '" + id + "' has "
                    + datasetClasses + " classes but the model outputs " + modelClasses + ": " + why);
        }

        // ------------------------------------------------------------------ PRUNE

        private PruneOutcome prune(JobReport.Model analysed) {
            ModelProto model = reader.read(inputs.model());
            JobReport.HeadChange head = null;
            JobSpec.FineTuneSection ft = spec.fineTune();
            if (ft != null) {
                int classes = datasets(analysed).get(ft.datasetId()).classCount();
                HeadReplacement.Result replaced = HeadReplacement.apply(model, classes,
                        ft.headMode(), ft.seed());
                head = new JobReport.HeadChange(ft.head(), replaced.replaced(), replaced.headNode(),
                        replaced.oldClasses(), replaced.newClasses());
                model = replaced.model();
            }
            progress.within(0.1);
            PruningResult result = Pruner.prune(model, spec.toBudget(), spec.toPruningOptions());
            model = null;
            progress.within(0.9);
            ModelWriter.write(result.model(), workspace.stateFile(PipelineWorkspace.PRUNED));
            return new PruneOutcome(result.report(), head);
        }

        // ------------------------------------------------------------------ RECALIBRATE

        private JobReport.Recalibration recalibrate(JobReport.Model analysed) {
            JobSpec.CalibrationSpec calibration = spec.calibration();
            if (analysed.batchNormNodes() == 0) {
                return new JobReport.Recalibration(calibration.datasetId(), false, "the model has no "
                        + "BatchNormalization node, so there are no statistics to recalibrate", 0, 0, 0);
            }
            Dataset dataset = datasets(analysed).get(calibration.datasetId());
            startEngine();
            int batchSize = settings.calibrationBatchSize();
            int batches = Math.min(calibration.batches(), dataset.batchCount(Split.TRAIN, batchSize, false));
            try (InterpreterSession session = InterpreterSession.open(
                    reader.read(workspace.stateFile(PipelineWorkspace.PRUNED)), settings.engine())) {
                Iterator<Batch> source = progress.tracking(dataset.batches(Split.TRAIN, batchSize, 0, true, false),
                        batches, 0, 0.95);
                BatchNormRecalibration.Report r = session.recalibrate(source, calibration.batches());
                ModelWriter.write(session.exportModel(), workspace.stateFile(PipelineWorkspace.RECALIBRATED));
                return new JobReport.Recalibration(calibration.datasetId(), r.applied(), r.note(), r.layers(),
                        r.batches(), r.samples());
            }
        }

        // ------------------------------------------------------------------ FINETUNE

        private JobReport.FineTuning fineTune(Path source) {
            JobSpec.FineTuneSection f = spec.fineTune();
            Dataset dataset = datasets(null).get(f.datasetId());
            startEngine();
            FineTuneSpec tuning = FineTuneSpec.defaults(FineTuneSpec.OptimizerKind.parse(f.optimizer()))
                    .withLearningRate(f.learningRate().floatValue()).withWeightDecay(f.weightDecay().floatValue())
                    .withBatchSize(f.batchSize()).withEpochs(f.epochs())
                    .withMaxTrainFlops(f.maxTrainFlops() == null ? 0 : f.maxTrainFlops())
                    .withFreeze(FineTuneSpec.Freeze.parse(f.freeze()), List.of()).withSeed(f.seed());
            try (TrainingSlot slot = TrainingSlot.acquire();
                 InterpreterSession session = InterpreterSession.open(reader.read(source), settings.engine());
                 FineTuner tuner = session.fineTuner(dataset, tuning)) {
                // EVALUATE evaluates the fine-tuned model on the whole split; the tuner's own final pass would repeat it
                tuner.validating(new ValidationPlan(f.validationSamples(), false));
                TrainingFeed feed = new TrainingFeed(progress, tuner.plannedSteps());
                tuner.onStep(feed).onEpoch(feed);
                FineTuneResult result = tuner.resume(workspace.stateFile("training.csv"), workspace.checkpointDir());
                ModelWriter.write(session.exportModel(), workspace.stateFile(PipelineWorkspace.FINE_TUNED));
                List<JobReport.Epoch> epochs = result.epochs().stream().map(e -> new JobReport.Epoch(e.epoch(),
                        e.steps(), e.samples(), JobReport.finite(e.trainLoss()), JobReport.finite(e.trainAccuracy()),
                        JobReport.finite(e.valLoss()), JobReport.finite(e.valTop1()), e.trainFlops(), e.seconds()))
                        .toList();
                return new JobReport.FineTuning(f.datasetId(), epochs, result.steps(), result.trainFlops(),
                        result.budgetReached(), result.resumedAtEpoch(), engine.intraopThreads(), pytorchThreading());
            }
        }

        private JobReport.Threading pytorchThreading() {
            Map<String, String> openMp = new TreeMap<>();
            OpenMpEnvironment.inEffect().forEach((name, value) -> openMp.put(name, value == null ? "unset" : value));
            CpuQuota quota = CpuQuota.ofThisProcess();
            return new JobReport.Threading(engine.intraopThreads(), engine.interopThreads(),
                    Runtime.getRuntime().availableProcessors(),
                    quota.cpus().isPresent() ? quota.cpus().getAsDouble() : null, openMp,
                    Objects.requireNonNullElse(MallocTunables.inEffect(), "unset"), JitCompilers.inEffect());
        }

        // ------------------------------------------------------------------ EVALUATE

        private JobReport.Accuracy evaluate(JobReport.HeadChange head, JobReport.Recalibration recalibration,
                                            boolean fineTuned) {
            String id = spec.evaluation() != null ? spec.evaluation().datasetId() : spec.fineTune().datasetId();
            Dataset dataset = datasets(null).get(id);
            Split split = dataset.valCount() > 0 ? Split.VAL : Split.TRAIN;
            startEngine();
            boolean replaced = head != null && head.replaced();
            Map<String, String> notes = new TreeMap<>();
            Path original = null;
            if (replaced) {
                notes.put("original", "not evaluated: the head was replaced (" + head.oldClasses() + " outputs "
                        + "before, " + head.newClasses() + " after), so the original model's outputs do not stand "
                        + "for the dataset's classes");
                notes.put("prunedZeroShot", "with the new head, which is untrained until fine-tuning");
            } else {
                original = inputs.model();
            }
            Path recalibrated = null;
            if (recalibration == null) {
                notes.put("recalibrated", "the spec asks for no BatchNorm recalibration");
            } else if (!recalibration.applied()) {
                notes.put("recalibrated", "not applied: " + recalibration.note());
            } else {
                recalibrated = workspace.stateFile(PipelineWorkspace.RECALIBRATED);
            }
            Path tuned = fineTuned ? workspace.stateFile(PipelineWorkspace.FINE_TUNED) : null;
            if (!fineTuned) {
                notes.put("fineTuned", "the spec asks for no fine-tuning");
            }
            Path[] models = {original, workspace.stateFile(PipelineWorkspace.PRUNED), recalibrated, tuned};
            long count = Arrays.stream(models).filter(m -> m != null).count();
            JobReport.Evaluation[] results = new JobReport.Evaluation[models.length];
            Set<String> runtimes = new TreeSet<>();
            int done = 0;
            for (int i = 0; i < models.length; i++) {
                if (models[i] != null) {
                    ModelEvaluation.Outcome outcome = evaluate(models[i], dataset, split, done / (double) count,
                            1.0 / count);
                    results[i] = JobReport.Evaluation.of(outcome.result());
                    runtimes.add(outcome.runtime());
                    if (outcome.why() != null) {
                        notes.put("runtime", "the interpreter evaluated: " + outcome.why());
                    }
                    done++;
                }
            }
            return new JobReport.Accuracy(id, split.name().toLowerCase(java.util.Locale.ROOT), dataset.classes(),
                    results[0], results[1], results[2], results[3], String.join(", ", runtimes), notes);
        }

        private ModelEvaluation.Outcome evaluate(Path model, Dataset dataset, Split split, double first,
                                                 double span) {
            int batchSize = settings.evaluationBatchSize();
            return ModelEvaluation.evaluate(model, reader, settings.engine(), engine.intraopThreads(),
                    () -> progress.tracking(dataset.batches(split, batchSize, 0, false, false),
                            dataset.batchCount(split, batchSize, false), first, span), dataset.classCount());
        }

        // ------------------------------------------------------------------ EXPORT

        /** Publishes the model with its lineage in its metadata, and proves ONNX Runtime runs it. */
        private JobReport.Export export(JobReport.Model model, PruneOutcome pruned, JobReport.Accuracy accuracy,
                                        Path source) {
            Path target = workspace.outputFile("model.onnx");
            JobReport.Job job = inputs.job();
            ModelLineage lineage = new ModelLineage(settings.shearsVersion(), job == null ? null : job.id(),
                    modelDigest, job == null ? null : job.modelName(), pruned.report(),
                    JobSummary.finalTop1(accuracy), accuracy == null ? null : accuracy.datasetId());
            ModelWriter.write(lineage.stamp(reader.read(source)), target);
            JobReport.HeadChange head = pruned.head();
            long[] expected = model.outputShape().stream().mapToLong(Long::longValue).toArray();
            if (head != null && expected.length >= 2) {
                expected[1] = head.newClasses();
            }
            List<Long> shape = OrtExportCheck.verify(target, unboxed(model.inputShape()), expected,
                    settings.latencyThreads());
            try {
                return new JobReport.Export(sha256(target), Files.size(target), shape);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        // ------------------------------------------------------------------ BENCHMARK

        private JobReport.Latency benchmark(JobReport.Model model) {
            long started = System.nanoTime();
            long[] input = unboxed(model.inputShape());
            long[] sample = Arrays.copyOfRange(input, 1, input.length);
            List<Integer> batches = benchmarkBatches(spec);
            int maxRuns = spec.benchmark() != null && spec.benchmark().maxRuns() != null
                    ? spec.benchmark().maxRuns() : settings.latencyRuns();
            long allowed = spec.benchmarkSeconds() * 1_000_000_000L;
            ModelProto original = reader.read(inputs.model());
            long fixedBatch = fixedBatch(original);
            byte[] before = ModelWriter.toBytes(original);
            original = null;
            byte[] after = readAll(workspace.outputFile("model.onnx"));
            List<JobReport.LatencyComparison> rows = new ArrayList<>();
            for (int i = 0; i < batches.size(); i++) {
                progress.within(i / (double) batches.size());
                int batch = batches.get(i);
                if (fixedBatch > 0 && fixedBatch != batch) {
                    rows.add(new JobReport.LatencyComparison(batch, null, null, null, "not measured: the model's "
                            + "input has a fixed batch size of " + fixedBatch, null));
                    continue;
                }
                // each batch size gets an equal share of what is left, so an early one cannot starve the others
                long share = Math.max(1, (allowed - (System.nanoTime() - started)) / (batches.size() - i));
                LatencyComparison.Rule rule = new LatencyComparison.Rule(settings.latencyWarmup(),
                        Math.min(MIN_BENCHMARK_RUNS, maxRuns), maxRuns, STABLE_HALF_WIDTH, share);
                rows.add(compare(before, after, sample, batch, rule));
            }
            return new JobReport.Latency(settings.latencyThreads(), settings.latencyWarmup(), maxRuns, rows,
                    spec.benchmarkSeconds(), STABLE_HALF_WIDTH);
        }

        private JobReport.LatencyComparison compare(byte[] before, byte[] after, long[] sample, int batch,
                                                    LatencyComparison.Rule rule) {
            long opening = System.nanoTime();
            TimedSession originalSession;
            try {
                originalSession = TimedSession.open(before, sample, batch, settings.latencyThreads());
            } catch (IllegalStateException e) {
                return new JobReport.LatencyComparison(batch, null, null, null, "original: " + e.getMessage(), null);
            }
            try (TimedSession o = originalSession) {
                TimedSession prunedSession;
                try {
                    prunedSession = TimedSession.open(after, sample, batch, settings.latencyThreads());
                } catch (IllegalStateException e) {
                    return new JobReport.LatencyComparison(batch, null, null, null, "pruned: " + e.getMessage(),
                            null);
                }
                try (TimedSession p = prunedSession) {
                    LatencyComparison.Result r = LatencyComparison.measure(o, p,
                            rule.after(System.nanoTime() - opening));
                    return new JobReport.LatencyComparison(batch, figures(r.first(), batch),
                            figures(r.second(), batch), r.first().medianMs() / r.second().medianMs(), null,
                            r.stop().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
                } catch (IllegalStateException e) {
                    return new JobReport.LatencyComparison(batch, null, null, null, e.getMessage(), null);
                }
            }
        }

        // ------------------------------------------------------------------ helpers

        private JobDatasets datasets(JobReport.Model analysed) {
            if (datasets == null) {
                JobReport.Model model = analysed != null ? analysed
                        : workspace.finished(Stage.ANALYZE, JobReport.Model.class).result();
                datasets = new JobDatasets(spec, inputs, settings, workspace.spool(), unboxed(model.inputShape()));
            }
            return datasets;
        }

        private void startEngine() {
            if (engine == null) {
                engine = EngineSetup.start(settings.engine());
            }
        }

        private JobReport.Versions versions() {
            String pytorch;
            try {
                NativeBuild build = NativeLibraryCheck.require(JobPipeline.class.getClassLoader());
                pytorch = build.version() + " (" + build.flavor() + ")";
            } catch (EngineSetupException e) {
                pytorch = null;
            }
            return new JobReport.Versions(settings.shearsVersion(), EngineSetup.djlVersion(), pytorch,
                    OrtEnvironment.getEnvironment().getVersion(), Runtime.version().toString());
        }

        @Override
        public void close() {
            if (datasets != null) {
                datasets.close();
            }
        }
    }

    /** The batch size the model's input declares, or 0 when it is dynamic. */
    private static long fixedBatch(ModelProto model) {
        Graph graph = new Graph(model);
        var type = graph.inputs().get(0).getType();
        if (!type.hasTensorType() || !type.getTensorType().hasShape()
                || type.getTensorType().getShape().getDimCount() == 0) {
            return 0;
        }
        TensorShapeProto.Dimension first = type.getTensorType().getShape().getDim(0);
        return first.hasDimValue() ? first.getDimValue() : 0;
    }

    private static JobReport.LatencyFigures figures(LatencyStatistics s, int batch) {
        return new JobReport.LatencyFigures(s.medianMs(), s.minMs(), s.maxMs(), batch * 1000.0 / s.medianMs(),
                s.p10Ms(), s.p90Ms(), s.runs());
    }

    /** The batch sizes the BENCHMARK stage measures: the spec's, else the worker's; none when the spec turns it off. */
    private List<Integer> benchmarkBatches(JobSpec spec) {
        JobSpec.BenchmarkSpec b = spec.benchmark();
        if (b != null && !b.enabled()) {
            return List.of();
        }
        return b != null && b.batchSizes() != null ? b.batchSizes() : settings.latencyBatches();
    }

    /** Identifies a job's work: the spec minus what does not change the result, and the model's bytes. */
    private static String fingerprint(JobSpec spec, String modelDigest) {
        JobSpec essential = new JobSpec(spec.modelId(), spec.budget(), spec.sweep(), spec.pruning(), spec.input(),
                spec.calibration(), spec.fineTune(), spec.evaluation(), null, Map.of(), null, null, null);
        byte[] text = (ReportJson.MAPPER.writeValueAsString(essential) + "\n" + modelDigest)
                .getBytes(StandardCharsets.UTF_8);
        return Sha256.of(text);
    }

    private static String sha256(Path file) {
        try {
            return Sha256.of(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static void copyAtomically(Path source, Path target) {
        try {
            AtomicFiles.copy(source, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish " + target + ": " + e.getMessage(), e);
        }
    }

    private static List<Long> boxed(long[] dims) {
        return Arrays.stream(dims).boxed().toList();
    }

    private static long[] unboxed(List<Long> dims) {
        return dims.stream().mapToLong(Long::longValue).toArray();
    }
}
