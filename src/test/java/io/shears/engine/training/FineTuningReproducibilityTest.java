package io.shears.engine.training;

import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.data.Dataset;
import io.shears.data.DatasetOptions;
import io.shears.engine.Engines;
import io.shears.engine.IdxZip;
import io.shears.engine.interpreter.OnnxInterpreterBlock;
import io.shears.files.Sha256;
import io.shears.testing.OnnxGraphBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the numbers of a short deterministic fine-tuning run per optimizer: every epoch's mean train loss, the final
 * loss, the trained weights and the checkpoint's bytes (its wall-clock seconds blanked). The expected values were
 * recorded from the training code as it was before it was split into parts, so they hold any restructuring to
 * bit-identical results and to the same checkpoint format. The checkpoint's hashes alone were recorded again when each
 * epoch's validation moved to ONNX Runtime: its rows hold the validation loss and accuracy, which differ from the
 * interpreter's in the last bits; with the interpreter validating, the earlier hashes still came out. All three were
 * recorded again when image batches began to enter the interpreter channels-last (NHWC in memory): oneDNN's
 * convolution then sums in another order, and the losses moved in their seventh significant digit.
 */
class FineTuningReproducibilityTest {
    private static final int SIDE = 10;
    private static final int SAMPLES = 96;
    /** Bytes of one epoch row in the checkpoint: int epoch, 2 longs, 4 doubles, long FLOPs, double seconds. */
    private static final int ROW_BYTES = 4 + 8 + 8 + 4 * 8 + 8 + 8;

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static Dataset dataset;

    @BeforeAll
    static void setUp() {
        Engines.start();
        // class k is a bright column at 2k plus noise: learnable, yet the loss moves every step
        Random random = new Random(17);
        byte[][] images = new byte[SAMPLES][SIDE * SIDE];
        int[] labels = new int[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            labels[i] = i % 4;
            for (int p = 0; p < SIDE * SIDE; p++) {
                int v = random.nextInt(90) + (p % SIDE == 2 * labels[i] + 1 ? 150 : 0);
                images[i][p] = (byte) Math.min(255, v);
            }
        }
        dataset = Dataset.open(IdxZip.write(shared.resolve("bars.zip"), SIDE, SIDE, images, labels),
                DatasetOptions.defaults().withSeed(9));
    }

    @AfterAll
    static void tearDown() {
        dataset.close();
    }

    /** conv-bn-relu → GAP → flatten → gemm 4. */
    private static ModelProto tinyCnn() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("tiny_cnn", 17);
        String x = b.input("input", OnnxGraphBuilder.BATCH, 1, SIDE, SIDE);
        x = b.relu(b.batchNorm(b.conv(x, 6, 3, 1, 1, 1, false)));
        b.output(b.gemm(b.flatten(b.globalAveragePool(x), 1), 4));
        return b.build(13);
    }

    @ParameterizedTest
    @CsvSource({
            "SGD, 0.05, 0x1.9220f45d1745dp0 0x1.68a1ca2e8ba2fp0 0x1.643fd2ba2e8bap0 0x1.62a41a333f8d2p0,"
                    + "88451653af482eb4981772d9e76a652be41a4e65c7082bdb938ed15d57143a2c,"
                    + "a3b70c0af4caac0ea0f2b46150d3fc886ec5fa7d7572227b318d91c6db2f9cfe",
            "ADAMW, 0.01, 0x1.95a2af1745d17p0 0x1.7b83948ba2e8cp0 0x1.71b4d48ba2e8cp0 0x1.66dec469a3cf3p0,"
                    + "88ff878555f2ec5d74727a98810dd3a9bede50e654b8b263d9dc4e0d934dae92,"
                    + "8c5ac0109750dc0fb8f18212d6120bd569c31e9c78dd9f3ec6e9346766dd7e92"})
    void aShortRunGivesTheRecordedLossesWeightsAndCheckpoint(FineTuneSpec.OptimizerKind optimizer, float lr,
                                                             String losses, String weights, String checkpoint)
            throws IOException {
        FineTuneSpec spec = FineTuneSpec.defaults().withLearningRate(lr).withOptimizer(optimizer).withBatchSize(16)
                .withEpochs(3).withWarmup(0, 4).withWeightDecay(1e-3f).withSeed(3);
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(tinyCnn(), manager);
             FineTuner tuner = new FineTuner(block, dataset, spec, manager)) {
            FineTuneResult result = tuner.run(dir.resolve("m.csv"), dir.resolve("ckpt"));
            StringBuilder seen = new StringBuilder();
            for (FineTuneResult.EpochRow row : result.epochs()) {
                seen.append(Double.toHexString(row.trainLoss())).append(' ');
            }
            seen.append(Double.toHexString(result.finalEvaluation().meanLoss()));
            String weightHash = Sha256.of(parameterBytes(block));
            String checkpointHash = Sha256.of(withoutSeconds(
                    Files.readAllBytes(dir.resolve("ckpt").resolve(FineTuner.CHECKPOINT_FILE)), spec));
            assertThat(seen.toString()).as("epoch train losses and final loss").isEqualTo(losses);
            assertThat(weightHash).as("trained weights").isEqualTo(weights);
            assertThat(checkpointHash).as("checkpoint bytes").isEqualTo(checkpoint);
        }
    }

    private static byte[] parameterBytes(OnnxInterpreterBlock block) {
        List<float[]> arrays = block.getParameters().values().stream().map(p -> p.getArray().toFloatArray())
                .toList();
        ByteBuffer out = ByteBuffer.allocate(arrays.stream().mapToInt(a -> a.length * 4).sum());
        for (float[] a : arrays) {
            for (float v : a) {
                out.putInt(Float.floatToRawIntBits(v));
            }
        }
        return out.array();
    }

    /** The checkpoint with each row's wall-clock seconds zeroed, the one part that differs between runs. */
    private static byte[] withoutSeconds(byte[] checkpoint, FineTuneSpec spec) {
        int rowsAt = 4 + 4 + 2 + spec.toString().getBytes(StandardCharsets.UTF_8).length + 4 + 8 + 8 + 1 + 1;
        int rows = ByteBuffer.wrap(checkpoint, rowsAt, 4).getInt();
        byte[] copy = checkpoint.clone();
        for (int r = 0; r < rows; r++) {
            int secondsAt = rowsAt + 4 + r * ROW_BYTES + ROW_BYTES - 8;
            Arrays.fill(copy, secondsAt, secondsAt + 8, (byte) 0);
        }
        return copy;
    }
}
