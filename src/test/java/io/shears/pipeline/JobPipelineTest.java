package io.shears.pipeline;

import ai.djl.pytorch.jni.JniUtils;
import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.engine.startup.JitCompilers;
import io.shears.graph.CostModel;
import io.shears.graph.CostReport;
import io.shears.graph.Graph;
import io.shears.graph.ShapeInference;
import io.shears.onnx.ModelReader;
import io.shears.onnx.ModelWriter;
import io.shears.pruning.Budget;
import io.shears.pruning.Pruner;
import io.shears.pruning.PruningOptions;
import io.shears.pruning.PruningResult;
import io.shears.report.JobReport;
import io.shears.report.ReportJson;
import io.shears.testing.OrtRunner;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole job on real files, the real pruner, DJL/PyTorch and ONNX Runtime: stages, reports, errors, resume. */
class JobPipelineTest {
    private static final Path RESNET18 = Path.of("src/test/resources/models/torchvision/resnet18-op17-bnkeep.onnx");
    private static final int TRAIN = 64;
    private static final int VAL = 32;
    private static final int BATCH = 16;

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static Path model;
    private static Path tenClasses;
    private static Path fourClasses;
    private static JobPipeline pipeline;
    private static PipelineResult baseline;
    private static Path baselineDir;

    @BeforeAll
    static void fixtures() {
        model = shared.resolve("resnet_basic_blocks.onnx");
        ModelWriter.write(TestGraphs.resnetBasicBlocks().build(13), model);
        tenClasses = BarDatasets.write(shared.resolve("bars10.zip"), 10, TRAIN, VAL, TestGraphs.INPUT_SIZE, 1);
        fourClasses = BarDatasets.write(shared.resolve("bars4.zip"), 4, TRAIN, VAL, TestGraphs.INPUT_SIZE, 2);
        pipeline = new JobPipeline(PipelineSettings.defaults().withLatency(List.of(1, 32), 1, 2, 1)
                .withBatchSizes(32, BATCH));
    }

    static JobSpec spec(JobSpec.BudgetSpec budget, JobSpec.CalibrationSpec calibration,
                        JobSpec.FineTuneSection fineTune, JobSpec.EvaluationSpec evaluation) {
        return new JobSpec("m1", budget, null, new JobSpec.PruningSpec(null, null, null, 1, null, null, null, null, null), null,
                calibration, fineTune, evaluation, null, null).normalized();
    }

    static JobSpec.FineTuneSection fineTune(String datasetId, int epochs, String head) {
        return new JobSpec.FineTuneSection(datasetId, epochs, null, "sgd", 0.05, BATCH, null, head, null, 3L);
    }

    /** Prune to 0.8, recalibrate on 2 batches, fine-tune 2 epochs; evaluation on the fine-tuning dataset's val split. */
    static JobSpec fullSpec() {
        return spec(new JobSpec.BudgetSpec(null, null, 0.8, null), new JobSpec.CalibrationSpec("bars", 2),
                fineTune("bars", 2, null), null);
    }

    private static PipelineInputs inputs(Path modelFile) {
        return new PipelineInputs(modelFile, Map.of("bars", tenClasses, "bars4", fourClasses));
    }

    /** The full job, run once in its own directory and shared by the tests that only read its results. */
    private static synchronized PipelineResult baseline() throws IOException {
        if (baseline == null) {
            baselineDir = Files.createTempDirectory(shared, "baseline");
            baseline = pipeline.run(fullSpec(), inputs(model), baselineDir, PipelineListener.NONE);
        }
        return baseline;
    }

