package io.shears.graph;

import java.util.Arrays;

/** A tensor's ONNX element type code and its static shape. */
public record TensorType(int elemType, long[] dims) {
    public int rank() {
        return dims.length;
    }

    public long dim(int axis) {
        return dims[axis < 0 ? axis + dims.length : axis];
    }

    public long elements() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorType t && t.elemType == elemType && Arrays.equals(t.dims, dims);
    }

    @Override
    public int hashCode() {
        return 31 * elemType + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }

    public static String format(long[] dims) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : "x").append(dims[i]);
        }
        return sb.toString();
    }
}
