package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.shears.graph.Axes;
import io.shears.graph.Node;
import io.shears.graph.SliceWindow;

import java.util.Arrays;

/** Operators that move, join, cut or pad data without arithmetic on it. */
final class LayoutKernels {
    private LayoutKernels() {
    }

    static void register(Kernels.Registrar r) {
        r.add(ctx -> new NDList(ctx.input(0)), "Identity");
        r.add(LayoutKernels::flatten, "Flatten");
        r.add(LayoutKernels::reshape, "Reshape");
        r.add(LayoutKernels::transpose, "Transpose");
        r.add(LayoutKernels::squeeze, "Squeeze");
        r.add(LayoutKernels::unsqueeze, "Unsqueeze");
        r.add(LayoutKernels::concat, "Concat");
        r.add(LayoutKernels::split, "Split");
        r.add(LayoutKernels::slice, "Slice");
        r.add(OpKernel.checked(LayoutKernels::checkPad, LayoutKernels::pad), "Pad");
        r.add(ctx -> new NDList(ShapeMath.broadcastTo(ctx.input(0),
                Axes.broadcast(ShapeMath.dims(ctx.input(0)), ctx.longs(1)))), "Expand");
        r.add(OpKernel.checked(LayoutKernels::checkScatterNd, LayoutKernels::scatterNd), "ScatterND");
        r.add(ctx -> new NDList(ctx.input(0).tile(ctx.longs(1))), "Tile");
    }

    private static void checkScatterNd(Node node, int opset) {
        String reduction = node.attrString("reduction", "none");
        if (!reduction.equals("none")) {
            throw Kernels.unsupported(node, "ScatterND with reduction '" + reduction + "' is not supported");
        }
    }

    /**
     * data with the slices that indices address replaced by updates (a later index wins, as in ONNX Runtime). Built as
     * a pick from data's slices followed by the updates, so that gradients reach both.
     */
    static NDList scatterNd(KernelContext ctx) {
        NDArray data = ctx.input(0);
        long[] dims = ShapeMath.dims(data);
        long[] indexDims = ShapeMath.dims(ctx.input(1));
        int depth = (int) indexDims[indexDims.length - 1];
        if (depth < 1 || depth > dims.length) {
            throw ctx.failure("indices address " + depth + " axes of a rank " + dims.length + " tensor");
        }
        long[] index = ctx.longs(1);
        long rows = Axes.product(dims, 0, depth);
        long sliceSize = Axes.product(dims, depth, dims.length);
        int updateCount = index.length / depth;
        long[] source = new long[(int) rows];
        Arrays.setAll(source, i -> i);
        for (int u = 0; u < updateCount; u++) {
            long row = 0;
            for (int a = 0; a < depth; a++) {
                long i = index[u * depth + a];
                long position = i < 0 ? i + dims[a] : i;
                if (position < 0 || position >= dims[a]) {
                    throw ctx.failure("index " + i + " is out of range for axis " + a + " of size " + dims[a]);
                }
                row = row * dims[a] + position;
            }
            source[(int) row] = rows + u;
        }
        NDArray slices = NDArrays.concat(new NDList(data.reshape(rows, sliceSize),
                ctx.input(2).reshape(updateCount, sliceSize)), 0);
        return new NDList(AxisIndex.take(slices, 0, source).reshape(new Shape(dims)));
    }

    static NDList flatten(KernelContext ctx) {
        NDArray x = ctx.input(0);
        long[] dims = ShapeMath.dims(x);
        long axis = ctx.node().attrInt("axis", 1);
        int a = (int) (axis < 0 ? axis + dims.length : axis);
        if (a < 0 || a > dims.length) {
            throw ctx.failure("axis " + axis + " is out of range for rank " + dims.length);
        }
        return new NDList(x.reshape(Axes.product(dims, 0, a), Axes.product(dims, a, dims.length)));
    }

    /** 0 copies the input's dimension (unless allowzero), -1 takes what is left. */
    static NDList reshape(KernelContext ctx) {
        NDArray x = ctx.input(0);
        long[] dims = ShapeMath.dims(x);
        long[] target = ctx.longs(1);
        boolean allowZero = ctx.node().attrInt("allowzero", 0) != 0;
        long[] out = new long[target.length];
        for (int i = 0; i < target.length; i++) {
            out[i] = target[i] == 0 && !allowZero ? dims[i] : target[i];
        }
        return new NDList(x.reshape(new Shape(out)));
    }