    @Test
    void pruneOnlyReportsWhatAFreshPrunerRunGivesAndTheWrittenModelCosts() throws IOException {
        JobSpec spec = new JobSpec("r18", new JobSpec.BudgetSpec(null, null, 0.7, null), null, null, null, null, null,
                null, null, null).normalized();
        RecordingListener listener = new RecordingListener();

        PipelineResult result = pipeline.run(spec, new PipelineInputs(RESNET18, Map.of()), dir, listener);

        PruningResult fresh = Pruner.prune(new ModelReader().read(RESNET18), new Budget.Fraction(0.7),
                PruningOptions.defaults());
        JobReport report = ReportJson.read(result.reportJson());
        assertThat(report.compute().original()).isEqualTo(fresh.report().original());
        assertThat(report.compute().pruned()).isEqualTo(fresh.report().pruned());
        assertThat(report.compute().groups()).isEqualTo(fresh.report().groups());
        assertThat(report.compute().frozenGroups()).isEqualTo(fresh.report().frozenGroups());
        ModelProto written = new ModelReader().read(result.model());
        Graph graph = new Graph(written);
        CostReport cost = CostModel.analyze(graph, ShapeInference.infer(graph, Map.of()));
        assertThat(cost.macs()).isEqualTo(report.compute().pruned().macs()).isLessThan(report.compute().original()
                .macs());
        assertThat(written.getGraph()).isEqualTo(fresh.model().getGraph());
        ModelLineage lineage = new ModelLineage(pipeline.settings().shearsVersion(), null,
                io.shears.files.Sha256.of(RESNET18), null, fresh.report(), null, null);
        assertThat(Files.readAllBytes(result.model())).isEqualTo(ModelWriter.toBytes(lineage.stamp(fresh.model())));
        assertThat(written.getProducerName()).isEqualTo(ModelLineage.PRODUCER);

        float[] out = OrtRunner.run(Files.readAllBytes(result.model()), OrtRunner.randomInput(1, 1, 3, 64, 64),
                new long[] {1, 3, 64, 64});
        assertThat(out).hasSize(10);
        for (float v : out) {
            assertThat(v).isFinite();
        }

        assertThat(listener.stages).containsExactly(Stage.ANALYZE, Stage.PRUNE, Stage.EXPORT, Stage.BENCHMARK);
        assertThat(listener.progress).isSorted().last().isEqualTo(1.0);
        assertThat(result.trainingCsv()).isNull();
        assertThat(report.accuracy()).isNull();
        assertThat(report.latency().batches()).extracting(JobReport.LatencyComparison::batch).containsExactly(1, 32);
        assertThat(report.latency().batches()).allSatisfy(b -> assertThat(b.speedUp()).isPositive());
        assertThat(report.latency().threads()).isEqualTo(1);
        assertThat(report.versions().onnxRuntime()).isNotBlank();
        assertThat(report.versions().djl()).isEqualTo("0.33.0");
        assertThat(report.versions().pytorchNative()).startsWith("2.5.1");
        assertThat(report.spec().get("budget").get("fraction").asDouble()).isEqualTo(0.7);
        assertThat(result.summary().prunedMacs()).isEqualTo(cost.macs());
        assertThat(result.summary().macsRatio()).isEqualTo(report.compute().achievedFraction());
        assertThat(result.summary().speedUpBatch32()).isEqualTo(report.latency().batches().get(1).speedUp());
        assertThat(result.summary().finalTop1()).isNull();
    }

    @Test
    void budgetFractionOneLeavesTheModelBehavingBitForBitAsTheOriginal() throws IOException {
        JobSpec spec = spec(new JobSpec.BudgetSpec(null, null, 1.0, null), null, null, null);

        PipelineResult result = pipeline.run(spec, inputs(model), dir, PipelineListener.NONE);

        float[] input = OrtRunner.randomInput(5, TestGraphs.inputShape(2));
        float[] original = OrtRunner.run(Files.readAllBytes(model), input, TestGraphs.inputShape(2));
        float[] published = OrtRunner.run(Files.readAllBytes(result.model()), input, TestGraphs.inputShape(2));
        assertThat(published).containsExactly(original);
        assertThat(result.summary().prunedMacs()).isEqualTo(result.summary().originalMacs());
    }

