package io.shears.engine.latency;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.shears.engine.onnxruntime.OrtSessions;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One model in ONNX Runtime on the CPU with a fixed random input batch, ready to be timed run by run: intra-op
 * threads as given, one inter-op thread (sequential execution), every graph optimisation.
 */
public final class TimedSession implements AutoCloseable {
    private final OrtSession session;
    private final OnnxTensor tensor;
    private final Map<String, OnnxTensor> feed;

    private TimedSession(OrtSession session, OnnxTensor tensor, Map<String, OnnxTensor> feed) {
        this.session = session;
        this.tensor = tensor;
        this.feed = feed;
    }

    /**
     * @param sampleShape the input shape without the batch dimension (e.g. 3, 224, 224)
     * @throws IllegalStateException when ONNX Runtime cannot load the model
     */
    public static TimedSession open(byte[] model, long[] sampleShape, int batch, int threads) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = batch;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        float[] input = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextDouble(-1, 1);
        }
        OrtSession session = null;
        try {
            session = OrtSessions.open(model, threads);
            if (session.getNumInputs() != 1
                    || !(session.getInputInfo().values().iterator().next().getInfo() instanceof TensorInfo)) {
                throw new IllegalArgumentException("latency is measured for models with one tensor input; this one "
                        + "has " + session.getNumInputs());
            }
            OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
            return new TimedSession(session, tensor, Map.of(session.getInputNames().iterator().next(), tensor));
        } catch (OrtException e) {
            OrtSessions.closeQuietly(session);
            throw new IllegalStateException("ONNX Runtime could not run the model: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            OrtSessions.closeQuietly(session);
            throw e;
        }
    }

    /** Runs the batch once; returns the wall-clock milliseconds. */
    public double runOnce() throws OrtException {
        long start = System.nanoTime();
        session.run(feed).close();
        return (System.nanoTime() - start) / 1e6;
    }

    @Override
    public void close() {
        tensor.close();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not close a session: " + e.getMessage(), e);
        }
    }
}
