package io.shears.engine.training;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.shears.data.Dataset;
import io.shears.data.Split;
import io.shears.engine.evaluation.EvaluationResult;
import io.shears.engine.evaluation.Evaluator;
import io.shears.engine.evaluation.OrtEvaluator;
import io.shears.engine.interpreter.OnnxInterpreterBlock;
import io.shears.onnx.ModelWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The validation after each fine-tuning epoch of one run. On the CPU the epoch's weights are written out as a model
 * and validated in ONNX Runtime, several times faster per image than the interpreter, with the same figures up to
 * float rounding; on a GPU, or for a model ONNX Runtime does not take, the interpreter validates. The model goes
 * through a file, so the heap holds one copy of it.
 */
public final class EpochValidation {
    /** The epoch's model while it is validated, in the directory given (the checkpoint's). */
    public static final String MODEL_FILE = "validation.onnx";

    private final OnnxInterpreterBlock block;
    private final Dataset dataset;
    private final int batchSize;
    private final NDManager manager;
    /**
     * Set on a GPU, or once ONNX Runtime has refused the model: what it refuses (the inputs, a fixed batch axis) is
     * the same every epoch, so writing the model out again would be wasted.
     */
    private boolean interpreterOnly;

    public EpochValidation(OnnxInterpreterBlock block, Dataset dataset, int batchSize, NDManager manager) {
        this.block = block;
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.manager = manager;
        this.interpreterOnly = manager.getDevice().isGpu();
    }

    /** Validates the block's current weights on samples {@code sample} of the validation split. */
    public EvaluationResult run(int[] sample, Path dir) {
        if (!interpreterOnly) {
            Path model = dir.resolve(MODEL_FILE);
            try {
                ModelWriter.write(block.exportModel(), model);
                try (OrtEvaluator ort = OrtEvaluator.open(model, JniUtils.getNumThreads())) {
                    return ort.evaluate(dataset.batches(Split.VAL, sample, batchSize), dataset.classCount());
                } catch (UnsupportedOperationException e) {
                    // the interpreter takes what ONNX Runtime does not; the EVALUATE stage reports the reason
                    interpreterOnly = true;
                } finally {
                    Files.deleteIfExists(model);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Evaluator.evaluate(block, dataset.batches(Split.VAL, sample, batchSize), dataset.classCount(), manager);
    }
}
