package io.shears.engine;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import io.shears.data.Batch;
import io.shears.data.ImageShape;
import io.shears.data.Split;
import io.shears.engine.startup.EngineSettings;
import io.shears.onnx.ModelReader;
import io.shears.onnx.ModelWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.shears.engine.NodeModel.intAttr;
import static org.assertj.core.api.Assertions.assertThat;

class ModelEvaluationTest {
    /** x [batch, 1, 1, 3] → Flatten → Gemm with the identity: each sample's pixels are its logits. */
    private static ModelProto identity(boolean freeBatch) {
        NodeModel m = new NodeModel(0, 1, 1, 1, 3);
        m.node("Flatten", List.of(NodeModel.INPUT), List.of("flat"), intAttr("axis", 1));
        m.single("Gemm", List.of("flat", m.floats("w", new long[] {3, 3}, 1, 0, 0, 0, 1, 0, 0, 0, 1),
                m.floats("b", new long[] {3}, 0, 0, 0)), intAttr("transB", 1));
        ModelProto model = m.build(13);
        if (!freeBatch) {
            return model;
        }
        ModelProto.Builder b = model.toBuilder();
        b.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                .setDim(0, TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        return b.build();
    }

    private static List<Batch> batches() {
        ImageShape shape = new ImageShape(1, 1, 3);
        return List.of(
                new Batch(Split.VAL, new float[] {3, 1, 0, 0, 2, 1}, new int[] {0, 2}, new int[] {0, 1}, shape),
                new Batch(Split.VAL, new float[] {0, 0, 5}, new int[] {2}, new int[] {2}, shape));
    }

    private static ModelEvaluation.Outcome evaluate(Path model, AtomicInteger asked) {
        Engines.start();
        return ModelEvaluation.evaluate(model, new ModelReader(), EngineSettings.fromSystemProperties(), 1, () -> {
            asked.incrementAndGet();
            return batches().iterator();
        }, 3);
    }

    @Test
    void onTheCpuOnnxRuntimeEvaluatesAModelWithAFreeBatchAxis(@TempDir Path dir) {
        Path model = dir.resolve("free.onnx");
        ModelWriter.write(identity(true), model);
        AtomicInteger asked = new AtomicInteger();
        ModelEvaluation.Outcome outcome = evaluate(model, asked);
        assertThat(outcome.runtime()).isEqualTo(ModelEvaluation.ONNX_RUNTIME);
        assertThat(outcome.why()).isNull();
        assertThat(outcome.result().top1()).isEqualTo(2 / 3.0);
        assertThat(asked).hasValue(1);
    }

    @Test
    void aModelOnnxRuntimeCannotTakeIsEvaluatedByTheInterpreterWithTheReason(@TempDir Path dir) {
        Path model = dir.resolve("fixed.onnx");
        ModelWriter.write(identity(false), model);
        AtomicInteger asked = new AtomicInteger();
        ModelEvaluation.Outcome outcome = evaluate(model, asked);
        assertThat(outcome.runtime()).isEqualTo(ModelEvaluation.INTERPRETER);
        assertThat(outcome.why()).contains("fixed batch size");
        assertThat(outcome.result().top1()).isEqualTo(2 / 3.0);
        assertThat(outcome.result().confusion()).isDeepEqualTo(new long[][] {{1, 0, 0}, {0, 0, 0}, {0, 1, 1}});
    }
}
