package io.shears.engine.evaluation;

import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import io.shears.data.Batch;
import io.shears.data.ImageShape;
import io.shears.data.Split;
import io.shears.engine.Engines;
import io.shears.engine.NodeModel;
import io.shears.engine.interpreter.OnnxInterpreterBlock;
import io.shears.onnx.ModelWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;

import static io.shears.engine.NodeModel.intAttr;
import static io.shears.engine.NodeModel.intsAttr;
import static io.shears.engine.evaluation.EvaluatorTest.batches;
import static io.shears.engine.evaluation.EvaluatorTest.identityClassifier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class OrtEvaluatorTest {
    /** The model with its input's batch axis made free ("N"), as exporters write it. */
    static ModelProto withFreeBatch(ModelProto model) {
        ModelProto.Builder b = model.toBuilder();
        b.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                .setDim(0, TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        return b.build();
    }

    /** x [N, 2, 6, 6] → Conv 3×3 (4 filters) → Relu → GlobalAveragePool → Flatten → Gemm to 5 classes. */
    static ModelProto convClassifier() {
        NodeModel m = new NodeModel(7, 1, 2, 6, 6);
        m.node("Conv", List.of(NodeModel.INPUT, m.randomFloats("w", 4, 2, 3, 3), m.randomFloats("cb", 4)),
                List.of("conv"), intsAttr("pads", 1, 1, 1, 1));
        m.node("Relu", List.of("conv"), List.of("relu"));
        m.node("GlobalAveragePool", List.of("relu"), List.of("pooled"));
        m.node("Flatten", List.of("pooled"), List.of("flat"), intAttr("axis", 1));
        m.single("Gemm", List.of("flat", m.randomFloats("fw", 5, 4), m.randomFloats("fb", 5)), intAttr("transB", 1));
        return withFreeBatch(m.build(13));
    }

    static List<Batch> randomImages(int count, int batch, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ImageShape shape = new ImageShape(2, 6, 6);
        List<Batch> out = new java.util.ArrayList<>();
        for (int start = 0; start < count; start += batch) {
            int n = Math.min(batch, count - start);
            float[] data = new float[n * shape.size()];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) random.nextDouble(-2, 2);
            }
            int[] labels = new int[n];
            int[] indices = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = random.nextInt(5);
                indices[i] = start + i;
            }
            out.add(new Batch(Split.VAL, data, labels, indices, shape));
        }
        return out;
    }

    @Test
    void givesTheHandComputedConfusionMatrix(@TempDir Path dir) {
        Path model = dir.resolve("identity.onnx");
        ModelWriter.write(withFreeBatch(identityClassifier(3)), model);
        float[][] logits = {{2, 1, 0}, {0, 3, 1}, {0, 5, 0}, {1, 0, 0}, {0, 0, 4}};
        int[] labels = {0, 0, 1, 2, 2};
        try (OrtEvaluator ort = OrtEvaluator.open(model, 1)) {
            EvaluationResult r = ort.evaluate(batches(logits, labels, 2, 3).iterator(), 3);
            assertThat(r.samples()).isEqualTo(5);
            assertThat(r.confusion()).isDeepEqualTo(new long[][] {{1, 1, 0}, {0, 1, 0}, {1, 0, 1}});
            assertThat(r.top1()).isEqualTo(3 / 5.0);
            double loss = 0;
            for (int i = 0; i < labels.length; i++) {
                loss += EvaluatorTest.crossEntropy(logits[i], labels[i]);
            }
            assertThat(r.meanLoss()).isCloseTo(loss / 5, within(1e-6));
        }
    }

    @Test
    void agreesWithTheInterpreterOnEveryMetric(@TempDir Path dir) {
        Engines.start();
        ModelProto proto = convClassifier();
        Path model = dir.resolve("conv.onnx");
        ModelWriter.write(proto, model);
        List<Batch> data = randomImages(203, 16, 3);
        EvaluationResult interpreted;
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(proto, manager)) {
            interpreted = Evaluator.evaluate(block, data.iterator(), 5, manager);
        }
        EvaluationResult ort;
        try (OrtEvaluator evaluator = OrtEvaluator.open(model, 2)) {
            ort = evaluator.evaluate(data.iterator(), 5);
        }
        assertThat(ort.samples()).isEqualTo(203);
        assertThat(ort.confusion()).isDeepEqualTo(interpreted.confusion());
        assertThat(ort.top1()).isEqualTo(interpreted.top1());
        assertThat(ort.top5()).isEqualTo(interpreted.top5());
        assertThat(ort.meanLoss()).isCloseTo(interpreted.meanLoss(), within(1e-5));
        // the comparison can fail: other weights give other figures
        assertThat(ort.meanLoss()).isNotCloseTo(0, within(1e-3));
    }

    @Test
    void refusesAModelWithAFixedBatchSizeAndSaysSo(@TempDir Path dir) {
        Path model = dir.resolve("fixed.onnx");
        ModelWriter.write(identityClassifier(3), model);
        assertThatThrownBy(() -> OrtEvaluator.open(model, 1)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("fixed batch size");
    }

    @Test
    void refusesAFileOnnxRuntimeCannotLoad(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("broken.onnx");
        java.nio.file.Files.write(model, new byte[] {1, 2, 3, 4});
        assertThatThrownBy(() -> OrtEvaluator.open(model, 1)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("could not load");
    }

    @Test
    void refusesAnOutputThatDoesNotMatchTheClassCount(@TempDir Path dir) {
        Path model = dir.resolve("identity.onnx");
        ModelWriter.write(withFreeBatch(identityClassifier(3)), model);
        try (OrtEvaluator ort = OrtEvaluator.open(model, 1)) {
            Iterator<Batch> b = batches(new float[][] {{1, 2, 3}}, new int[] {0}, 1).iterator();
            assertThatThrownBy(() -> ort.evaluate(b, 4)).hasMessageContaining("[1, 4]");
        }
    }

    /**
     * x [N, 64, 128, 128] through 96 3×3 convolutions of 64 filters: about 460 GMACs a batch of 8, seconds on two
     * cores, so the cancel lands inside ONNX Runtime's run and only the terminate flag can end it within the second.
     */
    @Test
    void anInterruptEndsTheBatchInFlight(@TempDir Path dir) throws Exception {
        NodeModel m = new NodeModel(11, 1, 64, 128, 128);
        String x = NodeModel.INPUT;
        for (int i = 0; i < 96; i++) {
            m.node("Conv", List.of(x, m.randomFloats("w" + i, 64, 64, 3, 3)), List.of("c" + i),
                    intsAttr("pads", 1, 1, 1, 1));
            x = "c" + i;
        }
        m.node("GlobalAveragePool", List.of(x), List.of("pooled"));
        m.single("Flatten", List.of("pooled"), intAttr("axis", 1));
        Path model = dir.resolve("slow.onnx");
        ModelWriter.write(withFreeBatch(m.build(13)), model);
        ImageShape shape = new ImageShape(64, 128, 128);
        Batch batch = new Batch(Split.VAL, new float[8 * shape.size()], new int[8], new int[8], shape);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flagKept = new AtomicReference<>();
        try (OrtEvaluator ort = OrtEvaluator.open(model, 2)) {
            Thread worker = new Thread(() -> {
                try {
                    ort.evaluate(List.of(batch, batch).iterator(), 64);
                } catch (Throwable t) {
                    thrown.set(t);
                }
                flagKept.set(Thread.currentThread().isInterrupted());
            });
            worker.start();
            Thread.sleep(700);
            long asked = System.nanoTime();
            worker.interrupt();
            worker.join(10_000);
            double seconds = (System.nanoTime() - asked) / 1e9;
            assertThat(worker.isAlive()).isFalse();
            assertThat(thrown.get()).as("what the evaluation threw").isInstanceOf(CancellationException.class);
            assertThat(flagKept.get()).as("the interrupt flag is kept for the caller").isTrue();
            assertThat(seconds).as("seconds from the interrupt to the end").isLessThan(1.0);
        }
    }
}
