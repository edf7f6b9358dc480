package io.shears.pruning;

import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.graph.Shapes;

import java.util.Arrays;
import java.util.Set;

/**
 * Where each element of a tensor came from, through operators that only move data. Every element of a start tensor
 * carries a label (its channel, its head, its position in a stored table); the movement operators are applied to the
 * labels instead of the values, so the labels at the end say which start position each element holds. This is how
 * attention heads are found whatever sequence of Reshape, Transpose, Slice and Gather an exporter wrote.
 */
final class PositionTrace {
    /** Operators whose output element is one input element, moved. */
    private static final Set<String> MOVING = Set.of("Transpose", "Reshape", "Squeeze", "Unsqueeze", "Flatten",
            "Identity", "Cast", "Dropout", "Slice", "Split", "Gather");
    /** Operators that change values but keep positions when every other input is a single number. */
    private static final Set<String> SCALING = Set.of("Div", "Mul", "Add", "Sub");

    /** One step of a trace: a node, which of its inputs carries the traced tensor, and which output continues it. */
    record Step(Node node, int dataInput, int output) {
        String in() {
            return node.input(dataInput);
        }

        String out() {
            return node.output(output);
        }
    }

    private final long[] labels;
    private final long[] dims;

    PositionTrace(long[] labels, long[] dims) {
        this.labels = labels;
        this.dims = dims;
    }

    /** A tensor labelled by the index along one axis. */
    static PositionTrace indexAlong(long[] dims, int axis) {
        long[] labels = new long[Math.toIntExact(count(dims))];
        long inner = 1;
        for (int i = axis + 1; i < dims.length; i++) {
            inner *= dims[i];
        }
        for (int e = 0; e < labels.length; e++) {
            labels[e] = (e / inner) % dims[axis];
        }
        return new PositionTrace(labels, dims.clone());
    }

    /** A tensor labelled by each element's flat index. */
    static PositionTrace flatIndex(long[] dims) {
        long[] labels = new long[Math.toIntExact(count(dims))];
        for (int e = 0; e < labels.length; e++) {
            labels[e] = e;
        }
        return new PositionTrace(labels, dims.clone());
    }

    long[] labels() {
        return labels;
    }

    long[] dims() {
        return dims;
    }

    static long count(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /**
     * The step that produced a tensor, when it only moves or uniformly scales data, or null. For scaling operators
     * every input other than the traced one must hold a single number.
     */
    static Step producingStep(Graph graph, Shapes shapes, String tensor) {
        Node p = graph.producer(tensor);
        if (p == null || !p.domain().isEmpty()) {
            return null;
        }
        int output = p.outputs().indexOf(tensor);
        if (MOVING.contains(p.op())) {
            if (p.op().equals("Gather") && shapes.intValue(p.input(1)) == null) {
                return null;
            }
            return output == 0 || p.op().equals("Split") ? new Step(p, 0, output) : null;
        }
        if (SCALING.contains(p.op()) && p.inputCount() == 2) {
            for (int data = 0; data < 2; data++) {
                long[] other = dimsOf(graph, shapes, p.input(1 - data));
                long[] mine = dimsOf(graph, shapes, p.input(data));
                if (other != null && count(other) == 1 && mine != null && Arrays.equals(mine, shapes.dims(tensor))) {
                    return new Step(p, data, 0);
                }
            }
        }
        return null;
    }

    static long[] dimsOf(Graph graph, Shapes shapes, String tensor) {
        long[] d = shapes.dims(tensor);
        return d != null ? d : graph.weightDims(tensor);
    }

    /** The labels after one step, or null when the step's parameters are not known at analysis time. */
    PositionTrace apply(Step step, Shapes shapes) {
        Node node = step.node();
        long[] outDims = shapes.dims(step.out());
        if (outDims == null) {
            return null;
        }
        return switch (node.op()) {
            case "Transpose" -> transpose(node.attrInts("perm"));
            case "Slice" -> slice(node, shapes);
            case "Split" -> split(node, step.output(), shapes);
            case "Gather" -> {
                long[] indices = shapes.intValue(node.input(1));
                int axis = normalize(node.attrInt("axis", 0), dims.length);
                long[] picked = indices.clone();
                for (int i = 0; i < picked.length; i++) {
                    picked[i] = picked[i] < 0 ? picked[i] + dims[axis] : picked[i];
                }
                PositionTrace t = take(axis, picked);
                yield t == null ? null : new PositionTrace(t.labels, outDims);
            }
            default -> count(outDims) == labels.length ? new PositionTrace(labels, outDims) : null;
        };
    }

    private static int normalize(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }

    PositionTrace transpose(long[] perm) {
        int rank = dims.length;
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = perm == null ? rank - 1 - i : (int) perm[i];
        }
        long[] outDims = new long[rank];
        for (int i = 0; i < rank; i++) {
            outDims[i] = dims[p[i]];
        }
        long[] inStride = strides(dims);
        long[] out = new long[labels.length];
        int[] coord = new int[rank];
        for (int e = 0; e < out.length; e++) {
            long source = 0;
            for (int i = 0; i < rank; i++) {
                source += coord[i] * inStride[p[i]];
            }
            out[e] = labels[(int) source];
            for (int i = rank - 1; i >= 0; i--) {
                if (++coord[i] < outDims[i]) {
                    break;
                }
                coord[i] = 0;
            }
        }
        return new PositionTrace(out, outDims);
    }

    static long[] strides(long[] dims) {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** Keeps the given indices of one axis, in that order. */
    PositionTrace take(int axis, long[] indices) {
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= dims[i];
        }
        long inner = 1;
        for (int i = axis + 1; i < dims.length; i++) {
            inner *= dims[i];
        }
        for (long index : indices) {
            if (index < 0 || index >= dims[axis]) {
                return null;
            }
        }
        long[] out = new long[Math.toIntExact(outer * indices.length * inner)];
        int e = 0;
        for (long o = 0; o < outer; o++) {
            for (long index : indices) {
                long base = (o * dims[axis] + index) * inner;
                for (long i = 0; i < inner; i++) {
                    out[e++] = labels[(int) (base + i)];
                }
            }
        }
        long[] outDims = dims.clone();
        outDims[axis] = indices.length;
        return new PositionTrace(out, outDims);
    }

    private PositionTrace slice(Node node, Shapes shapes) {
        LayoutChannels.Bounds b = LayoutChannels.Bounds.of(node, shapes::intValue, dims.length);
        if (b == null) {
            return null;
        }
        PositionTrace t = this;
        for (int k = 0; k < b.axes().length; k++) {
            int axis = normalize(b.axes()[k], dims.length);
            long step = b.steps()[k];
            if (step <= 0) {
                return null;
            }
            long dim = t.dims[axis];
            long start = b.start(k, dim);
            long end = b.ends()[k] < 0 ? b.ends()[k] + dim : Math.min(b.ends()[k], dim);
            int n = (int) Math.max(0, (end - start + step - 1) / step);
            long[] picked = new long[n];
            for (int i = 0; i < n; i++) {
                picked[i] = start + i * step;
            }
            t = t.take(axis, picked);
            if (t == null) {
                return null;
            }
        }
        return t;
    }

    private PositionTrace split(Node node, int output, Shapes shapes) {
        int axis = normalize(node.attrInt("axis", 0), dims.length);
        long offset = 0;
        for (int i = 0; i < output; i++) {
            offset += shapes.dims(node.output(i))[axis];
        }
        long size = shapes.dims(node.output(output))[axis];
        long[] picked = new long[(int) size];
        for (int i = 0; i < size; i++) {
            picked[i] = offset + i;
        }
        return take(axis, picked);
    }
}
