package io.shears.engine.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import io.shears.data.Batch;
import io.shears.data.Dataset;
import io.shears.data.Split;
import io.shears.engine.evaluation.EvaluationResult;
import io.shears.engine.evaluation.Evaluator;
import io.shears.engine.interpreter.NoGradScope;
import io.shears.engine.interpreter.OnnxInterpreterBlock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Fine-tunes an {@link OnnxInterpreterBlock} on a dataset's train split: softmax cross-entropy, an {@link Optimizer}
 * (SGD with momentum or AdamW) whose state is checkpointed, a {@link LearningRateSchedule cosine schedule with linear
 * warm-up}, an epoch count or a {@link TrainingFlopBudget training-FLOP budget}, freeze none|backbone, a CSV row per
 * epoch and a {@link Checkpoint} after every epoch from which {@link #resume} continues to the same weights as an
 * uninterrupted run on CPU.
 *
 * <p>Every step runs on its own sub-manager that is closed after the step. The optimizer updates run without gradient
 * recording and in place on the parameter arrays. After training, {@link OnnxInterpreterBlock#exportModel()} gives the
 * trained ONNX model, BatchNorm statistics included.
 */
public final class FineTuner implements AutoCloseable {
    /** Name of the checkpoint file in the checkpoint directory. */
    public static final String CHECKPOINT_FILE = Checkpoint.FILE;

    /** Called after each epoch's checkpoint is written; an exception thrown here aborts the run (tests use it). */
    @FunctionalInterface
    public interface EpochListener {
        void epochFinished(FineTuneResult.EpochRow row);
    }

    /**
     * Called after every optimizer step with where the run is, so a job can report progress and be cancelled between
     * epochs; an exception thrown here aborts the run at the last checkpoint.
     */
    @FunctionalInterface
    public interface StepListener {
        void stepFinished(TrainingStep step);
    }

    private final OnnxInterpreterBlock block;
    private final Dataset dataset;
    private final FineTuneSpec spec;
    private final NDManager manager;
    private final TrainingFlopBudget budget;
    private final TrainedParameters parameters;
    private final Optimizer optimizer;
    private final Checkpoint checkpoint;
    private final EpochValidation epochValidation;
    private final Loss loss = Loss.softmaxCrossEntropyLoss();
    private EpochListener listener = row -> { };
    private StepListener stepListener = step -> { };
    private ValidationPlan validation = ValidationPlan.WHOLE_SPLIT;

    public FineTuner(OnnxInterpreterBlock block, Dataset dataset, FineTuneSpec spec, NDManager manager) {
        this.block = block;
        this.dataset = dataset;
        this.spec = spec;
        this.manager = manager;
        block.requireDevice(manager, "the fine-tuner");
        this.budget = TrainingFlopBudget.of(block, dataset.imageShape(), spec.maxTrainFlops());
        this.parameters = new TrainedParameters(block, spec);
        this.optimizer = Optimizer.of(spec, manager);
        this.checkpoint = new Checkpoint(block, spec, optimizer.state());
        this.epochValidation = new EpochValidation(block, dataset, spec.batchSize(), manager);
    }

    public FineTuner onEpoch(EpochListener l) {
        this.listener = l;
        return this;
    }

    public FineTuner onStep(StepListener l) {
        this.stepListener = l;
        return this;
    }

    /** How much the run validates; {@link ValidationPlan#WHOLE_SPLIT} unless set. */
    public FineTuner validating(ValidationPlan plan) {
        this.validation = plan;
        return this;
    }

    /** Forward FLOPs per sample: 2 × MACs of the model at batch 1 and the dataset's image shape. */
    public long forwardFlopsPerSample() {
        return budget.forwardFlopsPerSample();
    }

    /** Names of the parameters this run updates, in block order. */
    public List<String> trainedParameters() {
        return parameters.names();
    }

    /** The schedule's length: the steps the run will take given epochs, batch size and budget. */
    public long plannedSteps() {
        return budget.plannedSteps(dataset.count(Split.TRAIN), spec.batchSize(), spec.epochs());
    }

    public long warmupSteps() {
        return (long) spec.warmupEpochs() * dataset.batchCount(Split.TRAIN, spec.batchSize(), false)
                + spec.warmupSteps();
    }

    /** The learning rate of step {@code step} (0-based) of this run. */
    public double learningRate(long step) {
        return schedule().at(step);
    }

    private LearningRateSchedule schedule() {
        return new LearningRateSchedule(spec.learningRate(), warmupSteps(), plannedSteps());
    }

    /** Trains from the block's current weights, overwriting any checkpoint in {@code checkpointDir}. */
    public FineTuneResult run(Path csv, Path checkpointDir) {
        return parameters.withFrozenDetached(() -> train(csv, checkpointDir, null));
    }

    /**
     * Continues from the checkpoint in {@code checkpointDir} (weights, BN statistics, optimizer state, epoch, step and
     * FLOP counters, earlier CSV rows); without a checkpoint it starts from the block's weights like {@link #run}.
     */
    public FineTuneResult resume(Path csv, Path checkpointDir) {
        Path file = checkpointDir.resolve(CHECKPOINT_FILE);
        Path from = Files.exists(file) ? file : null;
        return parameters.withFrozenDetached(() -> train(csv, checkpointDir, from));
    }

    private FineTuneResult train(Path csv, Path checkpointDir, Path from) {
        try {
            Files.createDirectories(checkpointDir);
            TrainingProgress progress = from == null ? new TrainingProgress() : checkpoint.load(from);
            int resumedAt = from == null ? 0 : progress.epoch;
            LearningRateSchedule schedule = schedule();
            while (!progress.finished && progress.epoch < spec.epochs()) {
                EpochTally tally = trainEpoch(progress, schedule);
                if (tally.steps() == 0) {
                    break;
                }
                progress.epoch++;
                if (progress.epoch >= spec.epochs()) {
                    progress.finished = true;
                }
                finishEpoch(progress, tally, csv, checkpointDir);
            }
            EvaluationResult last = !validation.finalEvaluation() ? null : Evaluator.evaluate(block, dataset,
                    dataset.valCount() > 0 ? Split.VAL : Split.TRAIN, spec.batchSize(), manager);
            return new FineTuneResult(progress.rows, progress.steps, progress.trainFlops, progress.budgetReached,
                    resumedAt, last);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One pass over the shuffled train split, or up to the step the FLOP budget does not allow. */
    private EpochTally trainEpoch(TrainingProgress progress, LearningRateSchedule schedule) {
        EpochTally tally = new EpochTally();
        Engine.getInstance().setRandomSeed((int) (spec.seed() + progress.epoch));
        Iterator<Batch> batches = dataset.batches(Split.TRAIN, spec.batchSize(), progress.epoch);
        while (batches.hasNext()) {
            Batch batch = batches.next();
            long cost = budget.stepFlops(batch.size());
            if (budget.exceededBy(progress.trainFlops, cost)) {
                progress.finished = true;
                progress.budgetReached = true;
                break;
            }
            trainStep(batch, (float) schedule.at(progress.steps), progress.steps + 1, tally);
            progress.steps++;
            progress.trainFlops += cost;
            stepListener.stepFinished(new TrainingStep(progress.epoch + 1, progress.steps, tally.meanLoss(),
                    progress.trainFlops));
        }
        return tally;
    }

    private void trainStep(Batch batch, float lr, long t, EpochTally tally) {
        try (NDManager step = manager.newSubManager()) {
            NDArray x = step.create(batch.data(), new Shape(batch.nchw()));
            float[] labels = new float[batch.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = batch.labels()[i];
            }
            NDArray y = step.create(labels);
            boolean training = spec.freeze() == FineTuneSpec.Freeze.NONE;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray out = block.forward(new ParameterStore(step, false), new NDList(x), training).head()
                        .reshape(batch.size(), -1);
                NDArray value = loss.evaluate(new NDList(y), new NDList(out));
                collector.backward(value);
                tally.add(batch.labels(), value.getFloat(), out.toFloatArray());
            }
            update(step, lr, t);
        }
    }

    /** One optimizer step over every trained parameter (t is 1-based), without gradient recording. */
    private void update(NDManager step, float lr, long t) {
        try (NoGradScope noGrad = NoGradScope.open()) {
            for (Map.Entry<String, Parameter> entry : parameters.byName().entrySet()) {
                NDArray w = entry.getValue().getArray();
                NDArray g = w.getGradient();
                g.attach(step);
                optimizer.update(entry.getKey(), w, g, step, lr, t);
                zeroGradient(w, g);
            }
        }
    }

    /** PyTorch's zero_ on the gradient: unlike multiplying by 0 it also clears NaN and infinity. */
    private static void zeroGradient(NDArray w, NDArray g) {
        if (w instanceof PtNDArray pt) {
            JniUtils.zeroGrad(pt);
        } else {
            g.muli(0f);
        }
    }

    /** Validates on the plan's sample, writes the epoch's CSV row and checkpoint, then tells the listener. */
    private void finishEpoch(TrainingProgress progress, EpochTally tally, Path csv, Path checkpointDir)
            throws IOException {
        double valLoss = Double.NaN;
        double valTop1 = Double.NaN;
        if (dataset.valCount() > 0 && validation.samplesPerEpoch() > 0) {
            int[] sample = dataset.sample(Split.VAL, validation.samplesPerEpoch(), ValidationPlan.SAMPLE_STREAM);
            EvaluationResult val = epochValidation.run(sample, checkpointDir);
            valLoss = val.meanLoss();
            valTop1 = val.top1();
        }
        FineTuneResult.EpochRow row = tally.row(progress.epoch, valLoss, valTop1, progress.trainFlops);
        progress.rows.add(row);
        EpochCsv.write(csv, progress.rows);
        checkpoint.save(checkpointDir, progress);
        listener.epochFinished(row);
    }

    /** Frees the optimizer state (momentum / Adam moments); the block and its parameters are the caller's. */
    @Override
    public void close() {
        optimizer.close();
    }
}
