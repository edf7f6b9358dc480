package io.shears.engine;

import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.data.Batch;
import io.shears.data.Dataset;
import io.shears.engine.evaluation.EvaluationResult;
import io.shears.engine.evaluation.Evaluator;
import io.shears.engine.interpreter.OnnxInterpreterBlock;
import io.shears.engine.startup.EngineSettings;
import io.shears.engine.training.BatchNormRecalibration;
import io.shears.engine.training.EpochValidation;
import io.shears.engine.training.FineTuneSpec;
import io.shears.engine.training.FineTuner;

import java.nio.file.Path;
import java.util.Iterator;

/**
 * A model loaded into the interpreter on the engine's device, with the native memory it holds: what the job
 * pipeline's stages open, so that only this package deals in DJL's managers and devices.
 */
public final class InterpreterSession implements AutoCloseable {
    private final NDManager manager;
    private final OnnxInterpreterBlock block;

    private InterpreterSession(NDManager manager, OnnxInterpreterBlock block) {
        this.manager = manager;
        this.block = block;
    }

    /**
     * Loads the model on the first device of the settings' selection. A process runs one job per device;
     * deployments give each worker process one GPU (see docs/deploying.md).
     */
    public static InterpreterSession open(ModelProto model, EngineSettings engine) {
        NDManager manager = NDManager.newBaseManager(engine.device().primaryDevice());
        try {
            return new InterpreterSession(manager, new OnnxInterpreterBlock(model, manager));
        } catch (RuntimeException | Error e) {
            manager.close();
            throw e;
        }
    }

    public BatchNormRecalibration.Report recalibrate(Iterator<Batch> batches, int maxBatches) {
        return BatchNormRecalibration.recalibrate(block, batches, maxBatches, manager);
    }

    public EvaluationResult evaluate(Iterator<Batch> batches, int classCount) {
        return Evaluator.evaluate(block, batches, classCount, manager);
    }

    /**
     * Validates the session's current weights on samples {@code sample} of the validation split, as fine-tuning does
     * after each epoch; {@code dir} takes the model file it may write on the way.
     */
    public EvaluationResult validate(Dataset dataset, int[] sample, int batchSize, Path dir) {
        return new EpochValidation(block, dataset, batchSize, manager).run(sample, dir);
    }

    /** A fine-tuner of this session's weights; close it before the session. */
    public FineTuner fineTuner(Dataset dataset, FineTuneSpec spec) {
        return new FineTuner(block, dataset, spec, manager);
    }

    /** The model with the session's current weights. */
    public ModelProto exportModel() {
        return block.exportModel();
    }

    @Override
    public void close() {
        try {
            block.close();
        } finally {
            manager.close();
        }
    }
}
