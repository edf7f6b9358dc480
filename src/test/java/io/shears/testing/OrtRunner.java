package io.shears.testing;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs a serialized model in ONNX Runtime for tests: one float input, float outputs copied out to plain arrays.
 * Sessions are single-threaded so repeated runs give bit-identical results; every native object is closed before
 * returning, so tests can run thousands of models without leaking native memory.
 */
public final class OrtRunner {
    private static final OrtEnvironment ENVIRONMENT = OrtEnvironment.getEnvironment();

    /** One graph output, copied out of ONNX Runtime. */
    public record Output(String name, long[] shape, float[] values) {
    }

    private OrtRunner() {
    }

    /** Values of the first graph output. */
    public static float[] run(byte[] model, float[] input, long[] shape) {
        return first(runAll(model, input, shape)).values();
    }

    /** Concrete shape of the first graph output for this input. */
    public static long[] outputShape(byte[] model, float[] input, long[] shape) {
        return first(runAll(model, input, shape)).shape();
    }

    /** Every graph output by name, in graph output order. */
    public static Map<String, Output> runAll(byte[] model, float[] input, long[] shape) {
        try (OrtSession.SessionOptions options = singleThreadedOptions();
             OrtSession session = ENVIRONMENT.createSession(model, options);
             OnnxTensor tensor = OnnxTensor.createTensor(ENVIRONMENT, FloatBuffer.wrap(input), shape);
             OrtSession.Result result = session.run(Map.of(onlyInputName(session), tensor))) {
            Map<String, Output> outputs = new LinkedHashMap<>();
            for (Map.Entry<String, OnnxValue> entry : result) {
                outputs.put(entry.getKey(), copy(entry.getKey(), entry.getValue()));
            }
            return outputs;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on input " + Arrays.toString(shape) + ": "
                    + e.getMessage(), e);
        }
    }

    /** Seeded uniform(-1, 1) input of the given shape. */
    public static float[] randomInput(long seed, long... shape) {
        long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-1.0, 1.0);
        }
        return values;
    }

    private static OrtSession.SessionOptions singleThreadedOptions() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        return options;
    }

    private static String onlyInputName(OrtSession session) {
        if (session.getNumInputs() != 1) {
            throw new IllegalArgumentException("OrtRunner feeds exactly one input, the model has "
                    + session.getInputNames());
        }
        return session.getInputNames().iterator().next();
    }

    private static Output copy(String name, OnnxValue value) {
        if (!(value instanceof OnnxTensor tensor) || tensor.getInfo().type != OnnxJavaType.FLOAT) {
            throw new IllegalStateException("output " + name + " is not a float tensor: " + value.getInfo());
        }
        TensorInfo info = tensor.getInfo();
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return new Output(name, info.getShape(), values);
    }

    private static Output first(Map<String, Output> outputs) {
        return outputs.values().iterator().next();
    }
}
