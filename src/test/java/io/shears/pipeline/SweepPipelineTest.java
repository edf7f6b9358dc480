package io.shears.pipeline;

import io.shears.graph.CostModel;
import io.shears.graph.Graph;
import io.shears.graph.ShapeInference;
import io.shears.onnx.ModelReader;
import io.shears.onnx.ModelWriter;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sweep jobs on the real pipeline (pruner, DJL/PyTorch fine-tuning, ONNX Runtime): one candidate per fraction within
 * one training budget, the most accurate published, the frontier reported, resumable and deterministic.
 */
class SweepPipelineTest {
    private static final int TRAIN = 64;
    private static final int VAL = 32;
    private static final int BATCH = 16;
    /** About 1.2 epochs of the dense test model (≈ 13 MFLOPs per training sample): the pruned ones see more. */
    private static final long TRAIN_FLOPS = 1_000_000_000L;
    /** 0.02 is below what filter pruning can reach on the test model: its stem, shortcut and head stay whole. */
    private static final List<Double> FRACTIONS = List.of(1.0, 0.5, 0.02);

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static Path model;
    private static Path bars;
    private static JobPipeline pipeline;
    private static PipelineResult baseline;
    private static Path baselineDir;
    private static JobPipelineTest.RecordingListener baselineListener;

    @BeforeAll
    static void fixtures() {
        model = shared.resolve("resnet_basic_blocks.onnx");
        ModelWriter.write(TestGraphs.resnetBasicBlocks().build(13), model);
        bars = BarDatasets.write(shared.resolve("bars10.zip"), 10, TRAIN, VAL, TestGraphs.INPUT_SIZE, 1);
        pipeline = new JobPipeline(PipelineSettings.defaults().withLatency(List.of(1), 1, 2, 1)
                .withBatchSizes(32, BATCH));
    }

    private static JobSpec sweep(List<Double> fractions) {
        return new JobSpec("m1", new JobSpec.BudgetSpec(null, null, null, TRAIN_FLOPS),
                new JobSpec.SweepSpec(fractions), new JobSpec.PruningSpec(null, null, null, 1, null, null, null, null, null),
                null, new JobSpec.CalibrationSpec("bars", 2),
                new JobSpec.FineTuneSection("bars", 10, null, "sgd", 0.05, BATCH, null, null, null, 3L), null, null,
                null).normalized();
    }

    private static PipelineInputs inputs() {
        return new PipelineInputs(model, Map.of("bars", bars));
    }

    private static synchronized PipelineResult baseline() throws IOException {
        if (baseline == null) {
            baselineDir = Files.createTempDirectory(shared, "baseline");
            baselineListener = new JobPipelineTest.RecordingListener();
            baseline = pipeline.run(sweep(FRACTIONS), inputs(), baselineDir, baselineListener);
        }
        return baseline;
    }

    @Test
    void everyCandidateSpendsAtMostTheBudgetAndTheMostAccurateIsPublished() throws IOException {
        PipelineResult result = baseline();

        JobReport report = ReportJson.read(result.reportJson());
        JobReport.Sweep sweep = report.sweep();
        assertThat(sweep.trainFlops()).isEqualTo(TRAIN_FLOPS);
        assertThat(sweep.candidates()).extracting(JobReport.SweepCandidate::fraction).containsExactly(1.0, 0.5, 0.02);
        List<JobReport.SweepCandidate> reachable = sweep.candidates().stream()
                .filter(JobReport.SweepCandidate::reachable).toList();
        assertThat(reachable).extracting(JobReport.SweepCandidate::fraction).containsExactly(1.0, 0.5);
        for (JobReport.SweepCandidate c : reachable) {
            assertThat(c.trainFlopsSpent()).isPositive().isLessThanOrEqualTo(TRAIN_FLOPS);
            assertThat(c.top1()).isBetween(0.0, 1.0);
            assertThat(c.top5()).isBetween(c.top1(), 1.0);
            assertThat(c.meanLoss()).isPositive();
            assertThat(c.flops()).isEqualTo(2 * c.macs());
            assertThat(c.epochs()).isPositive();
        }
        JobReport.SweepCandidate dense = reachable.get(0);
        JobReport.SweepCandidate half = reachable.get(1);
        assertThat(half.macs()).isLessThan(dense.macs());
        assertThat(half.samplesSeen()).as("the same FLOPs buy the smaller model more samples")
                .isGreaterThan(dense.samplesSeen());
        JobReport.SweepCandidate unreachable = sweep.candidates().get(2);
        assertThat(unreachable.reachable()).isFalse();
        assertThat(unreachable.chosen()).isFalse();
        assertThat(unreachable.macs()).isNull();
        assertThat(unreachable.note()).contains("smallest reachable");

        JobReport.SweepCandidate best = reachable.stream().max(Comparator
                .comparingDouble(JobReport.SweepCandidate::top1)
                .thenComparing(JobReport.SweepCandidate::macs, Comparator.reverseOrder())).orElseThrow();
        assertThat(sweep.candidates()).filteredOn(JobReport.SweepCandidate::chosen).containsExactly(best);
        assertThat(result.summary().chosenFraction()).isEqualTo(best.fraction());
        assertThat(result.summary().finalTop1()).isEqualTo(best.top1());
        assertThat(report.accuracy().fineTuned().top1()).isEqualTo(best.top1());
        assertThat(report.compute().pruned().macs()).isEqualTo(best.macs());
        assertThat(report.fineTuning().trainFlops()).isEqualTo(best.trainFlopsSpent());

        Graph published = new Graph(new ModelReader().read(result.model()));
        assertThat(CostModel.analyze(published, ShapeInference.infer(published, Map.of())).macs())
                .isEqualTo(best.macs());
        float[] out = OrtRunner.run(Files.readAllBytes(result.model()), OrtRunner.randomInput(3,
                TestGraphs.inputShape(1)), TestGraphs.inputShape(1));
        assertThat(out).hasSize(10);
        for (float v : out) {
            assertThat(v).isFinite();
        }
        assertThat(report.export().sha256()).isNotBlank();
        assertThat(report.latency().batches()).singleElement()
                .satisfies(b -> assertThat(b.speedUp()).isPositive());
        assertThat(Files.readAllLines(result.trainingCsv())).hasSize(1 + report.fineTuning().epochs().size());
        assertThat(report.spec().get("sweep").get("fractions")).hasSize(3);
        assertThat(report.spec().get("budget").get("trainFlops").asLong()).isEqualTo(TRAIN_FLOPS);
    }

