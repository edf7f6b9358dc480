package io.shears.testing;

import java.util.Arrays;

/**
 * The shape the test builder believes a tensor has. Besides concrete sizes a dimension can be the symbolic batch
 * ({@link #BATCH}) or {@link #UNKNOWN}; keeping the two apart lets the builder declare {@code dim_param "batch"} only
 * where it is really the batch and leave derived dimensions (such as batch x channels) blank.
 */
final class TensorShape {
    static final long BATCH = -1;
    static final long UNKNOWN = -2;

    private final long[] dims;

    private TensorShape(long[] dims) {
        this.dims = dims;
    }

    static TensorShape of(long... dims) {
        for (long dim : dims) {
            if (dim < UNKNOWN) {
                throw new IllegalArgumentException("invalid dimension " + dim + " in " + Arrays.toString(dims));
            }
        }
        return new TensorShape(dims.clone());
    }

    static TensorShape scalar() {
        return new TensorShape(new long[0]);
    }

    int rank() {
        return dims.length;
    }

    long dim(int axis) {
        return dims[normalizeAxis(axis)];
    }

    /** Channel count of an NCHW-like tensor; the builder needs it to size weights. */
    long channels() {
        long channels = dim(1);
        if (channels < 0) {
            throw new IllegalStateException("channel count is not known for shape " + this);
        }
        return channels;
    }

    long[] dims() {
        return dims.clone();
    }

    TensorShape withDim(int axis, long value) {
        long[] copy = dims.clone();
        copy[normalizeAxis(axis)] = value;
        return new TensorShape(copy);
    }

    int normalizeAxis(int axis) {
        int normalized = axis < 0 ? axis + dims.length : axis;
        if (normalized < 0 || normalized >= dims.length) {
            throw new IllegalArgumentException("axis " + axis + " out of range for shape " + this);
        }
        return normalized;
    }

    /** Product of dims[from, to); a product that involves the batch is only the batch when everything else is 1. */
    long product(int from, int to) {
        long known = 1;
        boolean batch = false;
        for (int i = from; i < to; i++) {
            if (dims[i] == UNKNOWN) {
                return UNKNOWN;
            } else if (dims[i] == BATCH) {
                if (batch) {
                    return UNKNOWN;
                }
                batch = true;
            } else {
                known *= dims[i];
            }
        }
        if (!batch) {
            return known;
        }
        return known == 1 ? BATCH : UNKNOWN;
    }

    /** Multidirectional (numpy) broadcasting as used by Add, Mul, Sub, Div and PRelu. */
    TensorShape broadcast(TensorShape other) {
        int rank = Math.max(rank(), other.rank());
        long[] result = new long[rank];
        for (int i = 0; i < rank; i++) {
            long a = dimFromRight(rank - 1 - i);
            long b = other.dimFromRight(rank - 1 - i);
            result[i] = broadcastDim(a, b, other);
        }
        return new TensorShape(result);
    }

    private long dimFromRight(int offsetFromRight) {
        int index = dims.length - 1 - offsetFromRight;
        return index < 0 ? 1 : dims[index];
    }

    private long broadcastDim(long a, long b, TensorShape other) {
        if (a == b || b == 1) {
            return a;
        }
        if (a == 1) {
            return b;
        }
        if (a >= 0 && b >= 0) {
            throw new IllegalArgumentException("shapes " + this + " and " + other + " do not broadcast");
        }
        // A symbolic dimension against a concrete one must equal it at run time.
        return Math.max(a, b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorShape other && Arrays.equals(dims, other.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                text.append(", ");
            }
            text.append(dims[i] == BATCH ? "batch" : dims[i] == UNKNOWN ? "?" : Long.toString(dims[i]));
        }
        return text.append(']').toString();
    }
}
