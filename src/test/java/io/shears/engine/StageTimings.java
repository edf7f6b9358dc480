package io.shears.engine;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.data.Dataset;
import io.shears.data.DatasetOptions;
import io.shears.data.Preprocessing;
import io.shears.data.Split;
import io.shears.engine.startup.CpuQuota;
import io.shears.engine.startup.EngineInfo;
import io.shears.engine.startup.EngineSettings;
import io.shears.engine.startup.EngineSetup;
import io.shears.engine.startup.OpenMpEnvironment;
import io.shears.engine.training.FineTuneSpec;
import io.shears.engine.training.FineTuner;
import io.shears.engine.training.ValidationPlan;
import io.shears.onnx.ModelReader;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Benchmark harness, not a test: the wall-clock seconds of each Shears stage that has a PyTorch counterpart, run the
 * way a job runs it (the same engine classes, the dataset opened with the preprocessed cache in a work directory):
 * BatchNorm calibration on the first batches of the shuffled train split (also the pass that fills the cache), one
 * fine-tuning epoch (SGD, momentum 0.9, checkpoint included, no per-epoch validation), a validation pass over a
 * sample of the validation split, and the final evaluation over all of it. Run by bench/stages-vs-pytorch.sh, which
 * runs bench/stages_pytorch.py on the same model, images, batch size and threads beside it.
 *
 * <p>Arguments: MODEL ZIP WORKDIR BATCH CALIBRATION_BATCHES VALIDATION_SAMPLES SIDE CHANNELS MEAN STD (SIDE the
 * model's H = W, CHANNELS 1 or 3; MEAN and STD one value for every channel). Prints one line per stage:
 * {@code stage=NAME seconds=S images=N}. With the one argument {@code --threads} it prints the intra-op thread count a
 * job would take by default ({@link CpuQuota}) and nothing else.
 */
public final class StageTimings {
    private StageTimings() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--threads")) {
            System.out.println(CpuQuota.ofThisProcess().threads());
            return;
        }
        Path model = Path.of(args[0]);
        Path zip = Path.of(args[1]);
        Path work = Files.createDirectories(Path.of(args[2]));
        int batch = Integer.parseInt(args[3]);
        int calibrationBatches = Integer.parseInt(args[4]);
        int validationSamples = Integer.parseInt(args[5]);
        int side = Integer.parseInt(args[6]);
        int channels = Integer.parseInt(args[7]);
        float mean = Float.parseFloat(args[8]);
        float std = Float.parseFloat(args[9]);
        EngineSettings engine = EngineSettings.fromSystemProperties();
        EngineInfo info = EngineSetup.start(engine);
        System.out.println("# shears intraop=" + info.intraopThreads() + " interop=" + info.interopThreads()
                + " openMp=" + OpenMpEnvironment.inEffect());
        ModelProto proto = new ModelReader().read(model);
        Preprocessing preprocessing = new Preprocessing(side, side, side,
                channels == 1 ? Preprocessing.Channels.GREY : Preprocessing.Channels.RGB, new float[] {mean},
                new float[] {std});
        DatasetOptions options = DatasetOptions.defaults().withPreprocessing(preprocessing).withValFraction(0)
                .withSeed(0).withSpoolDirectory(work).withPreprocessedCache(4L << 30);
        try (Dataset dataset = Dataset.open(zip, options);
             InterpreterSession session = InterpreterSession.open(proto, engine)) {
            long start = System.nanoTime();
            session.recalibrate(dataset.batches(Split.TRAIN, batch, 0, true, false), calibrationBatches);
            print("calibration", start, Math.min(calibrationBatches * batch, dataset.trainCount()));

            FineTuneSpec spec = FineTuneSpec.defaults().withLearningRate(0.01f).withBatchSize(batch).withEpochs(1);
            start = System.nanoTime();
            try (FineTuner tuner = session.fineTuner(dataset, spec)) {
                tuner.validating(new ValidationPlan(0, false)).run(work.resolve("training.csv"), work.resolve("ckpt"));
            }
            print("train-epoch", start, dataset.trainCount());

            int[] sample = dataset.sample(Split.VAL, validationSamples, ValidationPlan.SAMPLE_STREAM);
            start = System.nanoTime();
            session.evaluate(dataset.batches(Split.VAL, sample, batch), dataset.classCount());
            print("validation", start, sample.length);

            start = System.nanoTime();
            session.evaluate(dataset.batches(Split.VAL, batch, 0, false, false), dataset.classCount());
            print("evaluation", start, dataset.valCount());
        }
    }

    private static void print(String stage, long start, int images) {
        System.out.printf(java.util.Locale.ROOT, "stage=%s seconds=%.4f images=%d%n", stage,
                (System.nanoTime() - start) / 1e9, images);
    }
}
