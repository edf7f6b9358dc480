package io.shears.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.shears.data.Batch;
import io.shears.data.Dataset;
import io.shears.data.DatasetOptions;
import io.shears.data.Preprocessing;
import io.shears.data.Split;
import io.shears.engine.latency.LatencyStatistics;
import io.shears.engine.onnxruntime.OrtSessions;
import io.shears.engine.startup.EngineInfo;
import io.shears.engine.startup.EngineSettings;
import io.shears.engine.startup.EngineSetup;
import io.shears.onnx.ModelReader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark harness, not a test: the evaluation pass of the stage benchmark against ONNX Runtime's own time per image,
 * both in one process and interleaved, so that the ratio is not the difference between two processes started at
 * different moments on a shared host. Each round times, in rotating order:
 * <ul>
 *   <li>{@code pass}: {@link ModelEvaluation} over the whole validation split from the preprocessed cache, as the
 *       EVALUATE stage runs it (session opening included);</li>
 *   <li>{@code reference}: as {@code shears latency} measures: a fresh session, 2 warm-up runs, then one run per batch
 *       of the pass on one tensor (the pass's first batch, where {@code shears latency} fills it with seeded random
 *       values); its median run times the pass's images over the batch size;</li>
 *   <li>{@code open}: opening and closing a session on the model;</li>
 *   <li>{@code read}: every batch of the pass written into a direct buffer, as the evaluator does before each run;</li>
 *   <li>{@code pass-arrays}: the pass with each batch's floats asked for as an array first, so that the evaluator
 *       copies them from the heap, as every batch went before batches from the cache were written straight into
 *       ONNX Runtime's buffer (then with one read per sample, here with samples kept back to back read at once).</li>
 * </ul>
 *
 * <p>Arguments: MODEL ZIP WORKDIR BATCH SIDE CHANNELS MEAN STD [ROUNDS] (as {@link StageTimings}; ROUNDS 15 by
 * default, after 2 untimed). Run by bench/evaluation-pass.sh. Prints one line per round and the medians.
 */
public final class EvaluationPassTimings {
    private static final String[] PARTS = {"pass", "reference", "open", "read", "pass-arrays"};

    private EvaluationPassTimings() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path work = Files.createDirectories(Path.of(args[2]));
        int batch = Integer.parseInt(args[3]);
        int side = Integer.parseInt(args[4]);
        Preprocessing preprocessing = new Preprocessing(side, side, side,
                Integer.parseInt(args[5]) == 1 ? Preprocessing.Channels.GREY : Preprocessing.Channels.RGB,
                new float[] {Float.parseFloat(args[6])}, new float[] {Float.parseFloat(args[7])});
        int rounds = args.length > 8 ? Integer.parseInt(args[8]) : 15;
        EngineSettings engine = EngineSettings.fromSystemProperties();
        EngineInfo info = EngineSetup.start(engine);
        int threads = info.intraopThreads();
        DatasetOptions options = DatasetOptions.defaults().withPreprocessing(preprocessing).withValFraction(0)
                .withSeed(0).withSpoolDirectory(work).withPreprocessedCache(4L << 30);
        try (Dataset dataset = Dataset.open(Path.of(args[1]), options)) {
            Iterator<Batch> fill = dataset.batches(Split.VAL, batch, 0, false, false);
            int sampleFloats = fill.next().shape().size();
            fill.forEachRemaining(Batch::size);
            Pass pass = new Pass(model, dataset, batch, sampleFloats, engine, threads);
            double[][] ms = new double[PARTS.length][rounds];
            for (int round = -2; round < rounds; round++) {
                double[] times = new double[PARTS.length];
                for (int k = 0; k < PARTS.length; k++) {
                    int part = Math.floorMod(k + round, PARTS.length);
                    times[part] = pass.time(part);
                }
                if (round >= 0) {
                    for (int part = 0; part < PARTS.length; part++) {
                        ms[part][round] = times[part];
                    }
                    System.out.printf(Locale.ROOT,
                            "round=%d pass=%.1f reference=%.1f open=%.1f read=%.1f pass-arrays=%.1f ms%n",
                            round, times[0], times[1], times[2], times[3], times[4]);
                }
            }
            double[] median = Arrays.stream(ms).mapToDouble(times -> LatencyStatistics.of(times).medianMs())
                    .toArray();
            System.out.printf(Locale.ROOT, "median over %d rounds: pass %.1f ms, reference %.1f ms, ratio %.3f; "
                            + "session open %.1f ms, batches read %.1f ms; pass through arrays %.1f ms, ratio %.3f; %d images, "
                    + "batch %d, %d threads%n", rounds, median[0], median[1], median[0] / median[1], median[2],
                    median[3], median[4], median[4] / median[1], dataset.valCount(), batch, threads);
        }
    }

    private record Pass(Path model, Dataset dataset, int batch, int sampleFloats, EngineSettings engine, int threads) {
        double time(int part) throws Exception {
            long start = System.nanoTime();
            switch (part) {
                case 0 -> ModelEvaluation.evaluate(model, new ModelReader(), engine, threads,
                        () -> dataset.batches(Split.VAL, batch, 0, false, false), dataset.classCount());
                case 1 -> {
                    return reference();
                }
                case 2 -> OrtSessions.open(model, threads).close();
                case 3 -> {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(batch * sampleFloats * Float.BYTES)
                            .order(ByteOrder.nativeOrder());
                    Iterator<Batch> batches = dataset.batches(Split.VAL, batch, 0, false, false);
                    while (batches.hasNext()) {
                        batches.next().writeTo(buffer.clear());
                    }
                }
                default -> ModelEvaluation.evaluate(model, new ModelReader(), engine, threads, () -> {
                    Iterator<Batch> batches = dataset.batches(Split.VAL, batch, 0, false, false);
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return batches.hasNext();
                        }

                        @Override
                        public Batch next() {
                            Batch next = batches.next();
                            next.data();
                            return next;
                        }
                    };
                }, dataset.classCount());
            }
            return (System.nanoTime() - start) / 1e6;
        }

        /** The median of one run per batch of the pass on one tensor, times the pass's images over the batch size. */
        private double reference() throws Exception {
            Batch first = dataset.batches(Split.VAL, batch, 0, false, false).next();
            ByteBuffer buffer = ByteBuffer.allocateDirect(first.size() * sampleFloats * Float.BYTES)
                    .order(ByteOrder.nativeOrder());
            first.writeTo(buffer);
            int runs = dataset.batchCount(Split.VAL, batch, false);
            double[] ms = new double[runs];
            try (OrtSession session = OrtSessions.open(model, threads);
                 OnnxTensor x = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(),
                         buffer.flip().asFloatBuffer(), first.nchw())) {
                Map<String, OnnxTensor> input = Map.of(session.getInputNames().iterator().next(), x);
                for (int run = -2; run < runs; run++) {
                    long start = System.nanoTime();
                    session.run(input).close();
                    if (run >= 0) {
                        ms[run] = (System.nanoTime() - start) / 1e6;
                    }
                }
            }
            return LatencyStatistics.of(ms).medianMs() * dataset.valCount() / first.size();
        }
    }
}
