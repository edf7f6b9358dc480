package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.shears.graph.Axes;

import java.util.Arrays;

/**
 * Dimension arithmetic on NDArrays that the kernels share. Pure axis arithmetic (normalising axes, broadcasting
 * shapes, products) is {@link Axes}, shared with shape inference.
 */
final class ShapeMath {
    private ShapeMath() {
    }

    static long[] dims(NDArray array) {
        return array.getShape().getShape();
    }

    /** The array broadcast to {@code dims} (which must be a broadcast of its shape), rank extended on the left. */
    static NDArray broadcastTo(NDArray x, long[] dims) {
        long[] own = dims(x);
        if (Arrays.equals(own, dims)) {
            return x;
        }
        NDArray ranked = x;
        if (own.length < dims.length) {
            long[] padded = new long[dims.length];
            Arrays.fill(padded, 1);
            System.arraycopy(own, 0, padded, dims.length - own.length, own.length);
            ranked = x.reshape(new Shape(padded));
        }
        return ranked.broadcast(new Shape(dims));
    }
}
