package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;

import java.util.Arrays;

/**
 * Reductions over several axes. DJL's PyTorch engine reduces over one axis per call ("Only 1 axis is support!"), so
 * several axes are reduced one after another, highest axis first so that the remaining indices stay valid when the
 * reduced axes are dropped. For mean, max, min, sum and product this equals the joint reduction.
 */
final class Reductions {
    enum Kind {
        MEAN, SUM, MAX, MIN, PROD
    }

    private Reductions() {
    }

    static NDArray reduce(NDArray x, int[] axes, boolean keepDims, Kind kind) {
        int[] order = Arrays.stream(axes).distinct().sorted().toArray();
        NDArray out = x;
        for (int i = order.length - 1; i >= 0; i--) {
            int[] axis = {order[i]};
            out = switch (kind) {
                case MEAN -> out.mean(axis, keepDims);
                case SUM -> out.sum(axis, keepDims);
                case MAX -> out.max(axis, keepDims);
                case MIN -> out.min(axis, keepDims);
                case PROD -> out.prod(axis, keepDims);
            };
        }
        return out;
    }

    /** Every axis from {@code from} to the last: the spatial axes of NCHW for {@code from = 2}. */
    static int[] axesFrom(int from, int rank) {
        int[] axes = new int[Math.max(0, rank - from)];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = from + i;
        }
        return axes;
    }
}
