package io.shears.graph;

/**
 * Axis arithmetic shared by the shape rules and the interpreter's kernels: negative axes, broadcasting, products.
 * The public forms refuse with {@link IllegalArgumentException}, so that the interpreter reports them against the
 * node it runs; the shape rules' forms turn the same refusal into their {@link ShapeContext#fail} problem.
 */
public final class Axes {
    private Axes() {
    }

    /** An ONNX axis (negative counts from the end) as an index into {@code rank} dimensions. */
    public static int normalize(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }

    static int normalize(ShapeContext ctx, long axis, int rank) {
        try {
            return normalize(axis, rank);
        } catch (IllegalArgumentException e) {
            throw ctx.fail(e.getMessage());
        }
    }

    public static long product(long[] dims, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            n *= dims[i];
        }
        return n;
    }

    /** Numpy-style multidirectional broadcast of two shapes. */
    public static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + TensorType.format(a) + " and " + TensorType.format(b)
                        + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    static long[] broadcast(ShapeContext ctx, long[] a, long[] b) {
        try {
            return broadcast(a, b);
        } catch (IllegalArgumentException e) {
            throw ctx.fail(e.getMessage());
        }
    }

    static long[] ints(long[] values, int count, long fallback) {
        if (values != null) {
            return values;
        }
        long[] out = new long[count];
        java.util.Arrays.fill(out, fallback);
        return out;
    }
}
