package io.shears.engine;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.data.Batch;
import io.shears.data.Dataset;
import io.shears.data.DatasetOptions;
import io.shears.data.Preprocessing;
import io.shears.data.Split;
import io.shears.engine.latency.LatencyMeter;
import io.shears.engine.startup.CpuQuota;
import io.shears.engine.startup.EngineInfo;
import io.shears.engine.startup.EngineSettings;
import io.shears.engine.startup.EngineSetup;
import io.shears.engine.startup.JitCompilers;
import io.shears.engine.startup.MallocTunables;
import io.shears.engine.startup.OpenMpEnvironment;
import io.shears.engine.training.FineTuneSpec;
import io.shears.engine.training.FineTuner;
import io.shears.engine.training.ValidationPlan;
import io.shears.onnx.ModelReader;
import io.shears.onnx.ModelWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Benchmark harness, not a test: the wall-clock seconds of each Shears stage that has a PyTorch counterpart, run the
 * way a job runs it (the same engine classes, the dataset opened with the preprocessed cache in a work directory):
 * a pass over both splits that decodes every image into the cache (as PyTorch's side decodes before its stages),
 * BatchNorm calibration on the first batches of the shuffled train split, one
 * fine-tuning epoch (SGD, momentum 0.9, checkpoint included, no per-epoch validation), a validation pass over a
 * sample of the validation split, and the final evaluation over all of it (of the fine-tuned model written to a file,
 * as the EVALUATE stage reads it, in the runtime {@link ModelEvaluation} picks). Run by bench/stages-vs-pytorch.sh,
 * which runs bench/stages_pytorch.py on the same model, images, batch size and threads beside it. Before any stage it
 * runs the warm-up a service runs at start ({@link EngineWarmUp}, {@value #WARM_UP_ROUNDS_PROPERTY} rounds as a
 * {@code -D} property, the service's default unless set), so the stages are timed as a service's first jobs run.
 *
 * <p>Arguments: MODEL ZIP WORKDIR BATCH CALIBRATION_BATCHES VALIDATION_SAMPLES SIDE CHANNELS MEAN STD [WARMUP]
 * (SIDE the model's H = W, CHANNELS 1 or 3; MEAN and STD one value for every channel; WARMUP rounds of every stage
 * before the timed one, each on a fresh session and dataset as a later job in a running service has them, their
 * lines marked {@code # warm-up}; 0 by default). Prints one line per stage:
 * {@code stage=NAME seconds=S images=N}. Beside the evaluation it prints ONNX Runtime's own time for one batch of the
 * model it evaluates, {@code stage=ort-evaluation seconds=S images=BATCH}: {@code shears latency}'s measurement
 * ({@link LatencyMeter}: {@value #REFERENCE_WARMUP} discarded runs, then the median of as many runs as the evaluation
 * has batches) in this process, once just before the evaluation and once just after it, averaged; so the two figures
 * the evaluation's bar compares come from the same bytes, the same process and the same minute. With the one argument
 * {@code --threads} it prints the intra-op thread count a job would take by default ({@link CpuQuota}) and nothing
 * else.
 */
public final class StageTimings {
    /** The warm-up's rounds, the service's setting of the same name. */
    static final String WARM_UP_ROUNDS_PROPERTY = "shears.engine.warm-up-rounds";
    /** Runs discarded before ONNX Runtime's reference is timed, as the benchmark asks of {@code shears latency}. */
    private static final int REFERENCE_WARMUP = 2;

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
        int warmup = args.length > 10 ? Integer.parseInt(args[10]) : 0;
        EngineSettings engine = EngineSettings.fromSystemProperties();
        EngineInfo info = EngineSetup.start(engine);
        System.out.println("# shears intraop=" + info.intraopThreads() + " interop=" + info.interopThreads()
                + " openMp=" + OpenMpEnvironment.inEffect() + " " + MallocTunables.VARIABLE + "="
                + MallocTunables.inEffect() + " jit=" + JitCompilers.inEffect());
        ModelProto proto = new ModelReader().read(model);
        Preprocessing preprocessing = new Preprocessing(side, side, side,
                channels == 1 ? Preprocessing.Channels.GREY : Preprocessing.Channels.RGB, new float[] {mean},
                new float[] {std});
        int warmUpRounds = Integer.getInteger(WARM_UP_ROUNDS_PROPERTY, EngineWarmUp.DEFAULT_ROUNDS);
        EngineWarmUp.Report warmUp = EngineWarmUp.run(engine, info.intraopThreads(), work.resolve("engine-warm-up"),
                warmUpRounds);
        System.out.printf(java.util.Locale.ROOT, "# engine warm-up rounds=%d steps=%d top1=%.3f seconds=%.2f%n",
                warmUp.rounds(), warmUp.trainSteps(), warmUp.lastTop1(), warmUp.seconds());
        for (int round = warmup; round >= 0; round--) {
            Path dir = Files.createDirectories(work.resolve("round-" + round));
            DatasetOptions options = DatasetOptions.defaults().withPreprocessing(preprocessing).withValFraction(0)
                    .withSeed(0).withSpoolDirectory(dir).withPreprocessedCache(4L << 30);
            try (Dataset dataset = Dataset.open(zip, options);
                 InterpreterSession session = InterpreterSession.open(proto, engine)) {
                runStages(new Stages(round > 0 ? "# warm-up " : "", dataset, session, dir, batch, calibrationBatches,
                        validationSamples, engine, info.intraopThreads()));
            }
        }
    }

    private record Stages(String prefix, Dataset dataset, InterpreterSession session, Path dir, int batch,
                          int calibrationBatches, int validationSamples, EngineSettings engine, int threads) {
        void print(String stage, long start, int images) {
            System.out.printf(java.util.Locale.ROOT, "%sstage=%s seconds=%.4f images=%d%n", prefix, stage,
                    (System.nanoTime() - start) / 1e9, images);
        }
    }

    /** One job's stages on a fresh session and a freshly opened dataset, as a job in a running service has them. */
    private static void runStages(Stages s) throws IOException {
        Dataset dataset = s.dataset();
        long start = System.nanoTime();
        for (Split split : Split.values()) {
            Iterator<Batch> batches = dataset.batches(split, s.batch(), 0, false, false);
            while (batches.hasNext()) {
                batches.next();
            }
        }
        s.print("prepare", start, dataset.trainCount() + dataset.valCount());

        start = System.nanoTime();
        s.session().recalibrate(dataset.batches(Split.TRAIN, s.batch(), 0, true, false), s.calibrationBatches());
        s.print("calibration", start, Math.min(s.calibrationBatches() * s.batch(), dataset.trainCount()));

        FineTuneSpec spec = FineTuneSpec.defaults().withLearningRate(0.01f).withBatchSize(s.batch()).withEpochs(1);
        start = System.nanoTime();
        try (FineTuner tuner = s.session().fineTuner(dataset, spec)) {
            tuner.validating(new ValidationPlan(0, false)).run(s.dir().resolve("training.csv"),
                    s.dir().resolve("ckpt"));
        }
        s.print("train-epoch", start, dataset.trainCount());

        int[] sample = dataset.sample(Split.VAL, s.validationSamples(), ValidationPlan.SAMPLE_STREAM);
        start = System.nanoTime();
        s.session().validate(dataset, sample, s.batch(), s.dir());
        s.print("validation", start, sample.length);

        Path tuned = s.dir().resolve("fine-tuned.onnx");
        ModelWriter.write(s.session().exportModel(), tuned);
        Reference reference = Reference.of(s, tuned);
        double before = reference.medianMs();
        start = System.nanoTime();
        ModelEvaluation.Outcome outcome = ModelEvaluation.evaluate(tuned, new ModelReader(), s.engine(), s.threads(),
                () -> dataset.batches(Split.VAL, s.batch(), 0, false, false), dataset.classCount());
        s.print("evaluation", start, dataset.valCount());
        System.out.println("# evaluation runtime=" + outcome.runtime() + " top1=" + outcome.result().top1());
        double after = reference.medianMs();
        System.out.printf(java.util.Locale.ROOT, "%sstage=ort-evaluation seconds=%.6f images=%d%n", s.prefix(),
                (before + after) / 2 / 1000, s.batch());
        System.out.printf(java.util.Locale.ROOT, "# onnx runtime per batch: %.3f ms before the evaluation, %.3f ms "
                + "after%n", before, after);
    }

    /** ONNX Runtime's own time for one batch of the evaluated model, as {@code shears latency} measures it. */
    private record Reference(byte[] model, long[] sampleShape, LatencyMeter.Settings settings) {
        static Reference of(Stages s, Path model) throws IOException {
            long[] one = s.dataset().batches(Split.VAL, 1, 0, false, false).next().shape().nchw(1);
            return new Reference(Files.readAllBytes(model), Arrays.copyOfRange(one, 1, one.length),
                    new LatencyMeter.Settings(s.batch(), REFERENCE_WARMUP,
                            s.dataset().batchCount(Split.VAL, s.batch(), false), s.threads()));
        }

        double medianMs() {
            return LatencyMeter.measure(model, sampleShape, settings).medianMs();
        }
    }
}
