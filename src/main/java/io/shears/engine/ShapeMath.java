package io.shears.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/** Dimension arithmetic the kernels share: numpy broadcasting, axis normalisation, products. */
final class ShapeMath {
    private ShapeMath() {
    }

    static long[] dims(NDArray array) {
        return array.getShape().getShape();
    }

    /** The numpy broadcast of two shapes; refuses incompatible ones. */
    static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast");
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
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

    /** An ONNX axis (negative counts from the end) as an index into {@code rank} dimensions. */
    static int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }

    static long product(long[] dims, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= dims[i];
        }
        return p;
    }

    static int[] toInts(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.toIntExact(values[i]);
        }
        return out;
    }
}