    @Test
    void fullJobRecalibratesFineTunesEvaluatesEveryStageAndPublishesEveryFile() throws IOException {
        PipelineResult result = baseline();

        JobReport report = ReportJson.read(result.reportJson());
        assertThat(report.stages()).extracting(JobReport.StageTiming::status)
                .containsExactly("done", "done", "done", "done", "done", "done", "done");
        assertThat(report.recalibration().applied()).isTrue();
        assertThat(report.recalibration().batches()).isEqualTo(2);
        JobReport.Accuracy accuracy = report.accuracy();
        assertThat(accuracy.split()).isEqualTo("val");
        for (JobReport.Evaluation e : List.of(accuracy.original(), accuracy.prunedZeroShot(), accuracy.recalibrated(),
                accuracy.fineTuned())) {
            assertThat(e.samples()).isEqualTo(VAL);
            assertThat(e.top1()).isBetween(0.0, 1.0);
            assertThat(e.top5()).isBetween(e.top1(), 1.0);
            assertThat(e.perClass()).hasSize(10);
            assertThat(e.confusion()).hasDimensions(10, 10);
        }
        assertThat(accuracy.fineTuned().meanLoss()).isLessThan(accuracy.recalibrated().meanLoss());
        assertThat(report.fineTuning().epochs()).hasSize(2);
        assertThat(report.fineTuning().resumedAtEpoch()).isZero();
        assertThat(report.fineTuning().threads()).isPositive().isEqualTo(JniUtils.getNumThreads());
        assertThat(report.fineTuning().threading().mallocTunables())
                .isEqualTo(Objects.requireNonNullElse(System.getenv("GLIBC_TUNABLES"), "unset"));
        assertThat(report.fineTuning().threading().jitCompilers()).isEqualTo(JitCompilers.inEffect())
                .isIn("c1", "c1+c2", "c2");
        assertThat(Files.readAllLines(result.trainingCsv())).hasSize(3).first().asString().startsWith("epoch,");
        assertThat(result.summary().finalTop1()).isEqualTo(accuracy.fineTuned().top1());
        assertThat(report.compute().pruned().macs()).isLessThanOrEqualTo(report.compute().target().macs());
        String html = Files.readString(result.reportHtml());
        assertThat(html).contains("id=\"chart-channels\"", "id=\"chart-macs\"", "id=\"chart-accuracy\"",
                "id=\"chart-loss\"");
        float[] out = OrtRunner.run(Files.readAllBytes(result.model()), OrtRunner.randomInput(3,
                TestGraphs.inputShape(1)), TestGraphs.inputShape(1));
        assertThat(out).hasSize(10);
        for (float v : out) {
            assertThat(v).isFinite();
        }
    }

    @Test
    void sameModelAndSpecGiveTheSameModelBytesInAnotherDirectory() throws IOException {
        byte[] first = Files.readAllBytes(baseline().model());

        PipelineResult second = pipeline.run(fullSpec(), inputs(model), dir, PipelineListener.NONE);

        assertThat(Files.readAllBytes(second.model())).isEqualTo(first);
    }

    @Test
    void runningAFinishedJobAgainSkipsEveryStage() throws IOException {
        byte[] before = Files.readAllBytes(baseline().model());
        RecordingListener listener = new RecordingListener();

        PipelineResult again = pipeline.run(fullSpec(), inputs(model), baselineDir, listener);

        assertThat(listener.stages).isEmpty();
        assertThat(ReportJson.read(again.reportJson()).stages()).extracting(JobReport.StageTiming::status)
                .containsOnly("resumed");
        assertThat(Files.readAllBytes(again.model())).isEqualTo(before);
    }

