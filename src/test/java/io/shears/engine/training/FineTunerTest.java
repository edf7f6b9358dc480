package io.shears.engine.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.data.Batch;
import io.shears.data.Dataset;
import io.shears.data.DatasetOptions;
import io.shears.data.Split;
import io.shears.engine.Engines;
import io.shears.engine.IdxZip;
import io.shears.engine.evaluation.EvaluationResult;
import io.shears.engine.evaluation.Evaluator;
import io.shears.engine.interpreter.OnnxInterpreterBlock;
import io.shears.testing.OnnxGraphBuilder;
import io.shears.testing.OrtRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Fine-tuning: learning on Fashion-MNIST, ORT parity of the export, resume, FLOP budget, freeze, schedule, CSV. */
class FineTunerTest {
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    private static final int TRAIN = 600;
    private static final int VAL = 200;

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static Dataset dataset;
    private static boolean realData;

    @BeforeAll
    static void setUp() throws IOException {
        Engines.start();
        Path zip = shared.resolve("data.zip");
        realData = Files.isReadable(FASHION.resolve("train-images-idx3-ubyte.gz"))
                && Files.isReadable(FASHION.resolve("t10k-labels-idx1-ubyte.gz"));
        if (realData) {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            entries.put("train-images-idx3-ubyte", subset(FASHION.resolve("train-images-idx3-ubyte.gz"), TRAIN));
            entries.put("train-labels-idx1-ubyte", subset(FASHION.resolve("train-labels-idx1-ubyte.gz"), TRAIN));
            entries.put("t10k-images-idx3-ubyte", subset(FASHION.resolve("t10k-images-idx3-ubyte.gz"), VAL));
            entries.put("t10k-labels-idx1-ubyte", subset(FASHION.resolve("t10k-labels-idx1-ubyte.gz"), VAL));
            try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    out.putNextEntry(new ZipEntry(e.getKey()));
                    out.write(e.getValue());
                    out.closeEntry();
                }
            }
        } else {
            // learnable stand-in: class k is a bright bar at row 2 + 2k plus noise
            Random random = new Random(3);
            int n = TRAIN + VAL;
            byte[][] images = new byte[n][28 * 28];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = i % 10;
                for (int p = 0; p < 28 * 28; p++) {
                    int row = p / 28;
                    int v = random.nextInt(80) + (Math.abs(row - (2 + 2 * labels[i])) <= 1 ? 170 : 0);
                    images[i][p] = (byte) Math.min(255, v);
                }
            }
            IdxZip.write(zip, 28, 28, images, labels);
        }
        dataset = Dataset.open(zip, DatasetOptions.defaults().withSeed(5));
    }

    @AfterAll
    static void tearDown() {
        dataset.close();
    }

    /** The first {@code count} items of a gzipped IDX file, as a raw IDX file. */
    private static byte[] subset(Path gz, int count) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz));
             DataInputStream data = new DataInputStream(in)) {
            int magic = data.readInt();
            int dims = magic & 0xff;
            int[] shape = new int[dims];
            for (int i = 0; i < dims; i++) {
                shape[i] = data.readInt();
            }
            int itemSize = 1;
            for (int i = 1; i < dims; i++) {
                itemSize *= shape[i];
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer header = ByteBuffer.allocate(4 + 4 * dims).putInt(magic).putInt(count);
            for (int i = 1; i < dims; i++) {
                header.putInt(shape[i]);
            }
            out.write(header.array());
            byte[] items = new byte[count * itemSize];
            data.readFully(items);
            out.write(items);
            return out.toByteArray();
        }
    }

    /** conv-bn-relu-maxpool ×2 → GAP → flatten → gemm 10. */
    private static ModelProto smallCnn() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("small_cnn", 17);
        String x = b.input("input", OnnxGraphBuilder.BATCH, 1, 28, 28);
        x = b.maxPool(b.relu(b.batchNorm(b.conv(x, 16, 3, 1, 1, 1, false))), 2, 2, 0);
        x = b.maxPool(b.relu(b.batchNorm(b.conv(x, 32, 3, 1, 1, 1, false))), 2, 2, 0);
        x = b.flatten(b.globalAveragePool(x), 1);
        b.output(b.gemm(x, 10));
        return b.build(13);
    }

    /** SqueezeNet's classifier: a 1x1 Conv to the classes, Relu, GlobalAveragePool and Flatten, with no Gemm. */
    private static ModelProto squeezeNetHead() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("squeezenet_head", 17);
        String x = b.input("input", OnnxGraphBuilder.BATCH, 1, 28, 28);
        x = b.maxPool(b.relu(b.conv(x, 16, 3, 1, 1, 1, true)), 2, 2, 0);
        x = b.relu(b.conv(x, 10, 1, 1, 0, 1, true));
        b.output(b.flatten(b.globalAveragePool(x), 1));
        return b.build(13);
    }

    private static Map<String, float[]> snapshot(OnnxInterpreterBlock block) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (var pair : block.getParameters()) {
            values.put(pair.getKey(), pair.getValue().getArray().toFloatArray());
        }
        return values;
    }

    @Test
    void learnsFashionMnistAndTheExportMatchesOnnxRuntime() throws IOException {
        FineTuneSpec spec = FineTuneSpec.defaults().withLearningRate(0.1f).withBatchSize(32).withEpochs(8)
                .withWarmup(1, 0)
                .withWeightDecay(1e-4f);
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(smallCnn(), manager)) {
            double before = Evaluator.evaluate(block, dataset, Split.VAL, 64, manager).top1();
            long started = System.nanoTime();
            FineTuneResult result = new FineTuner(block, dataset, spec, manager)
                    .run(dir.resolve("metrics.csv"), dir.resolve("ckpt"));
            double seconds = (System.nanoTime() - started) / 1e9;
            double top1 = result.finalEvaluation().top1();
            System.out.printf("fine-tuning %s data (%d train / %d val), 8 epochs: val top-1 %.3f -> %.3f, "
                    + "train loss %.3f -> %.3f, %.1f s%n", realData ? "Fashion-MNIST" : "generated", TRAIN, VAL,
                    before, top1, result.epochs().get(0).trainLoss(), result.epochs().get(7).trainLoss(), seconds);
            assertThat(top1).as("validation top-1 on 10 classes").isGreaterThan(0.5);
            assertThat(result.epochs().get(7).trainLoss()).isLessThan(result.epochs().get(0).trainLoss());

            ModelProto exported = block.exportModel();
            Batch batch = dataset.batches(Split.VAL, 16, 0).next();
            float[] reference = OrtRunner.run(exported.toByteArray(), batch.data(), batch.nchw());
            float[] ours = block.infer(new NDList(manager.create(batch.data(), new Shape(batch.nchw())))).head()
                    .toFloatArray();
            double maxRef = 0;
            double maxDiff = 0;
            for (int i = 0; i < reference.length; i++) {
                maxRef = Math.max(maxRef, Math.abs(reference[i]));
                maxDiff = Math.max(maxDiff, Math.abs(reference[i] - ours[i]));
            }
            assertThat(maxDiff).as("max |ORT - interpreter| of the exported logits").isLessThanOrEqualTo(1e-4 * maxRef);
            // the export carries trained BN statistics, not the builder's
            assertThat(exported).isNotEqualTo(smallCnn());
        }
    }

    @ParameterizedTest
    @EnumSource(FineTuneSpec.OptimizerKind.class)
    void aResumedRunEndsWithExactlyTheWeightsOfAnUninterruptedOne(FineTuneSpec.OptimizerKind optimizer) {
        FineTuneSpec spec = FineTuneSpec.defaults()
                .withLearningRate(optimizer == FineTuneSpec.OptimizerKind.SGD ? 0.05f : 0.003f)
                .withOptimizer(optimizer).withBatchSize(64).withEpochs(2).withWarmup(0, 3).withWeightDecay(1e-3f)
                .withSeed(11);
        ModelProto model = smallCnn();
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, float[]> straight;
            try (OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
                new FineTuner(block, dataset, spec, manager).run(dir.resolve("a.csv"), dir.resolve("a"));
                straight = snapshot(block);
            }
            try (OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
                assertThatThrownBy(() -> new FineTuner(block, dataset, spec, manager).onEpoch(row -> {
                    throw new IllegalStateException("crash after epoch " + row.epoch());
                }).run(dir.resolve("b.csv"), dir.resolve("b"))).hasMessageContaining("crash after epoch 1");
            }
            Map<String, float[]> resumed;
            FineTuneResult result;
            try (OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
                result = new FineTuner(block, dataset, spec, manager).resume(dir.resolve("b.csv"), dir.resolve("b"));
                resumed = snapshot(block);
            }
            assertThat(result.resumedAtEpoch()).isEqualTo(1);
            assertThat(result.epochs()).hasSize(2);
            assertThat(resumed.keySet()).isEqualTo(straight.keySet());
            for (String name : straight.keySet()) {
                assertThat(resumed.get(name)).as(optimizer + ": " + name).containsExactly(straight.get(name));
            }
        }
    }

    @Test
    void theFlopBudgetStopsBeforeTheStepThatWouldExceedIt() {
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(smallCnn(), manager)) {
            FineTuner probe = new FineTuner(block, dataset, FineTuneSpec.defaults().withLearningRate(0.05f), manager);
            long perSample = 3 * probe.forwardFlopsPerSample();
            assertThat(probe.forwardFlopsPerSample()).isGreaterThan(0);
            long budget = perSample * (32 * 5 + 10);
            FineTuneSpec spec = FineTuneSpec.defaults().withLearningRate(0.05f).withBatchSize(32).withEpochs(5)
                    .withMaxTrainFlops(budget);
            FineTuner tuner = new FineTuner(block, dataset, spec, manager);
            assertThat(tuner.plannedSteps()).isEqualTo(5);
            FineTuneResult result = tuner.run(dir.resolve("m.csv"), dir.resolve("c"));
            assertThat(result.budgetReached()).isTrue();
            assertThat(result.steps()).isEqualTo(5);
            assertThat(result.trainFlops()).isEqualTo(perSample * 160).isLessThanOrEqualTo(budget);
            assertThat(result.trainFlops() + perSample * 32).as("the next step").isGreaterThan(budget);
            assertThat(result.epochs()).hasSize(1);
            assertThat(result.epochs().get(0).samples()).isEqualTo(160);
        }
    }

    @Test
    void validationOnASampleDecodesOnlyTheSampleAndTrainsTheSameWeights() {
        FineTuneSpec spec = FineTuneSpec.defaults().withLearningRate(0.05f).withBatchSize(50).withEpochs(2).withSeed(1);
        Map<String, float[]> whole;
        FineTuneResult wholeResult;
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(smallCnn(), manager);
             FineTuner tuner = new FineTuner(block, dataset, spec, manager)) {
            wholeResult = tuner.run(dir.resolve("whole.csv"), dir.resolve("whole"));
            whole = snapshot(block);
        }
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(smallCnn(), manager);
             FineTuner tuner = new FineTuner(block, dataset, spec, manager)) {
            long before = dataset.decodeCount();
            FineTuneResult result = tuner.validating(new ValidationPlan(30, false))
                    .run(dir.resolve("sample.csv"), dir.resolve("sample"));
            assertThat(dataset.decodeCount() - before).as("two epochs of training, 30 validation images each")
                    .isEqualTo(2L * (TRAIN + 30));
            assertThat(result.finalEvaluation()).isNull();
            assertThat(result.epochs()).allMatch(e -> Double.isFinite(e.valLoss()) && Double.isFinite(e.valTop1()));
            assertThat(result.epochs().get(1).valLoss()).as("a sample, not the whole split")
                    .isNotEqualTo(wholeResult.epochs().get(1).valLoss());
            Map<String, float[]> sampled = snapshot(block);
            assertThat(sampled.keySet()).containsExactlyElementsOf(whole.keySet());
            whole.forEach((name, values) -> assertThat(sampled.get(name)).as(name).containsExactly(values));
        }
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(smallCnn(), manager);
             FineTuner tuner = new FineTuner(block, dataset, spec.withEpochs(1), manager)) {
            long before = dataset.decodeCount();
            FineTuneResult result = tuner.validating(new ValidationPlan(0, false))
                    .run(dir.resolve("none.csv"), dir.resolve("none"));
            assertThat(dataset.decodeCount() - before).as("training only").isEqualTo(TRAIN);
            assertThat(result.epochs().get(0).valLoss()).isNaN();
        }
    }

    @Test
    void validationInOnnxRuntimeGivesTheInterpretersFiguresAndLeavesNoModelBehind() {
        FineTuneSpec spec = FineTuneSpec.defaults().withLearningRate(0.05f).withBatchSize(50).withEpochs(1).withSeed(2);
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(smallCnn(), manager);
             FineTuner tuner = new FineTuner(block, dataset, spec, manager)) {
            FineTuneResult result = tuner.validating(new ValidationPlan(40, false))
                    .run(dir.resolve("ort.csv"), dir.resolve("ort"));
            int[] sample = dataset.sample(Split.VAL, 40, ValidationPlan.SAMPLE_STREAM);
            EvaluationResult interpreted = Evaluator.evaluate(block, dataset.batches(Split.VAL, sample, 50),
                    dataset.classCount(), manager);
            FineTuneResult.EpochRow row = result.epochs().get(0);
            assertThat(row.valTop1()).isEqualTo(interpreted.top1());
            assertThat(row.valLoss()).isCloseTo(interpreted.meanLoss(), within(1e-5));
            assertThat(dir.resolve("ort").resolve(EpochValidation.MODEL_FILE)).doesNotExist();
        }
    }

    @Test
    void freezingTheBackboneChangesOnlyTheHead() {
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(smallCnn(), manager)) {
            Map<String, float[]> before = snapshot(block);
            FineTuneSpec spec = FineTuneSpec.defaults().withLearningRate(0.05f).withBatchSize(64).withEpochs(1)
                    .withFreeze(FineTuneSpec.Freeze.BACKBONE, List.of());
            FineTuner tuner = new FineTuner(block, dataset, spec, manager);
            assertThat(tuner.trainedParameters()).containsExactlyInAnyOrder("gemm0.weight", "gemm0.bias");
            List<String> backbone = block.getParameters().values().stream().filter(Parameter::requiresGradient)
                    .map(Parameter::getName).filter(name -> !tuner.trainedParameters().contains(name)).toList();
            assertThat(backbone).contains("conv0.weight", "bn0.scale");
            Map<String, Boolean> recordedDuringTraining = new LinkedHashMap<>();
            tuner.onEpoch(row -> backbone.forEach(name ->
                    recordedDuringTraining.put(name, block.parameter(name).getArray().hasGradient())));
            tuner.run(dir.resolve("f.csv"), dir.resolve("f"));
            assertThat(recordedDuringTraining).as("backbone parameters attached to autograd during the run")
                    .hasSize(backbone.size()).doesNotContainValue(true);
            for (String name : backbone) {
                assertThat(block.parameter(name).getArray().hasGradient()).as(name + " after the run").isTrue();
            }
            Map<String, float[]> after = snapshot(block);
            for (String name : before.keySet()) {
                if (tuner.trainedParameters().contains(name)) {
                    assertThat(after.get(name)).as(name).isNotEqualTo(before.get(name));
                } else {
                    assertThat(after.get(name)).as(name).containsExactly(before.get(name));
                }
            }
            FineTuneSpec named = spec.withFreeze(FineTuneSpec.Freeze.BACKBONE, List.of("gemm0.weight"));
            assertThat(new FineTuner(block, dataset, named, manager).trainedParameters())
                    .containsExactly("gemm0.weight");
        }
    }

    @Test
    void freezingTheBackboneFindsAOneByOneConvHeadBehindGlobalAveragePool() {
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(squeezeNetHead(), manager)) {
            FineTuneSpec spec = FineTuneSpec.defaults().withLearningRate(0.05f).withBatchSize(64).withEpochs(1)
                    .withFreeze(FineTuneSpec.Freeze.BACKBONE, List.of());
            assertThat(new FineTuner(block, dataset, spec, manager).trainedParameters())
                    .containsExactlyInAnyOrder("conv1.weight", "conv1.bias");
        }
    }

    @Test
    void cosineWithWarmupFollowsTheFormula() {
        double lr = 0.1;
        assertThat(FineTuneSpec.cosineWithWarmup(lr, 0, 5, 25)).isCloseTo(0.02, within(1e-12));
        assertThat(FineTuneSpec.cosineWithWarmup(lr, 4, 5, 25)).isCloseTo(0.1, within(1e-12));
        assertThat(FineTuneSpec.cosineWithWarmup(lr, 5, 5, 25)).isCloseTo(0.1, within(1e-12));
        assertThat(FineTuneSpec.cosineWithWarmup(lr, 15, 5, 25)).isCloseTo(0.05, within(1e-12));
        assertThat(FineTuneSpec.cosineWithWarmup(lr, 24, 5, 25))
                .isCloseTo(0.05 * (1 + Math.cos(Math.PI * 19 / 20)), within(1e-12));
        assertThat(FineTuneSpec.cosineWithWarmup(lr, 10, 0, 20)).isCloseTo(0.05, within(1e-12));
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(smallCnn(), manager)) {
            // learningRate is the float the optimizer uses, hence 1e-6; 600 samples at batch 32: 19 steps an epoch; one warmup epoch plus 2 steps, 3 epochs
            FineTuner tuner = new FineTuner(block, dataset,
                    FineTuneSpec.defaults().withLearningRate(0.1f).withBatchSize(32).withEpochs(3).withWarmup(1, 2),
                    manager);
            assertThat(tuner.warmupSteps()).isEqualTo(21);
            assertThat(tuner.plannedSteps()).isEqualTo(57);
            assertThat(tuner.learningRate(0)).isCloseTo(0.1 / 21, within(1e-6));
            assertThat(tuner.learningRate(21)).isCloseTo(0.1, within(1e-6));
            assertThat(tuner.learningRate(39)).isCloseTo(0.05, within(1e-6));
        }
    }

    @Test
    void theCsvHasOneRowPerEpochWithTheDocumentedColumns() throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(smallCnn(), manager)) {
            FineTuneSpec spec = FineTuneSpec.defaults().withLearningRate(0.05f).withBatchSize(64).withEpochs(2);
            FineTuneResult result = new FineTuner(block, dataset, spec, manager)
                    .run(dir.resolve("out/metrics.csv"), dir.resolve("k"));
            List<String> lines = Files.readAllLines(dir.resolve("out/metrics.csv"));
            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).isEqualTo(
                    "epoch,steps,samples,trainLoss,trainAccuracy,valLoss,valTop1,trainFlops,seconds");
            for (int e = 1; e <= 2; e++) {
                String[] cells = lines.get(e).split(",");
                assertThat(cells).hasSize(9);
                assertThat(Integer.parseInt(cells[0])).isEqualTo(e);
                assertThat(Long.parseLong(cells[1])).isEqualTo(10);
                assertThat(Long.parseLong(cells[2])).isEqualTo(TRAIN);
                assertThat(Double.parseDouble(cells[4])).isBetween(0.0, 1.0);
                assertThat(Double.parseDouble(cells[6])).isBetween(0.0, 1.0);
                assertThat(Long.parseLong(cells[7])).isEqualTo(e * 3L * TRAIN * result.trainFlops() / (6L * TRAIN));
            }
            assertThat(Files.exists(dir.resolve("k").resolve(FineTuner.CHECKPOINT_FILE))).isTrue();
        }
    }
}
