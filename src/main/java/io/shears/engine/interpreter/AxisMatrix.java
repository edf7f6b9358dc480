package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Applies a linear map along one axis: {@code y[..., o, ...] = sum_i m[o][i] * x[..., i, ...]}. Resize interpolates
 * this way, one matrix per resized axis, which is exact for every ONNX coordinate mode (DJL's own bilinear
 * interpolation always antialiases). A matrix product is differentiable, so gradients pass through.
 */
final class AxisMatrix {
    private AxisMatrix() {
    }

    /** {@code matrix} is row-major [out, in] with {@code in} the current extent of {@code axis}. */
    static NDArray apply(NDArray x, int axis, float[] matrix, long out) {
        long in = x.getShape().get(axis);
        if (matrix.length != out * in) {
            throw new IllegalArgumentException("a " + out + "x" + in + " matrix needs " + out * in + " values");
        }
        NDArray m = x.getManager().create(matrix, new Shape(out, in));
        int rank = x.getShape().dimension();
        if (axis == rank - 1) {
            return x.matMul(m.transpose());
        }
        NDArray moved = axis == rank - 2 ? x : x.swapAxes(axis, rank - 2);
        NDArray y = m.matMul(moved);
        return axis == rank - 2 ? y : y.swapAxes(axis, rank - 2);
    }
}
