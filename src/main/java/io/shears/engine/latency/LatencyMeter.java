package io.shears.engine.latency;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Inference latency of a model in ONNX Runtime on the CPU: the figure reports put next to MACs, because fewer MACs
 * only turn into speed when the runtime and the channel counts let them. Warm-up runs are discarded; the median of
 * the timed runs is the headline.
 */
public final class LatencyMeter {
    /** Batch sizes measured unless told otherwise: one sample, and a batch a server fills. */
    public static final List<Integer> DEFAULT_BATCHES = List.of(1, 32);
    /** Discarded warm-up runs per batch size unless told otherwise. */
    public static final int DEFAULT_WARMUP = 5;
    /** Timed runs per batch size unless told otherwise; the median is reported. */
    public static final int DEFAULT_RUNS = 20;

    /** How to measure: batch size, discarded warm-up runs, timed runs, and ONNX Runtime intra-op threads. */
    public record Settings(int batch, int warmup, int runs, int threads) {
        public Settings {
            if (batch < 1 || warmup < 0 || runs < 1 || threads < 1) {
                throw new IllegalArgumentException("batch, runs and threads must be positive, warm-up non-negative");
            }
        }
    }

    /** One measurement; times in milliseconds per batch, throughput in samples per second at the median. */
    public record Measurement(int batch, int threads, int runs, double medianMs, double minMs, double maxMs,
                              double samplesPerSecond) {
    }

    private LatencyMeter() {
    }

    /**
     * @param sampleShape the input shape without the batch dimension (e.g. 3, 224, 224)
     */
    public static Measurement measure(byte[] model, long[] sampleShape, Settings settings) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = settings.batch();
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        float[] input = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextDouble(-1, 1);
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(settings.threads());
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(model, options);
                 OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape)) {
                if (session.getNumInputs() != 1
                        || !(session.getInputInfo().values().iterator().next().getInfo() instanceof TensorInfo)) {
                    throw new IllegalArgumentException("latency is measured for models with one tensor input; this one has "
                            + session.getNumInputs());
                }
                Map<String, OnnxTensor> feed = Map.of(session.getInputNames().iterator().next(), tensor);
                for (int i = 0; i < settings.warmup(); i++) {
                    session.run(feed).close();
                }
                double[] ms = new double[settings.runs()];
                for (int i = 0; i < ms.length; i++) {
                    long start = System.nanoTime();
                    session.run(feed).close();
                    ms[i] = (System.nanoTime() - start) / 1e6;
                }
                Arrays.sort(ms);
                double median = ms.length % 2 == 1 ? ms[ms.length / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
                return new Measurement(settings.batch(), settings.threads(), settings.runs(), median, ms[0],
                        ms[ms.length - 1], settings.batch() * 1000.0 / median);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not run the model: " + e.getMessage(), e);
        }
    }
}
