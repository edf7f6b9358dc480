package io.shears.engine;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.data.Dataset;
import io.shears.data.DatasetOptions;
import io.shears.data.Preprocessing;
import io.shears.data.Split;
import io.shears.engine.evaluation.EvaluationResult;
import io.shears.engine.startup.EngineSettings;
import io.shears.engine.training.FineTuneResult;
import io.shears.engine.training.FineTuneSpec;
import io.shears.engine.training.FineTuner;
import io.shears.engine.training.TrainingSlot;
import io.shears.engine.training.ValidationPlan;
import io.shears.files.FileTrees;
import io.shears.onnx.ModelReader;
import io.shears.onnx.ModelWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs a job's stages on a small generated model and dataset ({@link WarmUpModel}, {@link WarmUpImages}) once the
 * engine has started, so that a worker reports ready only once it has trained and evaluated a model, and so that its
 * first job does not pay for loading and compiling the code every job shares.
 *
 * <p>A job's Java code (the interpreter's node-by-node dispatch, the optimizer, batches, metrics) starts interpreted
 * and is compiled as it runs, on the cores the kernels need: on two cores a fresh process's first Fashion-MNIST epoch
 * took twice as long as its later ones with both of the JVM's compilers, and 1.2–1.4 times as long with C1 alone, as
 * the service runs on the CPU ({@link io.shears.engine.startup.JitCompilers}; docs/benchmarks.md). Each round decodes
 * the dataset into its cache, recalibrates BatchNorm, fine-tunes one epoch with per-epoch validation (in ONNX Runtime
 * on the CPU, as a job does), exports the model and evaluates it, all through the classes a job uses. Rounds are
 * small and many because the compilers count calls and loop iterations, not work.
 *
 * <p>Fine-tuning takes the process's {@link TrainingSlot}, so a job that arrives meanwhile waits for at most one
 * round's epoch to start its own. The model and what it learns are thrown away.
 */
public final class EngineWarmUp {
    /** Rounds a service runs at start unless configured otherwise: about 2 s on two cores. */
    public static final int DEFAULT_ROUNDS = 10;

    static final int SIDE = 16;
    static final int TRAIN_IMAGES = 384;
    static final int VALIDATION_IMAGES = 192;
    static final int BATCH = 16;
    private static final int WIDTH = 8;
    private static final int CALIBRATION_BATCHES = 4;
    private static final long SEED = 20231205L;

    /**
     * What the warm-up did.
     *
     * @param rounds     rounds run
     * @param trainSteps fine-tuning steps over all rounds
     * @param lastTop1   top-1 accuracy of the last round's evaluation, on its generated validation split
     * @param seconds    wall-clock time taken
     */
    public record Report(int rounds, long trainSteps, double lastTop1, double seconds) {
    }

    private EngineWarmUp() {
    }

    /**
     * Runs {@code rounds} rounds in a fresh directory under {@code workDir}, deleted afterwards. The engine must have
     * started ({@code EngineSetup.start}); {@code threads} is ONNX Runtime's intra-op thread count, the engine's.
     *
     * @throws java.util.concurrent.CancellationException when the thread is interrupted while it waits to train
     */
    public static Report run(EngineSettings engine, int threads, Path workDir, int rounds) {
        if (rounds < 0) {
            throw new IllegalArgumentException("warm-up rounds must be 0 or more, got " + rounds);
        }
        long start = System.nanoTime();
        Path dir;
        try {
            dir = Files.createTempDirectory(Files.createDirectories(workDir), "warm-up-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            ModelProto model = WarmUpModel.build(SIDE, WIDTH, WarmUpImages.CLASSES, SEED);
            Path zip = WarmUpImages.write(dir.resolve("images.zip"), SIDE, TRAIN_IMAGES, VALIDATION_IMAGES, SEED);
            long steps = 0;
            double top1 = Double.NaN;
            for (int round = 0; round < rounds; round++) {
                Round r = round(engine, threads, model, zip, Files.createDirectory(dir.resolve("round-" + round)));
                steps += r.steps();
                top1 = r.top1();
            }
            return new Report(rounds, steps, top1, (System.nanoTime() - start) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dir);
        }
    }

    private record Round(long steps, double top1) {
    }

    private static Round round(EngineSettings engine, int threads, ModelProto model, Path zip, Path dir) {
        Preprocessing grey = new Preprocessing(SIDE, SIDE, SIDE, Preprocessing.Channels.GREY, new float[] {0.5f},
                new float[] {0.25f});
        DatasetOptions options = DatasetOptions.defaults().withPreprocessing(grey).withSeed(SEED)
                .withSpoolDirectory(dir).withPreprocessedCache(64L << 20);
        try (Dataset dataset = Dataset.open(zip, options)) {
            FineTuneResult tuned;
            try (InterpreterSession session = InterpreterSession.open(model, engine)) {
                session.recalibrate(dataset.batches(Split.TRAIN, BATCH, 0, true, false), CALIBRATION_BATCHES);
                FineTuneSpec spec = FineTuneSpec.defaults().withLearningRate(0.05f).withBatchSize(BATCH)
                        .withEpochs(1).withSeed(SEED);
                try (TrainingSlot slot = TrainingSlot.acquire(); FineTuner tuner = session.fineTuner(dataset, spec)) {
                    tuned = tuner.validating(new ValidationPlan(VALIDATION_IMAGES, false))
                            .run(dir.resolve("training.csv"), dir.resolve("checkpoint"));
                }
                ModelWriter.write(session.exportModel(), dir.resolve("fine-tuned.onnx"));
            }
            EvaluationResult evaluated = ModelEvaluation.evaluate(dir.resolve("fine-tuned.onnx"), new ModelReader(),
                    engine, threads, () -> dataset.batches(Split.VAL, BATCH, 0, false, false),
                    dataset.classCount()).result();
            return new Round(tuned.steps(), evaluated.top1());
        }
    }

    private static void delete(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            // a few hundred kilobytes left in the work directory, whose files the service owns anyway
        }
    }
}
