package io.shears.engine.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.shears.data.Batch;
import io.shears.data.Dataset;
import io.shears.data.Split;
import io.shears.engine.interpreter.NoGradScope;
import io.shears.engine.interpreter.OnnxInterpreterBlock;

import java.util.Iterator;
import java.util.OptionalDouble;

/**
 * Runs a classifier block over labelled batches in inference mode and measures top-1, top-5, mean cross-entropy,
 * per-class accuracy and the confusion matrix (see {@link EvaluationResult}).
 *
 * <p>Gradient recording is switched off on the calling thread for the whole pass (PyTorch's grad mode is per thread
 * and on in every fresh thread), and every batch runs on its own sub-manager of the given manager, closed after the
 * step, so nothing accumulates over a long evaluation. The logits are copied to the host and the metrics computed
 * there in double precision; the block's first output must be {@code [N, classes]} (trailing 1-sized axes allowed).
 * The batches run on the manager's device, which must be the block's.
 */
public final class Evaluator {
    private Evaluator() {
    }

    /** Evaluates on a dataset split, in order (no shuffle), keeping the last partial batch. */
    public static EvaluationResult evaluate(OnnxInterpreterBlock block, Dataset dataset, Split split, int batchSize,
                                            NDManager manager) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, is " + batchSize);
        }
        return evaluate(block, dataset.batches(split, batchSize, 0, false, false), dataset.classCount(), manager);
    }

    /** Evaluates on the given batches, whose labels are in {@code [0, classCount)}. */
    public static EvaluationResult evaluate(OnnxInterpreterBlock block, Iterator<Batch> batches, int classCount,
                                            NDManager manager) {
        if (classCount < 1) {
            throw new IllegalArgumentException("class count must be at least 1, is " + classCount);
        }
        block.requireDevice(manager, "the evaluator");
        Accumulator acc = new Accumulator(classCount);
        try (NoGradScope noGrad = NoGradScope.open()) {
            while (batches.hasNext()) {
                Batch batch = batches.next();
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = step.create(batch.data(), new Shape(batch.nchw()));
                    NDList outputs = block.infer(new NDList(x));
                    acc.add(logits(outputs.head(), batch.size(), classCount), batch.labels());
                }
            }
        }
        return acc.result();
    }

    /** The logits of a batch on the host, checked to be {@code [n, classCount]} after dropping trailing 1s. */
    static float[] logits(NDArray output, int n, int classCount) {
        requireLogits(output.getShape().getShape(), n, classCount);
        return output.toType(DataType.FLOAT32, false).toFloatArray();
    }

    /** Checks that an output of these dimensions is {@code [n, classCount]} once trailing 1-sized axes are dropped. */
    static void requireLogits(long[] dims, int n, int classCount) {
        int rank = dims.length;
        while (rank > 2 && dims[rank - 1] == 1) {
            rank--;
        }
        if (rank != 2 || dims[0] != n || dims[1] != classCount) {
            throw new IllegalArgumentException("the model's output " + new Shape(dims) + " is not [" + n + ", "
                    + classCount + "] (batch size, class count of the dataset)");
        }
    }

    /** Sums the metrics over batches, on the host. */
    static final class Accumulator {
        private final int classes;
        private final long[][] confusion;
        private long samples;
        private long top1;
        private long top5;
        private double lossSum;

        Accumulator(int classes) {
            this.classes = classes;
            this.confusion = new long[classes][classes];
        }

        void add(float[] logits, int[] labels) {
            for (int n = 0; n < labels.length; n++) {
                int label = labels[n];
                if (label < 0 || label >= classes) {
                    throw new IllegalArgumentException("label " + label + " is outside [0, " + classes + ")");
                }
                int offset = n * classes;
                int predicted = 0;
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    if (logits[offset + c] > max || c == 0) {
                        max = logits[offset + c];
                        predicted = c;
                    }
                }
                float target = logits[offset + label];
                int rank = 0;
                double sumExp = 0;
                for (int c = 0; c < classes; c++) {
                    float v = logits[offset + c];
                    if (v > target || (v == target && c < label)) {
                        rank++;
                    }
                    sumExp += Math.exp(v - max);
                }
                confusion[label][predicted]++;
                samples++;
                if (predicted == label) {
                    top1++;
                }
                if (rank < 5) {
                    top5++;
                }
                lossSum += max + Math.log(sumExp) - target;
            }
        }

        EvaluationResult result() {
            double[] perClass = new double[classes];
            for (int c = 0; c < classes; c++) {
                long total = 0;
                for (long count : confusion[c]) {
                    total += count;
                }
                perClass[c] = total == 0 ? Double.NaN : (double) confusion[c][c] / total;
            }
            double n = samples;
            OptionalDouble topFive = classes >= 5 && samples > 0 ? OptionalDouble.of(top5 / n) : OptionalDouble.empty();
            return new EvaluationResult(samples, samples == 0 ? Double.NaN : top1 / n, topFive,
                    samples == 0 ? Double.NaN : lossSum / n, perClass, confusion);
        }
    }
}