    static NDList transpose(KernelContext ctx) {
        NDArray x = ctx.input(0);
        long[] perm = ctx.node().attrInts("perm");
        int rank = x.getShape().dimension();
        int[] axes = new int[rank];
        for (int i = 0; i < rank; i++) {
            axes[i] = perm == null ? rank - 1 - i : Axes.normalize(perm[i], rank);
        }
        return new NDList(x.transpose(axes));
    }

    /** Axes from the attribute before opset 13, from the optional second input since. */
    private static long[] axes(KernelContext ctx) {
        long[] axes = ctx.node().attrInts("axes");
        return axes != null ? axes : ctx.optionalLongs(1);
    }

    static NDList squeeze(KernelContext ctx) {
        NDArray x = ctx.input(0);
        long[] dims = ShapeMath.dims(x);
        long[] axes = axes(ctx);
        boolean[] drop = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            drop[i] = axes == null && dims[i] == 1;
        }
        if (axes != null) {
            for (long a : axes) {
                int i = Axes.normalize(a, dims.length);
                if (dims[i] != 1) {
                    throw ctx.failure("cannot squeeze axis " + a + " of size " + dims[i]);
                }
                drop[i] = true;
            }
        }
        long[] out = new long[dims.length];
        int rank = 0;
        for (int i = 0; i < dims.length; i++) {
            if (!drop[i]) {
                out[rank++] = dims[i];
            }
        }
        return new NDList(x.reshape(new Shape(Arrays.copyOf(out, rank))));
    }

    static NDList unsqueeze(KernelContext ctx) {
        NDArray x = ctx.input(0);
        long[] dims = ShapeMath.dims(x);
        long[] axes = axes(ctx);
        if (axes == null) {
            throw ctx.failure("Unsqueeze has no axes");
        }
        int rank = dims.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            inserted[Axes.normalize(a, rank)] = true;
        }
        long[] out = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            out[i] = inserted[i] ? 1 : dims[j++];
        }
        return new NDList(x.reshape(new Shape(out)));
    }

    static NDList concat(KernelContext ctx) {
        if (ctx.inputCount() == 1) {
            return new NDList(ctx.input(0));
        }
        NDList parts = new NDList(ctx.inputCount());
        for (int i = 0; i < ctx.inputCount(); i++) {
            parts.add(ctx.input(i));
        }
        int axis = Axes.normalize(ctx.node().attrInt("axis", 0), ctx.input(0).getShape().dimension());
        return new NDList(NDArrays.concat(parts, axis));
    }

    /** Part sizes from the attribute, the input or num_outputs; without them, equal parts (the last may be smaller). */
    static NDList split(KernelContext ctx) {
        Node node = ctx.node();
        NDArray x = ctx.input(0);
        long[] dims = ShapeMath.dims(x);
        int axis = Axes.normalize(node.attrInt("axis", 0), dims.length);
        long[] sizes = node.attrInts("split");
        if (sizes == null) {
            sizes = ctx.optionalLongs(1);
        }
        if (sizes == null) {
            int parts = (int) node.attrInt("num_outputs", node.outputs().size());
            long chunk = (dims[axis] + parts - 1) / parts;
            sizes = new long[parts];
            for (int i = 0; i < parts; i++) {
                sizes[i] = Math.max(0, Math.min(chunk, dims[axis] - chunk * i));
            }
        }
        if (Arrays.stream(sizes).sum() != dims[axis]) {
            throw ctx.failure("split sizes " + Arrays.toString(sizes) + " do not add up to " + dims[axis]);
        }
        NDList out = new NDList(sizes.length);
        long start = 0;
        for (long size : sizes) {
            out.add(x.get(new NDIndex().addAllDim(axis).addSliceDim(start, start + size)));
            start += size;
        }
        return out;
    }

    /**
     * ONNX clamps starts and ends into the axis (to [0, dim] stepping forward, [-1, dim - 1] stepping back); DJL
     * slices forward only, so axes with a negative step are flipped and sliced forward.
     */
    static NDList slice(KernelContext ctx) {
        Node node = ctx.node();
        NDArray x = ctx.input(0);
        long[] dims = ShapeMath.dims(x);
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (ctx.opset() < 10) {
            starts = node.attrInts("starts");
            ends = node.attrInts("ends");
            axes = node.attrInts("axes");
        } else {
            starts = ctx.longs(1);
            ends = ctx.longs(2);
            axes = ctx.optionalLongs(3);
            steps = ctx.optionalLongs(4);
        }
        SliceWindow window;
        try {
            window = SliceWindow.resolve(dims, starts, ends, axes, steps);
        } catch (IllegalArgumentException e) {
            throw ctx.failure(e.getMessage());
        }
        long[] first = window.starts();
        long[] step = window.steps();
        long[] count = window.counts();
        NDArray source = x;
        NDIndex index = new NDIndex();
        for (int axis = 0; axis < dims.length; axis++) {
            long b = first[axis];
            long s = step[axis];
            if (s < 0) {
                source = source.flip(axis);
                b = dims[axis] - 1 - b;
                s = -s;
            }
            long stop = count[axis] == 0 ? b : b + (count[axis] - 1) * s + 1;
            index.addSliceDim(b, stop, s);
        }
        return new NDList(source.get(index));
    }

    private static void checkPad(Node node, int opset) {
        String mode = node.attrString("mode", "constant");
        if (!mode.equals("constant") && !mode.equals("reflect") && !mode.equals("edge") && !mode.equals("wrap")) {
            throw Kernels.unsupported(node, "Pad mode '" + mode + "' is not defined");
        }
    }

    /** Pads from the attribute before opset 11, from inputs since (with optional axes from opset 18). */
    static NDList pad(KernelContext ctx) {
        Node node = ctx.node();
        NDArray x = ctx.input(0);
        int rank = x.getShape().dimension();
        long[] pads = ctx.opset() < 11 ? node.attrInts("pads") : ctx.longs(1);
        double value = ctx.opset() < 11 ? node.attrFloat("value", 0f) : constantValue(ctx);
        long[] axes = ctx.opset() >= 18 ? ctx.optionalLongs(3) : null;
        int n = axes == null ? rank : axes.length;
        if (pads == null || pads.length != 2 * n) {
            throw ctx.failure("pads " + Arrays.toString(pads) + " do not give a begin and an end for " + n + " axes");
        }
        long[] begin = new long[rank];
        long[] end = new long[rank];
        for (int i = 0; i < n; i++) {
            int axis = axes == null ? i : Axes.normalize(axes[i], rank);
            begin[axis] = pads[i];
            end[axis] = pads[i + n];
        }
        String mode = node.attrString("mode", "constant");
        if (mode.equals("constant")) {
            return new NDList(Padding.padOrCrop(x, begin, end, value));
        }
        NDArray out = Padding.padOrCrop(x, negativeOnly(begin), negativeOnly(end), 0);
        long[] dims = ShapeMath.dims(out);
        for (int axis = 0; axis < rank; axis++) {
            long b = Math.max(0, begin[axis]);
            long e = Math.max(0, end[axis]);
            if (b == 0 && e == 0) {
                continue;
            }
            long dim = dims[axis];
            long[] source = new long[Math.toIntExact(dim + b + e)];
            for (int o = 0; o < source.length; o++) {
                source[o] = sourceIndex(mode, o - b, dim);
            }
            out = AxisIndex.take(out, axis, source);
        }
        return new NDList(out);
    }

    private static double constantValue(KernelContext ctx) {
        if (!ctx.hasInput(2) || ctx.input(2).getShape().size() == 0) {
            return 0;
        }
        return ctx.input(2).getDataType().isInteger() ? ctx.longs(2)[0] : ctx.floats(2)[0];
    }

    private static long[] negativeOnly(long[] pads) {
        return Arrays.stream(pads).map(p -> Math.min(0, p)).toArray();
    }

    /** The input position an output position of reflect, edge or wrap padding copies. */
    private static long sourceIndex(String mode, long i, long dim) {
        return switch (mode) {
            case "edge" -> Math.max(0, Math.min(dim - 1, i));
            case "wrap" -> Math.floorMod(i, dim);
            default -> {
                if (dim == 1) {
                    yield 0;
                }
                long period = 2 * (dim - 1);
                long m = Math.floorMod(i, period);
                yield m < dim ? m : period - m;
            }
        };
    }
}