    @Test
    void aFineTuningCancelledInItsSecondEpochResumesFromTheCheckpointToTheSameModel() throws IOException {
        int stepsPerEpoch = TRAIN / BATCH;
        AtomicInteger fineTuneReports = new AtomicInteger(-1);
        PipelineListener cancelInSecondEpoch = new PipelineListener() {
            public void enterStage(Stage stage) {
                fineTuneReports.set(stage == Stage.FINETUNE ? 0 : -1);
            }

            public void progress(double fraction) {
                // the first report is on entering the stage, then one per step
                if (fineTuneReports.get() >= 0 && fineTuneReports.getAndIncrement() == stepsPerEpoch + 1) {
                    throw new JobCancelledException("cancelled by the test", false);
                }
            }
        };
        assertThatThrownBy(() -> pipeline.run(fullSpec(), inputs(model), dir, cancelInSecondEpoch))
                .isInstanceOf(JobCancelledException.class);
        RecordingListener listener = new RecordingListener();

        PipelineResult resumed = pipeline.run(fullSpec(), inputs(model), dir, listener);

        JobReport report = ReportJson.read(resumed.reportJson());
        assertThat(listener.stages).containsExactly(Stage.FINETUNE, Stage.EVALUATE, Stage.EXPORT, Stage.BENCHMARK);
        assertThat(report.fineTuning().resumedAtEpoch()).isEqualTo(1);
        assertThat(report.stages()).extracting(JobReport.StageTiming::status)
                .containsExactly("resumed", "resumed", "resumed", "done", "done", "done", "done");
        assertThat(Files.readAllBytes(resumed.model())).isEqualTo(Files.readAllBytes(baseline().model()));
    }

    @Test
    void aDatasetWithOtherClassesGetsANewHeadAndTheOriginalAccuracyIsExplained() throws IOException {
        JobSpec spec = spec(new JobSpec.BudgetSpec(null, null, 0.8, null), null, fineTune("bars4", 1, "auto"), null);
        Path hostile = dir.resolve("hostile.onnx");
        ModelWriter.write(withHostileNames(new ModelReader().read(model)), hostile);

        PipelineResult result = pipeline.run(spec, inputs(hostile), dir.resolve("work"), PipelineListener.NONE);

        JobReport report = ReportJson.read(result.reportJson());
        assertThat(report.head().replaced()).isTrue();
        assertThat(report.head().oldClasses()).isEqualTo(10);
        assertThat(report.head().newClasses()).isEqualTo(4);
        assertThat(report.accuracy().original()).isNull();
        assertThat(report.accuracy().notes().get("original")).contains("head was replaced");
        assertThat(report.accuracy().fineTuned().perClass()).hasSize(4);
        assertThat(report.accuracy().runtime()).as("the CPU evaluates in ONNX Runtime").isEqualTo("onnxruntime");
        assertThat(report.accuracy().notes()).doesNotContainKey("runtime");
        assertThat(report.export().outputShape()).containsExactly(1L, 4L);
        assertThat(OrtRunner.outputShape(Files.readAllBytes(result.model()), OrtRunner.randomInput(1,
                TestGraphs.inputShape(1)), TestGraphs.inputShape(1))).containsExactly(1, 4);
        String html = Files.readString(result.reportHtml());
        assertThat(html).contains("id=\"chart-channels\"", "id=\"chart-macs\"", "id=\"chart-accuracy\"",
                "id=\"chart-loss\"", "&lt;script&gt;");
        assertThat(html.toLowerCase()).doesNotContain("<script");
        assertThat(report.compute().groups()).anySatisfy(g -> assertThat(g.name()).startsWith("<script>"));
    }

    /** The model with a graph name and the first Conv's node name that are markup, as a hostile upload may have. */
    private static ModelProto withHostileNames(ModelProto m) {
        var graph = m.getGraph().toBuilder().setName("<script>alert('graph')</script>");
        for (int i = 0; i < graph.getNodeCount(); i++) {
            if (graph.getNode(i).getName().equals("conv1")) {
                graph.setNode(i, graph.getNode(i).toBuilder().setName("<script>alert('node')</script>"));
            }
        }
        return m.toBuilder().setGraph(graph).build();
    }

