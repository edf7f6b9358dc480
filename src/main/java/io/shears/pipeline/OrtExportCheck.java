package io.shears.pipeline;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The proof a published model must give (DESIGN.md): it loads and runs in ONNX Runtime with the declared input shape,
 * and its output is finite and of the expected shape. An independent runtime, not the interpreter that trained it.
 */
final class OrtExportCheck {
    private OrtExportCheck() {
    }

    /** Runs the model once on seeded random input; returns its first output's shape or fails with EXPORT_FAILED. */
    static List<Long> verify(Path model, long[] inputShape, long[] expectedOutput, int threads) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] input = new float[Math.toIntExact(Arrays.stream(inputShape).reduce(1, Math::multiplyExact))];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextDouble(-1, 1);
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            try (OrtSession session = env.createSession(model.toString(), options);
                 OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), inputShape);
                 OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), tensor))) {
                OnnxValue first = result.get(0);
                if (!(first instanceof OnnxTensor out)) {
                    throw failed("its first output is not a tensor");
                }
                long[] shape = out.getInfo().getShape();
                if (!Arrays.equals(shape, expectedOutput)) {
                    throw failed("its output has shape " + Arrays.toString(shape) + ", expected "
                            + Arrays.toString(expectedOutput));
                }
                FloatBuffer values = out.getFloatBuffer();
                if (values == null) {
                    throw failed("its output is not float32");
                }
                for (int i = 0; i < values.limit(); i++) {
                    if (!Float.isFinite(values.get(i))) {
                        throw failed("its output holds a non-finite value (" + values.get(i) + ") at index " + i);
                    }
                }
                return Arrays.stream(shape).boxed().toList();
            }
        } catch (OrtException e) {
            throw failed("ONNX Runtime cannot load or run it: " + e.getMessage());
        }
    }

    private static JobFailedException failed(String why) {
        return new JobFailedException(JobFailures.EXPORT_FAILED, "the resulting model cannot be published: " + why);
    }
}
