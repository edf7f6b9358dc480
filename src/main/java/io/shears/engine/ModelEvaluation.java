package io.shears.engine;

import io.shears.data.Batch;
import io.shears.engine.evaluation.EvaluationResult;
import io.shears.engine.evaluation.OrtEvaluator;
import io.shears.engine.startup.EngineSettings;
import io.shears.onnx.ModelReader;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.function.Supplier;

/**
 * The final evaluation of a model file, in the runtime that suits it: ONNX Runtime when the engine runs on the CPU
 * (the runtime the published model is deployed on, and several times faster per image than the interpreter), the
 * interpreter on a GPU or when ONNX Runtime does not take the model, its batches or its output.
 */
public final class ModelEvaluation {
    /** The runtime's name in a report when ONNX Runtime evaluated the model. */
    public static final String ONNX_RUNTIME = "onnxruntime";
    /** The runtime's name in a report when the interpreter evaluated the model. */
    public static final String INTERPRETER = "interpreter";

    private ModelEvaluation() {
    }

    /**
     * @param result  the metrics
     * @param runtime {@link #ONNX_RUNTIME} or {@link #INTERPRETER}
     * @param why     why the interpreter evaluated the model instead of ONNX Runtime; null when it did not
     */
    public record Outcome(EvaluationResult result, String runtime, String why) {
    }

    /**
     * Evaluates {@code model}, reading its batches from {@code batches}, which is asked again if ONNX Runtime fails
     * part-way and the interpreter starts over.
     *
     * @param threads ONNX Runtime's intra-op threads: the count the engine runs with
     */
    public static Outcome evaluate(Path model, ModelReader reader, EngineSettings engine, int threads,
                                   Supplier<Iterator<Batch>> batches, int classCount) {
        String why;
        if (engine.device().primaryDevice().isGpu()) {
            why = "the engine runs on a GPU";
        } else {
            try (OrtEvaluator ort = OrtEvaluator.open(model, threads)) {
                return new Outcome(ort.evaluate(batches.get(), classCount), ONNX_RUNTIME, null);
            } catch (UnsupportedOperationException e) {
                why = e.getMessage();
            }
        }
        try (InterpreterSession session = InterpreterSession.open(reader.read(model), engine)) {
            return new Outcome(session.evaluate(batches.get(), classCount), INTERPRETER, why);
        }
    }
}