    @Test
    void progressSpansEveryCandidateAndOnlyTheWinnerIsBenchmarked() throws IOException {
        baseline();

        assertThat(baselineListener.stages).filteredOn(s -> s == Stage.FINETUNE).hasSize(2);
        assertThat(baselineListener.stages).filteredOn(s -> s == Stage.RECALIBRATE).hasSize(2);
        assertThat(baselineListener.stages).filteredOn(s -> s == Stage.BENCHMARK).hasSize(1);
        assertThat(baselineListener.stages).last().isEqualTo(Stage.BENCHMARK);
        assertThat(baselineListener.progress).isSorted().last().isEqualTo(1.0);
        assertThat(baselineListener.progress).anySatisfy(p -> assertThat(p).isBetween(0.3, 0.6));
    }

    @Test
    void theReportShowsTheFrontierChartWithTheChosenCandidateMarked() throws IOException {
        String html = Files.readString(baseline().reportHtml());

        assertThat(html).contains("<svg id=\"chart-frontier\"", "<h2>Sweep</h2>", "id=\"chart-accuracy\"",
                "id=\"chart-loss\"");
        String chart = html.substring(html.indexOf("<svg id=\"chart-frontier\""));
        chart = chart.substring(0, chart.indexOf("</svg>"));
        assertThat(chart.split("class=\"point-chosen\"", -1)).hasSize(2);
        assertThat(chart.split("class=\"point-candidate\"", -1)).hasSize(2);
        assertThat(chart).contains("0.02: unreachable");
    }

    @Test
    void theSameSweepGivesTheSameBytesInAnotherDirectory() throws IOException {
        PipelineResult first = baseline();

        PipelineResult second = pipeline.run(sweep(FRACTIONS), inputs(), dir, PipelineListener.NONE);

        assertThat(Files.readAllBytes(second.model())).isEqualTo(Files.readAllBytes(first.model()));
        assertThat(Files.readAllBytes(second.trainingCsv()).length).isPositive();
        assertThat(ReportJson.read(second.reportJson()).sweep().candidates())
                .usingRecursiveFieldByFieldElementComparator()
                .isEqualTo(ReportJson.read(first.reportJson()).sweep().candidates());
    }

    @Test
    void aSweepCancelledInItsSecondCandidateResumesThereToTheSameModel() throws IOException {
        AtomicInteger fineTunings = new AtomicInteger();
        PipelineListener cancelInSecondFineTuning = new PipelineListener() {
            public void enterStage(Stage stage) {
                if (stage == Stage.FINETUNE && fineTunings.incrementAndGet() == 2) {
                    throw new JobCancelledException("cancelled by the test", false);
                }
            }

            public void progress(double fraction) {
            }
        };
        assertThatThrownBy(() -> pipeline.run(sweep(FRACTIONS), inputs(), dir, cancelInSecondFineTuning))
                .isInstanceOf(JobCancelledException.class);
        JobPipelineTest.RecordingListener listener = new JobPipelineTest.RecordingListener();

        PipelineResult resumed = pipeline.run(sweep(FRACTIONS), inputs(), dir, listener);

        // 1.0 finished before the cancel; 0.5 resumes at fine-tuning; 0.02 had not been tried yet.
        assertThat(listener.stages).containsExactly(Stage.FINETUNE, Stage.EVALUATE, Stage.EXPORT, Stage.ANALYZE,
                Stage.PRUNE, Stage.BENCHMARK);
        assertThat(Files.readAllBytes(resumed.model())).isEqualTo(Files.readAllBytes(baseline().model()));
    }

    @Test
    void runningAFinishedSweepAgainRunsNoStage() throws IOException {
        byte[] before = Files.readAllBytes(baseline().model());
        JobPipelineTest.RecordingListener listener = new JobPipelineTest.RecordingListener();

        PipelineResult again = pipeline.run(sweep(FRACTIONS), inputs(), baselineDir, listener);

        assertThat(listener.stages).isEmpty();
        assertThat(Files.readAllBytes(again.model())).isEqualTo(before);
        assertThat(again.summary()).isEqualTo(baseline().summary());
    }

    @Test
    void aSweepWithNoReachableFractionFailsNamingEach() {
        assertThatThrownBy(() -> pipeline.run(sweep(List.of(0.02, 0.01)), inputs(), dir, PipelineListener.NONE))
                .isInstanceOfSatisfying(JobFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("BUDGET_UNREACHABLE");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("no fraction of the sweep", "0.02: ", "0.01: ");
                });
    }
}
