package io.shears.engine;

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
import io.shears.data.ImageShape;
import io.shears.data.Split;
import io.shears.files.AtomicFiles;
import io.shears.pruning.ClassifierHead;
import io.shears.graph.CostModel;
import io.shears.graph.Graph;
import io.shears.graph.ShapeInference;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fine-tunes an {@link OnnxInterpreterBlock} on a dataset's train split: softmax cross-entropy,
 * SGD with momentum or AdamW implemented here on NDArrays whose state is checkpointed, a cosine schedule with linear
 * warmup, an epoch count or a training-FLOP budget, freeze none|backbone, a CSV row per epoch and a checkpoint after
 * every epoch from which {@link #resume} continues to the same weights as an uninterrupted run on CPU.
 *
 * <p>Every step runs on its own sub-manager that is closed after the step. The optimizer updates run without gradient
 * recording and in place on the parameter arrays. After training, {@link OnnxInterpreterBlock#exportModel()} gives the
 * trained ONNX model, BatchNorm statistics included.
 */
public final class FineTuner implements AutoCloseable {
    /** Name of the checkpoint file in the checkpoint directory. */
    public static final String CHECKPOINT_FILE = "checkpoint.bin";
    private static final int MAGIC = 0x53484654; // "SHFT"
    private static final int FORMAT = 1;
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    /** Called after each epoch's checkpoint is written; an exception thrown here aborts the run (tests use it). */
    @FunctionalInterface
    public interface EpochListener {
        void epochFinished(FineTuneResult.EpochRow row);
    }

    /**
     * Called after every optimizer step with the steps taken so far (resumed ones included), so a job can report
     * progress and be cancelled between epochs; an exception thrown here aborts the run at the last checkpoint.
     */
    @FunctionalInterface
    public interface StepListener {
        void stepFinished(long steps);
    }

    private final OnnxInterpreterBlock block;
    private final Dataset dataset;
    private final FineTuneSpec spec;
    private final NDManager manager;
    private final long forwardFlopsPerSample;
    private final Map<String, Parameter> trained = new LinkedHashMap<>();
    /** Trainable parameters that a frozen backbone keeps as they are. */
    private final List<Parameter> frozen = new ArrayList<>();
    private final Map<String, NDArray> state = new LinkedHashMap<>();
    private final NDManager stateManager;
    private EpochListener listener = row -> { };
    private StepListener stepListener = steps -> { };

    public FineTuner(OnnxInterpreterBlock block, Dataset dataset, FineTuneSpec spec, NDManager manager) {
        this.block = block;
        this.dataset = dataset;
        this.spec = spec;
        this.manager = manager;
        block.requireDevice(manager, "the fine-tuner");
        this.forwardFlopsPerSample = forwardFlops(block, dataset.imageShape());
        Set<String> head = spec.freeze() == FineTuneSpec.Freeze.BACKBONE ? headParameters(block, spec) : null;
        for (var pair : block.getParameters()) {
            Parameter p = pair.getValue();
            if (p.requiresGradient() && (head == null || head.contains(pair.getKey()))) {
                trained.put(pair.getKey(), p);
            } else if (p.requiresGradient()) {
                frozen.add(p);
            }
        }
        if (trained.isEmpty()) {
            throw new IllegalArgumentException("nothing to train: the block has no trainable parameter"
                    + (head == null ? "" : " among the head's " + head));
        }
        this.stateManager = manager.newSubManager();
    }

    public FineTuner onEpoch(EpochListener l) {
        this.listener = l;
        return this;
    }

    public FineTuner onStep(StepListener l) {
        this.stepListener = l;
        return this;
    }

    /** Forward FLOPs per sample: 2 × MACs of the model at batch 1 and the dataset's image shape. */
    public long forwardFlopsPerSample() {
        return forwardFlopsPerSample;
    }

    /** Names of the parameters this run updates, in block order. */
    public List<String> trainedParameters() {
        return List.copyOf(trained.keySet());
    }

    static long forwardFlops(OnnxInterpreterBlock block, ImageShape image) {
        Graph graph = new Graph(block.sourceModel());
        long[] dims = {1, image.channels(), image.height(), image.width()};
        return CostModel.analyze(graph, ShapeInference.infer(graph, Map.of(block.inputNames().get(0), dims)))
                .flops();
    }

    /** The given head names, or the parameters of the model's {@link ClassifierHead}. */
    static Set<String> headParameters(OnnxInterpreterBlock block, FineTuneSpec spec) {
        Set<String> names = new LinkedHashSet<>();
        if (!spec.headParameters().isEmpty()) {
            for (String name : spec.headParameters()) {
                if (block.parameter(name) == null) {
                    throw new IllegalArgumentException("head parameter '" + name + "' is not a parameter of the model");
                }
                names.add(name);
            }
            return names;
        }
        Graph graph = new Graph(block.sourceModel());
        for (String name : ClassifierHead.find(graph).storedInputs(graph)) {
            if (block.parameter(name) != null) {
                names.add(name);
            }
        }
        return names;
    }

    /** The schedule's length: the steps the run will take given epochs, batch size and budget. */
    public long plannedSteps() {
        long steps = 0;
        long flops = 0;
        int n = dataset.count(Split.TRAIN);
        for (int e = 0; e < spec.epochs(); e++) {
            for (int start = 0; start < n; start += spec.batchSize()) {
                long cost = stepFlops(Math.min(spec.batchSize(), n - start));
                if (spec.maxTrainFlops() > 0 && flops + cost > spec.maxTrainFlops()) {
                    return steps;
                }
                flops += cost;
                steps++;
            }
        }
        return steps;
    }

    public long warmupSteps() {
        return (long) spec.warmupEpochs() * dataset.batchCount(Split.TRAIN, spec.batchSize(), false)
                + spec.warmupSteps();
    }

    /** The learning rate of step {@code step} (0-based) of this run. */
    public double learningRate(long step) {
        return FineTuneSpec.cosineWithWarmup(spec.learningRate(), step, warmupSteps(), plannedSteps());
    }

    private long stepFlops(int samples) {
        return 3 * forwardFlopsPerSample * samples;
    }

    /** Trains from the block's current weights, overwriting any checkpoint in {@code checkpointDir}. */
    public FineTuneResult run(Path csv, Path checkpointDir) {
        return train(csv, checkpointDir, null);
    }

    /**
     * Continues from the checkpoint in {@code checkpointDir} (weights, BN statistics, optimizer state, epoch, step and
     * FLOP counters, earlier CSV rows); without a checkpoint it starts from the block's weights like {@link #run}.
     */
    public FineTuneResult resume(Path csv, Path checkpointDir) {
        Path file = checkpointDir.resolve(CHECKPOINT_FILE);
        return train(csv, checkpointDir, Files.exists(file) ? file : null);
    }

    private FineTuneResult train(Path csv, Path checkpointDir, Path checkpoint) {
        // detached from autograd for the run, so that backward stops at the head instead of computing (and
        // accumulating) gradients nobody reads; the block is the caller's, so they are attached again afterwards
        for (Parameter p : frozen) {
            p.getArray().setRequiresGradient(false);
        }
        try {
            return trainSteps(csv, checkpointDir, checkpoint);
        } finally {
            for (Parameter p : frozen) {
                p.getArray().setRequiresGradient(true);
            }
        }
    }

    private FineTuneResult trainSteps(Path csv, Path checkpointDir, Path checkpoint) {
        try {
            Files.createDirectories(checkpointDir);
            Progress progress = checkpoint == null ? new Progress() : load(checkpoint);
            int resumedAt = checkpoint == null ? 0 : progress.epoch;
            long planned = plannedSteps();
            long warmup = warmupSteps();
            boolean training = spec.freeze() == FineTuneSpec.Freeze.NONE;
            Loss loss = Loss.softmaxCrossEntropyLoss();
            while (!progress.finished && progress.epoch < spec.epochs()) {
                int epoch = progress.epoch;
                long started = System.nanoTime();
                Engine.getInstance().setRandomSeed((int) (spec.seed() + epoch));
                Iterator<Batch> batches = dataset.batches(Split.TRAIN, spec.batchSize(), epoch);
                long steps = 0;
                long samples = 0;
                double lossSum = 0;
                long correct = 0;
                while (batches.hasNext()) {
                    Batch batch = batches.next();
                    long cost = stepFlops(batch.size());
                    if (spec.maxTrainFlops() > 0 && progress.trainFlops + cost > spec.maxTrainFlops()) {
                        progress.finished = true;
                        progress.budgetReached = true;
                        break;
                    }
                    float lr = (float) FineTuneSpec.cosineWithWarmup(spec.learningRate(), progress.steps, warmup,
                            planned);
                    try (NDManager step = manager.newSubManager()) {
                        NDArray x = step.create(batch.data(), new Shape(batch.nchw()));
                        float[] labels = new float[batch.size()];
                        for (int i = 0; i < labels.length; i++) {
                            labels[i] = batch.labels()[i];
                        }
                        NDArray y = step.create(labels);
                        float[] logits;
                        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            NDArray out = block.forward(new ParameterStore(step, false), new NDList(x), training)
                                    .head();
                            out = out.reshape(batch.size(), -1);
                            NDArray value = loss.evaluate(new NDList(y), new NDList(out));
                            collector.backward(value);
                            lossSum += value.getFloat() * batch.size();
                            logits = out.toFloatArray();
                        }
                        correct += correct(logits, batch.labels());
                        update(step, lr, progress.steps + 1);
                    }
                    progress.steps++;
                    progress.trainFlops += cost;
                    steps++;
                    samples += batch.size();
                    stepListener.stepFinished(progress.steps);
                }
                if (steps == 0) {
                    break;
                }
                progress.epoch++;
                if (progress.epoch >= spec.epochs()) {
                    progress.finished = true;
                }
                double valLoss = Double.NaN;
                double valTop1 = Double.NaN;
                if (dataset.valCount() > 0) {
                    EvaluationResult val = Evaluator.evaluate(block, dataset, Split.VAL, spec.batchSize(), manager);
                    valLoss = val.meanLoss();
                    valTop1 = val.top1();
                }
                FineTuneResult.EpochRow row = new FineTuneResult.EpochRow(progress.epoch, steps, samples,
                        lossSum / samples, (double) correct / samples, valLoss, valTop1, progress.trainFlops,
                        (System.nanoTime() - started) / 1e9);
                progress.rows.add(row);
                writeCsv(csv, progress.rows);
                save(checkpointDir, progress);
                listener.epochFinished(row);
            }
            EvaluationResult last = Evaluator.evaluate(block, dataset,
                    dataset.valCount() > 0 ? Split.VAL : Split.TRAIN, spec.batchSize(), manager);
            return new FineTuneResult(progress.rows, progress.steps, progress.trainFlops, progress.budgetReached,
                    resumedAt, last);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long correct(float[] logits, int[] labels) {
        int classes = logits.length / labels.length;
        long hits = 0;
        for (int n = 0; n < labels.length; n++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[n * classes + c] > logits[n * classes + best]) {
                    best = c;
                }
            }
            hits += best == labels[n] ? 1 : 0;
        }
        return hits;
    }

    /**
     * One optimizer step (t is 1-based), in place, without gradient recording. The state and the weights are updated
     * with in-place operations; the few temporaries are moved onto {@code step} because DJL puts a result on its first
     * operand's manager, which for {@code w * x} is the block's own. The gradient buffer itself takes SGD's weight
     * decay in place since it is zeroed right after.
     */
    private void update(NDManager step, float lr, long t) {
        try (NoGradScope noGrad = NoGradScope.open()) {
            for (Map.Entry<String, Parameter> entry : trained.entrySet()) {
                NDArray w = entry.getValue().getArray();
                NDArray g = w.getGradient();
                g.attach(step);
                if (spec.optimizer() == FineTuneSpec.OptimizerKind.SGD) {
                    if (spec.weightDecay() > 0) {
                        g.addi(onStep(w.mul(spec.weightDecay()), step));
                    }
                    NDArray direction = g;
                    if (spec.momentum() > 0) {
                        NDArray buf = state.get(entry.getKey() + "#momentum");
                        if (buf == null) {
                            buf = g.duplicate();
                            buf.attach(stateManager);
                            state.put(entry.getKey() + "#momentum", buf);
                        } else {
                            buf.muli(spec.momentum()).addi(g);
                        }
                        direction = buf;
                    }
                    w.subi(onStep(direction.mul(lr), step));
                } else {
                    NDArray m = state(entry.getKey() + "#m", w);
                    NDArray v = state(entry.getKey() + "#v", w);
                    m.muli(BETA1).addi(g.mul(1 - BETA1));
                    v.muli(BETA2).addi(g.mul(g).muli(1 - BETA2));
                    double c1 = 1 - Math.pow(BETA1, t);
                    double c2 = 1 - Math.pow(BETA2, t);
                    NDArray denominator = onStep(v.div((float) c2), step).sqrt().addi(EPSILON);
                    NDArray delta = onStep(m.div((float) c1), step).divi(denominator).muli(lr);
                    if (spec.weightDecay() > 0) {
                        delta.addi(onStep(w.mul(lr * spec.weightDecay()), step));
                    }
                    w.subi(delta);
                }
                zeroGradient(w, g);
            }
        }
    }

    private static NDArray onStep(NDArray temporary, NDManager step) {
        temporary.attach(step);
        return temporary;
    }

    /** PyTorch's zero_ on the gradient: unlike multiplying by 0 it also clears NaN and infinity. */
    private static void zeroGradient(NDArray w, NDArray g) {
        if (w instanceof PtNDArray pt) {
            JniUtils.zeroGrad(pt);
        } else {
            g.muli(0f);
        }
    }

    /** Frees the optimizer state (momentum / Adam moments); the block and its parameters are the caller's. */
    @Override
    public void close() {
        state.clear();
        stateManager.close();
    }

    private NDArray state(String key, NDArray like) {
        NDArray s = state.get(key);
        if (s == null) {
            s = stateManager.zeros(like.getShape(), like.getDataType());
            state.put(key, s);
        }
        return s;
    }

    private static void writeCsv(Path csv, List<FineTuneResult.EpochRow> rows) throws IOException {
        StringBuilder text = new StringBuilder(FineTuneResult.CSV_HEADER).append('\n');
        for (FineTuneResult.EpochRow row : rows) {
            text.append(row.csv()).append('\n');
        }
        AtomicFiles.writeString(csv, text);
    }

    /** Counters of a run, saved in the checkpoint. */
    private static final class Progress {
        int epoch;
        long steps;
        long trainFlops;
        boolean finished;
        boolean budgetReached;
        final List<FineTuneResult.EpochRow> rows = new ArrayList<>();
    }

    private void save(Path dir, Progress p) throws IOException {
        AtomicFiles.write(dir.resolve(CHECKPOINT_FILE), stream -> {
            DataOutputStream out = new DataOutputStream(stream);
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeUTF(spec.toString());
            out.writeInt(p.epoch);
            out.writeLong(p.steps);
            out.writeLong(p.trainFlops);
            out.writeBoolean(p.finished);
            out.writeBoolean(p.budgetReached);
            out.writeInt(p.rows.size());
            for (FineTuneResult.EpochRow r : p.rows) {
                out.writeInt(r.epoch());
                out.writeLong(r.steps());
                out.writeLong(r.samples());
                out.writeDouble(r.trainLoss());
                out.writeDouble(r.trainAccuracy());
                out.writeDouble(r.valLoss());
                out.writeDouble(r.valTop1());
                out.writeLong(r.trainFlops());
                out.writeDouble(r.seconds());
            }
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (var pair : block.getParameters()) {
                arrays.put("param:" + pair.getKey(), pair.getValue().getArray());
            }
            for (Map.Entry<String, NDArray> s : state.entrySet()) {
                arrays.put("state:" + s.getKey(), s.getValue());
            }
            out.writeInt(arrays.size());
            for (Map.Entry<String, NDArray> a : arrays.entrySet()) {
                out.writeUTF(a.getKey());
                long[] shape = a.getValue().getShape().getShape();
                out.writeInt(shape.length);
                for (long d : shape) {
                    out.writeLong(d);
                }
                float[] values = a.getValue().toFloatArray();
                out.writeInt(values.length);
                for (float v : values) {
                    out.writeInt(Float.floatToRawIntBits(v));
                }
            }
            out.flush();
        });
    }

    private Progress load(Path file) throws IOException {
        Progress p = new Progress();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw new IOException(file + " is not a Shears fine-tuning checkpoint");
            }
            String savedSpec = in.readUTF();
            if (!savedSpec.equals(spec.toString())) {
                throw new IllegalArgumentException("the checkpoint in " + file + " was written for " + savedSpec
                        + ", not " + spec);
            }
            p.epoch = in.readInt();
            p.steps = in.readLong();
            p.trainFlops = in.readLong();
            p.finished = in.readBoolean();
            p.budgetReached = in.readBoolean();
            int rows = in.readInt();
            for (int i = 0; i < rows; i++) {
                p.rows.add(new FineTuneResult.EpochRow(in.readInt(), in.readLong(), in.readLong(), in.readDouble(),
                        in.readDouble(), in.readDouble(), in.readDouble(), in.readLong(), in.readDouble()));
            }
            int count = in.readInt();
            try (NoGradScope noGrad = NoGradScope.open()) {
                for (int i = 0; i < count; i++) {
                    String key = in.readUTF();
                    long[] shape = new long[in.readInt()];
                    for (int d = 0; d < shape.length; d++) {
                        shape[d] = in.readLong();
                    }
                    float[] values = new float[in.readInt()];
                    for (int v = 0; v < values.length; v++) {
                        values[v] = Float.intBitsToFloat(in.readInt());
                    }
                    if (key.startsWith("param:")) {
                        Parameter param = block.parameter(key.substring(6));
                        if (param == null || !param.getArray().getShape().equals(new Shape(shape))) {
                            throw new IllegalArgumentException("checkpoint parameter " + key.substring(6)
                                    + " does not match the model");
                        }
                        param.getArray().set(FloatBuffer.wrap(values));
                    } else {
                        NDArray s = stateManager.create(values, new Shape(shape));
                        NDArray old = state.put(key.substring(6), s);
                        if (old != null) {
                            old.close();
                        }
                    }
                }
            }
        }
        return p;
    }
}
