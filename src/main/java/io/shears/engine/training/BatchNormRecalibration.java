package io.shears.engine.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.shears.data.Batch;
import io.shears.data.Dataset;
import io.shears.data.Split;
import io.shears.engine.evaluation.EvaluationResult;
import io.shears.engine.evaluation.Evaluator;
import io.shears.engine.interpreter.NoGradScope;
import io.shears.engine.interpreter.OnnxInterpreterBlock;
import io.shears.engine.interpreter.PassMode;
import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.graph.ShapeInference;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adaptive BatchNorm (EagleEye): re-estimates every BatchNormalization node's running mean and variance from
 * calibration batches, with batch statistics and without gradients, so that a pruned model's statistics fit its new
 * activations.
 *
 * <p>The result is the exact statistics of all calibration samples pooled: for each channel, the mean of every value
 * that reached the node and their variance (unbiased, PyTorch's convention for running variances). The interpreter's
 * BatchNorm kernel updates {@code running = momentum * running + (1 - momentum) * batch} with the node's fixed
 * momentum, so before each batch the running statistics are set to zero, which leaves {@code (1 - momentum) *
 * batch statistics} after it; dividing by {@code 1 - momentum} recovers the batch's own mean and unbiased variance,
 * and batches are combined with Chan's parallel formula weighted by element counts (so a smaller last batch counts
 * for what it holds). Training-mode BatchNorm normalises with the batch's statistics, so zeroing the running ones
 * does not change what later layers see. If anything fails, the original statistics are put back.
 *
 * <p>The passes run in {@link PassMode#BATCH_STATISTICS}: Dropout stays the identity, so the statistics are those of
 * the activations the model sees at inference, and two recalibrations on the same batches give the same statistics
 * (PyTorch's {@code model.train()} recalibration would instead measure dropped, rescaled activations).
 */
public final class BatchNormRecalibration {
    public static final int DEFAULT_BATCHES = 100;

    /** What a recalibration did; {@code before}/{@code after} are null when no evaluation was asked for. */
    public record Report(boolean applied, String note, int layers, int batches, long samples, Split evaluatedOn,
                         EvaluationResult before, EvaluationResult after) {
    }

    private BatchNormRecalibration() {
    }

    /**
     * Recalibrates on up to {@code maxBatches} training batches (seeded shuffle; the whole train split if it has fewer)
     * and evaluates before and after on the validation split, or on the train split when there is none.
     */
    public static Report recalibrate(OnnxInterpreterBlock block, Dataset dataset, int batchSize, int maxBatches,
                                     NDManager manager) {
        Split evalSplit = dataset.count(Split.VAL) > 0 ? Split.VAL : Split.TRAIN;
        EvaluationResult before = Evaluator.evaluate(block, dataset, evalSplit, batchSize, manager);
        Report calibrated = recalibrate(block, dataset.batches(Split.TRAIN, batchSize, 0, true, false), maxBatches,
                manager);
        EvaluationResult after = calibrated.applied()
                ? Evaluator.evaluate(block, dataset, evalSplit, batchSize, manager) : before;
        return new Report(calibrated.applied(), calibrated.note(), calibrated.layers(), calibrated.batches(),
                calibrated.samples(), evalSplit, before, after);
    }

    /** Recalibrates on up to {@code maxBatches} of the given batches; no evaluation. */
    public static Report recalibrate(OnnxInterpreterBlock block, Iterator<Batch> batches, int maxBatches,
                                     NDManager manager) {
        if (maxBatches < 1) {
            throw new IllegalArgumentException("the number of calibration batches must be at least 1, is "
                    + maxBatches);
        }
        block.requireDevice(manager, "the recalibration");
        Graph graph = new Graph(block.sourceModel());
        List<Layer> layers = layers(graph, block);
        if (layers.isEmpty()) {
            return new Report(false, "the model has no BatchNormalization node; its weights are left untouched",
                    0, 0, 0, null, null, null);
        }
        List<float[][]> original = layers.stream().map(Layer::saved).toList();
        boolean done = false;
        Pooled pooled;
        try (NoGradScope noGrad = NoGradScope.open()) {
            pooled = pool(graph, block, layers, batches, maxBatches, manager);
            for (Layer layer : layers) {
                layer.store();
            }
            done = true;
        } finally {
            if (!done) {
                for (int i = 0; i < layers.size(); i++) {
                    layers.get(i).restore(original.get(i));
                }
            }
        }
        return new Report(true, "re-estimated the running statistics of " + layers.size() + " BatchNormalization "
                + "node(s) from " + pooled.batches() + " batch(es), " + pooled.samples() + " sample(s)",
                layers.size(), pooled.batches(), pooled.samples(), null, null, null);
    }

    /** How many batches and samples the statistics were pooled from. */
    private record Pooled(int batches, long samples) {
    }

    /** Runs up to {@code maxBatches} batches, pooling each layer's batch statistics; at least one must come. */
    private static Pooled pool(Graph graph, OnnxInterpreterBlock block, List<Layer> layers, Iterator<Batch> batches,
                               int maxBatches, NDManager manager) {
        long[] perSample = null;
        int count = 0;
        long samples = 0;
        while (count < maxBatches && batches.hasNext()) {
            Batch batch = batches.next();
            if (perSample == null) {
                perSample = elementsPerSample(graph, block, layers, batch);
            }
            for (Layer layer : layers) {
                layer.reset();
            }
            try (NDManager step = manager.newSubManager()) {
                NDArray x = step.create(batch.data(), new Shape(batch.nchw()));
                block.forward(new ParameterStore(step, false), new NDList(x), PassMode.BATCH_STATISTICS);
            }
            for (int i = 0; i < layers.size(); i++) {
                layers.get(i).add(batch.size() * perSample[i]);
            }
            count++;
            samples += batch.size();
        }
        if (count == 0) {
            throw new IllegalArgumentException("no calibration batch: the train split is empty");
        }
        return new Pooled(count, samples);
    }

    private static List<Layer> layers(Graph graph, OnnxInterpreterBlock block) {
        List<Layer> layers = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Node node : graph.nodes()) {
            if (!node.op().equals("BatchNormalization") || !node.domain().isEmpty()) {
                continue;
            }
            if (node.inputCount() < 5) {
                throw new IllegalArgumentException("BatchNormalization node " + node + " has no running statistics");
            }
            Parameter mean = block.parameter(node.input(3));
            Parameter var = block.parameter(node.input(4));
            if (mean == null || var == null) {
                throw new IllegalArgumentException("BatchNormalization node " + node + ": its running statistics '"
                        + node.input(3) + "' and '" + node.input(4) + "' are not stored float tensors, so they "
                        + "cannot be recalibrated");
            }
            if (!seen.add(node.input(3)) || !seen.add(node.input(4))) {
                throw new IllegalArgumentException("BatchNormalization node " + node + " shares its running "
                        + "statistics with another node; recalibration needs one set per node");
            }
            float momentum = node.attrFloat("momentum", 0.9f);
            if (!(momentum < 1f - 1e-6f) || momentum < 0f) {
                throw new IllegalArgumentException("BatchNormalization node " + node + " has momentum " + momentum
                        + ": its running statistics never take a batch's, so they cannot be recalibrated");
            }
            layers.add(new Layer(node, mean, var, momentum));
        }
        return layers;
    }

    /** Values per channel per sample at each layer's input (the product of its spatial dims). */
    private static long[] elementsPerSample(Graph graph, OnnxInterpreterBlock block, List<Layer> layers, Batch batch) {
        var shapes = ShapeInference.infer(graph, Map.of(block.inputNames().get(0), batch.shape().nchw(1)));
        long[] counts = new long[layers.size()];
        for (int i = 0; i < layers.size(); i++) {
            long[] dims = shapes.dims(layers.get(i).node.input(0));
            long count = 1;
            for (int d = 2; d < dims.length; d++) {
                count *= dims[d];
            }
            counts[i] = count;
        }
        return counts;
    }

    /** One BatchNormalization node and its pooled statistics so far. */
    private static final class Layer {
        final Node node;
        final Parameter mean;
        final Parameter var;
        final double keep;
        final int channels;
        final double[] poolMean;
        final double[] poolM2;
        long poolCount;

        Layer(Node node, Parameter mean, Parameter var, float momentum) {
            this.node = node;
            this.mean = mean;
            this.var = var;
            this.keep = 1.0 - momentum;
            this.channels = Math.toIntExact(mean.getArray().size());
            this.poolMean = new double[channels];
            this.poolM2 = new double[channels];
        }

        /** The running statistics as they are, to {@link #restore} if the recalibration fails. */
        float[][] saved() {
            return new float[][] {mean.getArray().toFloatArray(), var.getArray().toFloatArray()};
        }

        void restore(float[][] saved) {
            mean.getArray().set(saved[0]);
            var.getArray().set(saved[1]);
        }

        /** Zeroes the running statistics, so that after a batch they hold only its own, scaled by {@code keep}. */
        void reset() {
            mean.getArray().set(new float[channels]);
            var.getArray().set(new float[channels]);
        }

        /** Adds the batch whose scaled statistics the running arrays now hold; {@code n} values per channel. */
        void add(long n) {
            float[] m = mean.getArray().toFloatArray();
            float[] v = var.getArray().toFloatArray();
            long total = poolCount + n;
            for (int c = 0; c < channels; c++) {
                double batchMean = m[c] / keep;
                double batchM2 = n > 1 ? v[c] / keep * (n - 1) : 0;
                double delta = batchMean - poolMean[c];
                poolMean[c] += delta * n / total;
                poolM2[c] += batchM2 + delta * delta * ((double) poolCount * n / total);
            }
            poolCount = total;
        }

        void store() {
            float[] m = new float[channels];
            float[] v = new float[channels];
            for (int c = 0; c < channels; c++) {
                m[c] = (float) poolMean[c];
                v[c] = (float) (poolCount > 1 ? poolM2[c] / (poolCount - 1) : 0);
            }
            mean.getArray().set(m);
            var.getArray().set(v);
        }
    }
}
