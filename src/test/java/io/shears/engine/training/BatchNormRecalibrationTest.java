package io.shears.engine.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.data.Batch;
import io.shears.data.Dataset;
import io.shears.data.DatasetOptions;
import io.shears.data.ImageShape;
import io.shears.data.Split;
import io.shears.engine.Engines;
import io.shears.engine.IdxZip;
import io.shears.engine.NodeModel;
import io.shears.engine.Parity;
import io.shears.engine.evaluation.EvaluatorTest;
import io.shears.engine.interpreter.OnnxInterpreterBlock;
import io.shears.engine.interpreter.PassMode;
import io.shears.onnx.TensorValues;
import io.shears.testing.OrtRunner;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.shears.engine.NodeModel.floatAttr;
import static io.shears.engine.NodeModel.intAttr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BatchNormRecalibrationTest {
    private static final double[] CHANNEL_MEAN = {3, -1};
    private static final double[] CHANNEL_STD = {2, 0.5};

    /** x [N, 2, 4, 4] → 1x1 Conv with the identity as weight → BatchNormalization (stale statistics). */
    static ModelProto convBn(float momentum) {
        NodeModel m = new NodeModel(0, 1, 2, 4, 4);
        m.node("Conv", List.of(NodeModel.INPUT, m.floats("w", new long[] {2, 2, 1, 1}, 1, 0, 0, 1)), List.of("c"));
        m.single("BatchNormalization", List.of("c", m.floats("scale", new long[] {2}, 1, 1),
                m.floats("bias", new long[] {2}, 0, 0), m.floats("mean", new long[] {2}, 0.5f, 0.5f),
                m.floats("var", new long[] {2}, 2, 2)), floatAttr("epsilon", 1e-5f), floatAttr("momentum", momentum));
        return m.build(13);
    }

    /** Batches of normal data with the channel means and deviations above, of the given sizes. */
    static List<Batch> gaussianBatches(long seed, int... sizes) {
        SplittableRandom random = new SplittableRandom(seed);
        ImageShape shape = new ImageShape(2, 4, 4);
        List<Batch> batches = new ArrayList<>();
        for (int size : sizes) {
            float[] data = new float[size * shape.size()];
            for (int i = 0; i < data.length; i++) {
                int c = (i / 16) % 2;
                data[i] = (float) (CHANNEL_MEAN[c] + CHANNEL_STD[c] * gaussian(random));
            }
            batches.add(new Batch(Split.TRAIN, data, new int[size], new int[size], shape));
        }
        return batches;
    }

    static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /** Per channel: {mean, unbiased variance} of every value of the batches, in double. */
    static double[][] statistics(List<Batch> batches) {
        double[][] stats = new double[2][2];
        for (int c = 0; c < 2; c++) {
            double sum = 0;
            long n = 0;
            for (Batch b : batches) {
                for (int i = 0; i < b.data().length; i++) {
                    if ((i / 16) % 2 == c) {
                        sum += b.data()[i];
                        n++;
                    }
                }
            }
            double mean = sum / n;
            double squares = 0;
            for (Batch b : batches) {
                for (int i = 0; i < b.data().length; i++) {
                    if ((i / 16) % 2 == c) {
                        squares += (b.data()[i] - mean) * (b.data()[i] - mean);
                    }
                }
            }
            stats[c] = new double[] {mean, squares / (n - 1)};
        }
        return stats;
    }

    @Test
    void runningStatisticsBecomeThoseOfTheCalibrationData() {
        Engines.start();
        for (float momentum : new float[] {0.9f, 0.1f, 0f}) {
            List<Batch> batches = gaussianBatches(42, 8, 8, 5, 8);
            try (NDManager manager = NDManager.newBaseManager();
                 OnnxInterpreterBlock block = new OnnxInterpreterBlock(convBn(momentum), manager)) {
                BatchNormRecalibration.Report report =
                        BatchNormRecalibration.recalibrate(block, batches.iterator(), 100, manager);
                assertThat(report.applied()).isTrue();
                assertThat(report.layers()).isEqualTo(1);
                assertThat(report.batches()).isEqualTo(4);
                assertThat(report.samples()).isEqualTo(29);
                assertStatistics(block, statistics(batches), "momentum " + momentum);
                // and far from the stale ones, near the generating ones
                float[] mean = block.parameter("mean").getArray().toFloatArray();
                assertThat((double) mean[0]).isCloseTo(3, within(0.2));
                assertThat((double) mean[1]).isCloseTo(-1, within(0.05));
            }
        }
    }

    @Test
    void closesItsStepManagersAndRestoresTheStatisticsWhenABatchFails() throws Exception {
        Engines.start();
        List<Batch> batches = new ArrayList<>(gaussianBatches(3, 4, 4));
        batches.add(new Batch(Split.TRAIN, new float[3 * 4 * 4], new int[1], new int[1], new ImageShape(3, 4, 4)));
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(convBn(0.9f), manager)) {
            int resources = EvaluatorTest.resourceCount(manager);
            assertThatThrownBy(() -> BatchNormRecalibration.recalibrate(block, batches.iterator(), 100, manager))
                    .isInstanceOf(RuntimeException.class);
            assertThat(block.parameter("mean").getArray().toFloatArray()).containsExactly(0.5f, 0.5f);
            assertThat(block.parameter("var").getArray().toFloatArray()).containsExactly(2f, 2f);
            assertThat(EvaluatorTest.resourceCount(manager)).isEqualTo(resources);
            BatchNormRecalibration.recalibrate(block, batches.subList(0, 2).iterator(), 100, manager);
            assertThat(EvaluatorTest.resourceCount(manager)).isEqualTo(resources);
        }
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(convBn(1f), manager)) {
            assertThatThrownBy(() -> BatchNormRecalibration.recalibrate(block, batches.iterator(), 100, manager))
                    .hasMessageContaining("momentum 1.0");
        }
    }

    /** {@link #convBn} with a Dropout (ratio 0.5) between the Conv and the BatchNormalization. */
    static ModelProto convDropoutBn() {
        NodeModel m = new NodeModel(0, 1, 2, 4, 4);
        m.node("Conv", List.of(NodeModel.INPUT, m.floats("w", new long[] {2, 2, 1, 1}, 1, 0, 0, 1)), List.of("c"));
        m.node("Dropout", List.of("c"), List.of("d"));
        m.single("BatchNormalization", List.of("d", m.floats("scale", new long[] {2}, 1, 1),
                m.floats("bias", new long[] {2}, 0, 0), m.floats("mean", new long[] {2}, 0.5f, 0.5f),
                m.floats("var", new long[] {2}, 2, 2)), floatAttr("epsilon", 1e-5f), floatAttr("momentum", 0.9f));
        return m.build(13);
    }

    @Test
    void dropoutStaysTheIdentitySoRecalibrationIsDeterministic() {
        Engines.start();
        List<Batch> batches = gaussianBatches(11, 8, 8, 8);
        List<float[]> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (NDManager manager = NDManager.newBaseManager();
                 OnnxInterpreterBlock block = new OnnxInterpreterBlock(convDropoutBn(), manager)) {
                BatchNormRecalibration.recalibrate(block, batches.iterator(), 100, manager);
                // dropped and rescaled activations would inflate the variance about 2.5-fold
                assertStatistics(block, statistics(batches), "run " + run);
                float[] mean = block.parameter("mean").getArray().toFloatArray();
                float[] var = block.parameter("var").getArray().toFloatArray();
                runs.add(new float[] {mean[0], mean[1], var[0], var[1]});
            }
        }
        assertThat(runs.get(1)).as("the second recalibration").containsExactly(runs.get(0));
    }

    @Test
    void trainingModeStillDrops() {
        Engines.start();
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(convDropoutBn(), manager)) {
            NDArray x = manager.ones(new Shape(4, 2, 4, 4));
            float[] statistics = block.forward(new ParameterStore(manager, false), new NDList(x),
                    PassMode.BATCH_STATISTICS).head().toFloatArray();
            float[] training = block.forward(new ParameterStore(manager, false), new NDList(x),
                    PassMode.TRAINING).head().toFloatArray();
            // all-equal input: batch statistics normalise it to 0 unless Dropout made some values 0
            assertThat(statistics).containsOnly(0f);
            assertThat(training).as("Dropout drops in training").doesNotContain(Float.NaN)
                    .isNotEqualTo(statistics);
        }
    }

    @Test
    void usesAtMostTheGivenNumberOfBatches() {
        Engines.start();
        List<Batch> batches = gaussianBatches(7, 4, 4, 4, 4);
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(convBn(0.9f), manager)) {
            BatchNormRecalibration.Report report =
                    BatchNormRecalibration.recalibrate(block, batches.iterator(), 2, manager);
            assertThat(report.batches()).isEqualTo(2);
            assertStatistics(block, statistics(batches.subList(0, 2)), "first two batches");
        }
    }

    private static void assertStatistics(OnnxInterpreterBlock block, double[][] expected, String what) {
        float[] mean = block.parameter("mean").getArray().toFloatArray();
        float[] var = block.parameter("var").getArray().toFloatArray();
        for (int c = 0; c < 2; c++) {
            assertThat((double) mean[c]).as(what + ": mean of channel " + c)
                    .isCloseTo(expected[c][0], within(1e-5 * Math.max(1, Math.abs(expected[c][0]))));
            assertThat((double) var[c]).as(what + ": variance of channel " + c)
                    .isCloseTo(expected[c][1], within(1e-5 * expected[c][1]));
        }
    }

    @Test
    void aModelWithoutBatchNormIsLeftUntouchedAndSaysSo() {
        Engines.start();
        ModelProto model = EvaluatorTest.identityClassifier(3);
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
            List<Batch> batches = EvaluatorTest.batches(new float[][] {{1, 2, 3}, {3, 2, 1}}, new int[] {2, 0}, 2);
            BatchNormRecalibration.Report report =
                    BatchNormRecalibration.recalibrate(block, batches.iterator(), 100, manager);
            assertThat(report.applied()).isFalse();
            assertThat(report.note()).contains("no BatchNormalization");
            assertThat(report.batches()).isZero();
            for (TensorProto t : block.exportModel().getGraph().getInitializerList()) {
                TensorProto original = model.getGraph().getInitializerList().stream()
                        .filter(o -> o.getName().equals(t.getName())).findFirst().orElseThrow();
                assertThat(TensorValues.floats(t)).as(t.getName()).containsExactly(TensorValues.floats(original));
            }
        }
    }

    @Test
    void exportedModelReproducesTheRecalibratedInterpreterInOnnxRuntime() {
        Engines.start();
        ModelProto model = TestGraphs.resnetBasicBlocks().build(13);
        ImageShape shape = new ImageShape(3, 16, 16);
        List<Batch> batches = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            float[] data = OrtRunner.randomInput(100 + k, shape.nchw(6));
            for (int i = 0; i < data.length; i++) {
                data[i] = data[i] * 3 + 0.5f;
            }
            batches.add(new Batch(Split.TRAIN, data, new int[6], new int[6], shape));
        }
        float[] input = OrtRunner.randomInput(7, shape.nchw(4));
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
            float[] beforeRecalibration = infer(block, manager, input, shape.nchw(4));
            BatchNormRecalibration.Report report =
                    BatchNormRecalibration.recalibrate(block, batches.iterator(), 100, manager);
            assertThat(report.applied()).isTrue();
            assertThat(report.layers()).isGreaterThanOrEqualTo(5);
            float[] interpreted = infer(block, manager, input, shape.nchw(4));
            assertThat(interpreted).isNotEqualTo(beforeRecalibration);
            ModelProto exported = block.exportModel();
            float[] reference = OrtRunner.run(exported.toByteArray(), input, shape.nchw(4));
            Parity.assertClose(interpreted, reference, "recalibrated resnetBasicBlocks");
        }
    }

    @Test
    void datasetRecalibrationReportsAccuracyBeforeAndAfter(@TempDir Path dir) {
        Engines.start();
        // [N, 1, 1, 3] → BatchNormalization (one channel) → Flatten → Gemm(identity): BN shifts and scales all
        // logits of a sample alike, so top-1 stays, but the loss changes
        NodeModel m = new NodeModel(0, 1, 1, 1, 3);
        m.node("BatchNormalization", List.of(NodeModel.INPUT, m.floats("scale", new long[] {1}, 1),
                m.floats("bias", new long[] {1}, 0), m.floats("mean", new long[] {1}, 0),
                m.floats("var", new long[] {1}, 1)), List.of("bn"));
        m.node("Flatten", List.of("bn"), List.of("flat"), intAttr("axis", 1));
        float[] eye = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        m.single("Gemm", List.of("flat", m.floats("w", new long[] {3, 3}, eye),
                m.floats("b", new long[] {3}, 0, 0, 0)), intAttr("transB", 1));
        int n = 40;
        byte[][] images = new byte[n][];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            images[i] = new byte[] {(byte) (i % 3 == 0 ? 250 : 10), (byte) (i % 3 == 1 ? 250 : 10),
                (byte) (i % 3 == 2 ? 250 : 10)};
            labels[i] = i % 3;
        }
        Path zip = IdxZip.write(dir.resolve("d.zip"), 1, 3, images, labels);
        try (Dataset dataset = Dataset.open(zip, DatasetOptions.defaults().withValFraction(0.25));
             NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(m.build(13), manager)) {
            BatchNormRecalibration.Report report = BatchNormRecalibration.recalibrate(block, dataset, 4,
                    BatchNormRecalibration.DEFAULT_BATCHES, manager);
            assertThat(report.applied()).isTrue();
            assertThat(report.evaluatedOn()).isEqualTo(Split.VAL);
            assertThat(report.samples()).isEqualTo(dataset.count(Split.TRAIN));
            assertThat(report.batches()).isEqualTo(dataset.batchCount(Split.TRAIN, 4, false));
            assertThat(report.before().top1()).isEqualTo(1.0);
            assertThat(report.after().top1()).isEqualTo(1.0);
            assertThat(report.after().meanLoss()).isNotEqualTo(report.before().meanLoss());
            float[] mean = block.parameter("mean").getArray().toFloatArray();
            assertThat((double) mean[0]).isCloseTo((250 + 10 + 10) / 3.0 / 255, within(1e-4));
        }
    }

    private static float[] infer(OnnxInterpreterBlock block, NDManager manager, float[] input, long[] shape) {
        try (NDManager step = manager.newSubManager()) {
            NDArray x = step.create(input, new Shape(shape));
            NDList out = block.infer(new NDList(x));
            return out.head().toFloatArray();
        }
    }
}
