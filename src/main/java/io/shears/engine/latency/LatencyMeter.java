package io.shears.engine.latency;

import ai.onnxruntime.OrtException;

import java.util.List;

/**
 * Inference latency of a model in ONNX Runtime on the CPU: the figure reports put next to MACs, because fewer MACs
 * only turn into speed when the runtime and the channel counts let them. Warm-up runs are discarded; the median of
 * the timed runs is the headline. A job compares two models with {@link LatencyComparison} instead.
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
        try (TimedSession session = TimedSession.open(model, sampleShape, settings.batch(), settings.threads())) {
            for (int i = 0; i < settings.warmup(); i++) {
                session.runOnce();
            }
            double[] ms = new double[settings.runs()];
            for (int i = 0; i < ms.length; i++) {
                ms[i] = session.runOnce();
            }
            LatencyStatistics stats = LatencyStatistics.of(ms);
            return new Measurement(settings.batch(), settings.threads(), settings.runs(), stats.medianMs(),
                    stats.minMs(), stats.maxMs(), settings.batch() * 1000.0 / stats.medianMs());
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not run the model: " + e.getMessage(), e);
        }
    }
}