    @Test
    void keepingTheHeadForADatasetWithOtherClassesFailsNamingBothCounts() {
        JobSpec keep = spec(new JobSpec.BudgetSpec(null, null, 0.8, null), null, fineTune("bars4", 1, "keep"), null);
        JobSpec evaluateOnly = spec(new JobSpec.BudgetSpec(null, null, 0.8, null), null, null,
                new JobSpec.EvaluationSpec("bars4"));

        for (JobSpec spec : List.of(keep, evaluateOnly)) {
            assertThatThrownBy(() -> pipeline.run(spec, inputs(model), dir, PipelineListener.NONE))
                    .isInstanceOfSatisfying(JobFailedException.class, e -> {
                        assertThat(e.code()).isEqualTo("DATASET_CLASSES_MISMATCH");
                        assertThat(e.retryable()).isFalse();
                        assertThat(e.getMessage()).contains("4 classes", "outputs 10");
                    });
        }
    }

    @Test
    void anUnreachableBudgetFailsWithTheSmallestReachableMacs() {
        JobSpec spec = spec(new JobSpec.BudgetSpec(1000L, null, null, null), null, null, null);

        assertThatThrownBy(() -> pipeline.run(spec, inputs(model), dir, PipelineListener.NONE))
                .isInstanceOfSatisfying(JobFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("BUDGET_UNREACHABLE");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("smallest reachable model has");
                });
    }

    @Test
    void aCorruptModelFailsAsUnparseable() throws IOException {
        Path corrupt = Files.write(dir.resolve("corrupt.onnx"), new byte[] {0x08, 0x07, 0x12, (byte) 0xff, 0x01});
        JobSpec spec = spec(new JobSpec.BudgetSpec(null, null, 0.5, null), null, null, null);

        assertThatThrownBy(() -> pipeline.run(spec, inputs(corrupt), dir.resolve("work"), PipelineListener.NONE))
                .isInstanceOfSatisfying(JobFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("MODEL_UNPARSEABLE");
                    assertThat(e.retryable()).isFalse();
                });
    }

    @Test
    void aListenerThrowingOrAnInterruptCancelsTheJob() {
        PipelineListener cancelOnRecalibration = new PipelineListener() {
            public void enterStage(Stage stage) {
                if (stage == Stage.RECALIBRATE) {
                    throw new JobCancelledException("cancelled by the test", false);
                }
            }

            public void progress(double fraction) {
            }
        };
        PipelineListener interruptInEvaluation = new PipelineListener() {
            public void enterStage(Stage stage) {
                if (stage == Stage.EVALUATE) {
                    Thread.currentThread().interrupt();
                }
            }

            public void progress(double fraction) {
            }
        };
        JobSpec evaluate = spec(new JobSpec.BudgetSpec(null, null, 0.8, null), null, null,
                new JobSpec.EvaluationSpec("bars"));

        assertThatThrownBy(() -> pipeline.run(fullSpec(), inputs(model), dir.resolve("a"), cancelOnRecalibration))
                .isInstanceOf(JobCancelledException.class).hasMessageContaining("cancelled by the test");
        assertThatThrownBy(() -> pipeline.run(evaluate, inputs(model), dir.resolve("b"), interruptInEvaluation))
                .isInstanceOf(JobCancelledException.class).hasMessageContaining("interrupted");
        assertThat(Thread.interrupted()).isFalse();
    }

    /** Remembers the stages entered and the progress reported. */
    static final class RecordingListener implements PipelineListener {
        final List<Stage> stages = new ArrayList<>();
        final List<Double> progress = new ArrayList<>();

        public void enterStage(Stage stage) {
            stages.add(stage);
        }

        public void progress(double fraction) {
            progress.add(fraction);
        }
    }
}
