package io.shears.pipeline;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.onnx.ModelReader;
import io.shears.report.JobReport;
import io.shears.report.ReportJson;
import io.shears.testing.OrtRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole job on the torchvision ViT fixture (class token, LayerNormalization, no BatchNormalization), pruned to half
 * its MACs and fine-tuned on a dataset with another class count: the head replaced is the projection of the class
 * token, {@code freeze: backbone} trains that head and nothing else, and a recalibration asked for is a no-op the
 * report states.
 */
class TransformerJobPipelineTest {
    private static final Path VIT = Path.of("src/test/resources/models/transformers/vit-op17.onnx");
    private static final long[] INPUT = {1, 3, 32, 32};
    private static final int TRAIN = 48;
    private static final int VAL = 16;
    private static final int BATCH = 16;

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static Path fourClasses;
    private static JobPipeline pipeline;

    @BeforeAll
    static void fixtures() {
        fourClasses = BarDatasets.write(shared.resolve("bars4.zip"), 4, TRAIN, VAL, 32, 5);
        pipeline = new JobPipeline(PipelineSettings.defaults().withLatency(List.of(1), 1, 1, 1)
                .withBatchSizes(BATCH, BATCH));
    }

    private static JobSpec spec(String freeze, JobSpec.CalibrationSpec calibration) {
        JobSpec.FineTuneSection fineTune = new JobSpec.FineTuneSection("bars4", 1, null, "sgd", 0.05, BATCH, null,
                "auto", freeze, 3L);
        return new JobSpec("vit", new JobSpec.BudgetSpec(null, null, 0.5, null), null, null, null, calibration,
                fineTune, null, null, null).normalized();
    }

    private PipelineResult run(JobSpec spec, String name) {
        return pipeline.run(spec, new PipelineInputs(VIT, Map.of("bars4", fourClasses)), dir.resolve(name),
                PipelineListener.NONE);
    }

    private static Map<String, TensorProto> initializers(ModelProto model) {
        return model.getGraph().getInitializerList().stream()
                .collect(Collectors.toMap(TensorProto::getName, Function.identity()));
    }

    /** The node that writes the graph's output. */
    private static NodeProto outputNode(ModelProto model) {
        String output = model.getGraph().getOutput(0).getName();
        return model.getGraph().getNodeList().stream().filter(n -> n.getOutputList().contains(output)).findFirst()
                .orElseThrow();
    }

    @Test
    void aNewClassCountReplacesTheClassTokensProjectionAndTheJobPublishesAFourClassVit() throws IOException {
        PipelineResult result = run(spec(null, null), "replace");

        JobReport report = ReportJson.read(result.reportJson());
        assertThat(report.head().replaced()).isTrue();
        assertThat(report.head().oldClasses()).isEqualTo(10);
        assertThat(report.head().newClasses()).isEqualTo(4);
        ModelProto published = new ModelReader().read(result.model());
        NodeProto head = outputNode(published);
        assertThat(report.head().node()).isEqualTo(head.getName());
        assertThat(head.getOpType()).isEqualTo("Gemm");
        // the head reads the class token: position 0 of the sequence, taken by a Gather or Slice after the encoder
        NodeProto feature = published.getGraph().getNodeList().stream()
                .filter(n -> n.getOutputList().contains(head.getInput(0))).findFirst().orElseThrow();
        assertThat(feature.getOpType()).isIn("Gather", "Slice");
        assertThat(initializers(published).get(head.getInput(1)).getDimsList()).containsExactly(4L, 64L);
        assertThat(report.compute().pruned().macs()).isLessThanOrEqualTo(report.compute().target().macs());
        assertThat(report.accuracy().fineTuned().perClass()).hasSize(4);
        assertThat(report.accuracy().runtime()).isEqualTo("onnxruntime");
        assertThat(OrtRunner.outputShape(Files.readAllBytes(result.model()), OrtRunner.randomInput(1, INPUT),
                INPUT)).containsExactly(1, 4);
    }

    @Test
    void freezingTheBackboneTrainsTheClassTokensProjectionAndNothingElse() throws IOException {
        PipelineResult result = run(spec("backbone", null), "frozen");

        ModelProto pruned = new ModelReader().read(dir.resolve("frozen").resolve("state")
                .resolve(PipelineWorkspace.PRUNED));
        ModelProto tuned = new ModelReader().read(result.model());
        NodeProto head = outputNode(tuned);
        Set<String> headTensors = Set.of(head.getInput(1), head.getInput(2));
        Map<String, TensorProto> before = initializers(pruned);
        Map<String, TensorProto> after = initializers(tuned);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        for (String name : after.keySet()) {
            if (headTensors.contains(name)) {
                assertThat(after.get(name)).as("head tensor " + name + " is trained").isNotEqualTo(before.get(name));
            } else {
                assertThat(after.get(name)).as("backbone tensor " + name + " is kept").isEqualTo(before.get(name));
            }
        }
        assertThat(ReportJson.read(result.reportJson()).fineTuning().epochs()).hasSize(1);
    }

    @Test
    void recalibrationOfAModelWithoutBatchNormalizationIsANoOpTheReportStates() throws IOException {
        PipelineResult result = run(spec(null, new JobSpec.CalibrationSpec("bars4", 2)), "recalibrate");

        JobReport report = ReportJson.read(result.reportJson());
        assertThat(report.stages()).extracting(JobReport.StageTiming::status).containsOnly("done");
        assertThat(report.recalibration().applied()).isFalse();
        assertThat(report.recalibration().layers()).isZero();
        assertThat(report.recalibration().batches()).isZero();
        assertThat(report.recalibration().note()).contains("no BatchNormalization");
        assertThat(report.accuracy().recalibrated()).isNull();
        assertThat(report.accuracy().notes().get("recalibrated")).contains("not applied", "no BatchNormalization");
        assertThat(Files.readString(result.reportHtml())).contains("no BatchNormalization");
        assertThat(Files.readString(result.reportJson())).contains("\"applied\" : false");
        // the fine-tuning starts from the pruned model, not from a recalibrated copy
        assertThat(dir.resolve("recalibrate").resolve("state").resolve(PipelineWorkspace.RECALIBRATED)).doesNotExist();
    }
}
