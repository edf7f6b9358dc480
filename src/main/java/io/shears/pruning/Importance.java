package io.shears.pruning;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.onnx.TensorValues;

import java.util.SplittableRandom;

/**
 * Scores every channel from the weights alone. A channel's score averages its slices in every coupled weight axis;
 * each axis is first divided by its mean slice score, so a wide layer's input slices and a narrow layer's filters
 * count alike, and scores of different groups are comparable.
 */
final class Importance {
    private Importance() {
    }

    static double[] score(ChannelAnalysis analysis, Criterion criterion, long seed) {
        int n = analysis.classCount();
        double[] score = new double[n];
        if (criterion == Criterion.RANDOM) {
            SplittableRandom random = new SplittableRandom(seed);
            for (int c = 0; c < n; c++) {
                score[c] = random.nextDouble();
            }
            return score;
        }
        double[] l1Sum = new double[n];
        int[] l1Count = new int[n];
        double[] bnSum = new double[n];
        int[] bnCount = new int[n];
        for (WeightAxis w : analysis.weightAxes()) {
            boolean matrix = w.hasRole(WeightRole.OUTPUT) || w.hasRole(WeightRole.INPUT);
            boolean bnScale = w.hasRole(WeightRole.BN_SCALE);
            if (!matrix && !bnScale || onlyFrozen(analysis, w)) {
                continue;
            }
            TensorProto t = analysis.graph().weight(w.source);
            double[] slices = sliceNorms(t, w.axis, criterion == Criterion.L2 && matrix);
            double mean = 0;
            for (double s : slices) {
                mean += s;
            }
            mean /= slices.length;
            for (int k = 0; k < slices.length; k++) {
                int c = analysis.classOf(w.atoms[k]);
                double v = mean > 0 ? slices[k] / mean : 0;
                if (matrix) {
                    l1Sum[c] += v;
                    l1Count[c]++;
                }
                if (bnScale) {
                    bnSum[c] += v;
                    bnCount[c]++;
                }
            }
        }
        for (int c = 0; c < n; c++) {
            boolean useBn = criterion == Criterion.BN_SCALE && bnCount[c] > 0;
            score[c] = useBn ? bnSum[c] / bnCount[c] : l1Count[c] > 0 ? l1Sum[c] / l1Count[c] : 0;
        }
        return score;
    }

    /** Frozen channels are never ranked, so an axis that carries only those need not be read (a large share). */
    private static boolean onlyFrozen(ChannelAnalysis analysis, WeightAxis w) {
        for (int atom : w.atoms) {
            if (!analysis.groups().get(analysis.groupOf(analysis.classOf(atom))).frozen()) {
                return false;
            }
        }
        return true;
    }

    /** Sum of |w| (or the Euclidean norm) of each index along {@code axis}. */
    private static double[] sliceNorms(TensorProto t, int axis, boolean euclidean) {
        float[] v = TensorValues.floats(t);
        long[] dims = TensorValues.dims(t);
        int length = (int) dims[axis];
        int inner = 1;
        for (int i = axis + 1; i < dims.length; i++) {
            inner *= (int) dims[i];
        }
        double[] out = new double[length];
        int e = 0;
        while (e < v.length) {
            for (int k = 0; k < length; k++) {
                double sum = 0;
                for (int i = 0; i < inner; i++, e++) {
                    sum += euclidean ? (double) v[e] * v[e] : Math.abs(v[e]);
                }
                out[k] += sum;
            }
        }
        if (euclidean) {
            for (int k = 0; k < length; k++) {
                out[k] = Math.sqrt(out[k]);
            }
        }
        return out;
    }
}
