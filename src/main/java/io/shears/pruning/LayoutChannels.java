package io.shears.pruning;

import io.shears.graph.Node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Operators that move, join, cut or resample data: channels are followed to their new axis, concatenated with
 * offsets, cut into ranges; shape constants that spell out a channel count are rewritten during surgery, or the
 * channels are frozen where they cannot be.
 */
final class LayoutChannels {
    private LayoutChannels() {
    }

    static void register(Map<String, ChannelRule> rules) {
        for (String op : new String[] {"MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool",
                "GlobalLpPool"}) {
            rules.put(op, ElementwiseChannels::passThrough);
        }
        ChannelRule readsShapeOnly = (node, ctx) -> { };
        rules.put("Shape", readsShapeOnly);
        rules.put("Size", readsShapeOnly);
        rules.put("ConstantOfShape", readsShapeOnly);
        rules.put("Range", readsShapeOnly);
        rules.put("Constant", readsShapeOnly);
        for (String op : new String[] {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd", "ReduceL1",
                "ReduceL2", "ReduceSumSquare", "ReduceLogSumExp"}) {
            rules.put(op, LayoutChannels::reduce);
        }
        rules.put("Flatten", LayoutChannels::flatten);
        rules.put("Reshape", new Reshape());
        rules.put("Transpose", LayoutChannels::transpose);
        rules.put("Squeeze", LayoutChannels::squeeze);
        rules.put("Unsqueeze", LayoutChannels::unsqueeze);
        rules.put("Concat", LayoutChannels::concat);
        rules.put("Split", new Split());
        rules.put("Slice", new Slice());
        rules.put("Pad", LayoutChannels::pad);
        rules.put("Resize", new Resize());
        rules.put("Upsample", new Resize());
        rules.put("Expand", LayoutChannels::expand);
        rules.put("Tile", LayoutChannels::tile);
        rules.put("Gather", LayoutChannels::gather);
        rules.put("ScatterND", (node, ctx) -> ctx.freezeInputs(node, "ScatterND writes at computed positions"));
    }

    private static long[] axesOf(Node node, ChannelContext ctx) {
        long[] axes = node.attrInts("axes");
        return axes != null ? axes : node.input(1).isEmpty() ? null : ctx.intValue(node.input(1));
    }

    private static int normalize(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }

    static void reduce(Node node, ChannelContext ctx) {
        Layout in = ctx.layout(node.input(0));
        if (in == null) {
            return;
        }
        long[] x = ctx.dims(node.input(0));
        long[] axes = axesOf(node, ctx);
        boolean keep = node.attrInt("keepdims", 1) != 0;
        if (axes == null || axes.length == 0) {
            if (node.attrInt("noop_with_empty_axes", 0) != 0) {
                ctx.setLayout(node.output(0), in.axis(), in.atoms());
            } else {
                ctx.freeze(in, "node " + node + ": " + node.op() + " reduces over the channel axis");
            }
            return;
        }
        int shift = 0;
        for (long a : axes) {
            int axis = normalize(a, x.length);
            if (axis == in.axis()) {
                ctx.freeze(in, "node " + node + ": " + node.op() + " reduces over the channel axis");
                return;
            }
            if (axis < in.axis() && !keep) {
                shift++;
            }
        }
        ctx.setLayout(node.output(0), in.axis() - shift, in.atoms());
    }

    /** Channel of each position of an axis that merges [from, to) of the input, channel axis among them. */
    private static int[] merged(Layout in, long[] x, int from, int to) {
        long inner = 1;
        for (int i = in.axis() + 1; i < to; i++) {
            inner *= x[i];
        }
        long extent = 1;
        for (int i = from; i < to; i++) {
            extent *= x[i];
        }
        int[] atoms = new int[Math.toIntExact(extent)];
        for (int p = 0; p < atoms.length; p++) {
            atoms[p] = in.atoms()[(int) ((p / inner) % in.size())];
        }
        return atoms;
    }

    static void flatten(Node node, ChannelContext ctx) {
        Layout in = ctx.layout(node.input(0));
        if (in == null) {
            return;
        }
        long[] x = ctx.dims(node.input(0));
        int axis = normalize(node.attrInt("axis", 1), x.length);
        if (in.axis() >= axis) {
            ctx.setLayout(node.output(0), 1, merged(in, x, axis, x.length));
        } else {
            ctx.setLayout(node.output(0), 0, merged(in, x, 0, axis));
        }
    }

    /**
     * Reshape keeps channels when it leaves the channel axis alone ([N,C,H,W] to [N,C,HW]) or folds it with every axis
     * after it ([N,C,H,W] to [N,CHW]); a literal channel count in the shape is rewritten, a computed one freezes.
     */
    static final class Reshape implements ChannelRule {
        @Override
        public void propagate(Node node, ChannelContext ctx) {
            Layout in = ctx.layout(node.input(0));
            if (in == null) {
                return;
            }
            long[] x = ctx.dims(node.input(0));
            long[] y = ctx.dims(node.output(0));
            long[] target = ctx.intValue(node.input(1));
            long before = 1;
            for (int i = 0; i < in.axis(); i++) {
                before *= x[i];
            }
            long after = 1;
            for (int i = in.axis() + 1; i < x.length; i++) {
                after *= x[i];
            }
            int axis = -1;
            long prefix = 1;
            for (int i = 0; i < y.length && prefix <= before; i++) {
                if (prefix == before && (y[i] == in.size() || y[i] == in.size() * after && i == y.length - 1)) {
                    axis = i;
                    break;
                }
                prefix *= y[i];
            }
            if (axis < 0 || target == null) {
                ctx.freeze(in, "node " + node + ": Reshape " + Arrays.toString(x) + " to " + Arrays.toString(y)
                        + " splits or mixes the channel axis");
                return;
            }
            long literal = target[axis];
            boolean free = literal == -1 || literal == 0 && axis == in.axis() && y[axis] == in.size()
                    || y[axis] == in.size() && readsOwnWidth(node, axis, in, ctx.entries());
            if (!free && !ctx.ownsConstant(node, node.input(1))
                    && ctx.entries().rewritablePart(node.input(1), axis, node) == null) {
                ctx.freeze(in, "node " + node + ": the channel count in the Reshape target is computed or shared");
                return;
            }
            int[] atoms = y[axis] == in.size() ? in.atoms() : merged(in, x, in.axis(), x.length);
            ctx.setLayout(node.output(0), axis, atoms);
        }

        /** True when the target's channel entry is the input's own channel count, read at run time. */
        private static boolean readsOwnWidth(Node node, int axis, Layout in, ShapeEntries entries) {
            ShapeEntries.DimensionRead read = entries.dimensionRead(node.input(1), axis);
            return read != null && read.tensor().equals(node.input(0)) && read.axis() == in.axis();
        }

        @Override
        public void rewrite(Node node, SurgeryContext surgery) {
            Layout out = surgery.layout(node.output(0));
            if (out == null) {
                return;
            }
            long[] target = surgery.storedInts(node.input(1));
            int kept = surgery.keptCount(node.output(0));
            if (target != null) {
                if (target[out.axis()] > 0) {
                    surgery.replaceStoredEntry(node.input(1), out.axis(), kept);
                }
                return;
            }
            ShapeEntries entries = surgery.entries();
            Layout in = surgery.layout(node.input(0));
            long[] value = surgery.shapes().intValue(node.input(1));
            ShapeEntries.ConcatPart part = entries.rewritablePart(node.input(1), out.axis(), node);
            boolean dynamic = value[out.axis()] == -1 || in != null && readsOwnWidth(node, out.axis(), in, entries);
            if (part != null && !dynamic) {
                surgery.replaceInput(part.concat(), part.input(), new long[] {kept});
            }
        }
    }

    static void transpose(Node node, ChannelContext ctx) {
        Layout in = ctx.layout(node.input(0));
        if (in == null) {
            return;
        }
        int rank = ctx.dims(node.input(0)).length;
        long[] perm = node.attrInts("perm");
        for (int i = 0; i < rank; i++) {
            if ((perm == null ? rank - 1 - i : perm[i]) == in.axis()) {
                ctx.setLayout(node.output(0), i, in.atoms());
                return;
            }
        }
    }

    static void squeeze(Node node, ChannelContext ctx) {
        Layout in = ctx.layout(node.input(0));
        if (in == null) {
            return;
        }
        long[] x = ctx.dims(node.input(0));
        long[] axes = axesOf(node, ctx);
        int shift = 0;
        for (int i = 0; i < x.length; i++) {
            final int position = i;
            boolean dropped = axes == null ? x[i] == 1
                    : Arrays.stream(axes).anyMatch(a -> normalize(a, x.length) == position);
            if (dropped && i == in.axis()) {
                return;
            }
            if (dropped && i < in.axis()) {
                shift++;
            }
        }
        ctx.setLayout(node.output(0), in.axis() - shift, in.atoms());
    }

    static void unsqueeze(Node node, ChannelContext ctx) {
        Layout in = ctx.layout(node.input(0));
        if (in == null) {
            return;
        }
        int rank = ctx.dims(node.output(0)).length;
        long[] axes = axesOf(node, ctx);
        int seen = 0;
        for (int i = 0; i < rank; i++) {
            final int position = i;
            boolean inserted = Arrays.stream(axes).anyMatch(a -> normalize(a, rank) == position);
            if (!inserted) {
                if (seen == in.axis()) {
                    ctx.setLayout(node.output(0), i, in.atoms());
                    return;
                }
                seen++;
            }
        }
    }

    static void concat(Node node, ChannelContext ctx) {
        long[] y = ctx.dims(node.output(0));
        int axis = normalize(node.attrInt("axis", 0), y.length);
        boolean anyTracked = node.inputs().stream().anyMatch(in -> ctx.layout(in) != null);
        if (!anyTracked) {
            return;
        }
        boolean onChannelAxis = node.inputs().stream().map(ctx::layout)
                .anyMatch(l -> l != null && l.axis() == axis);
        if (!onChannelAxis) {
            ElementwiseChannels.join(node, ctx);
            return;
        }
        List<Integer> atoms = new ArrayList<>();
        for (String in : node.inputs()) {
            Layout l = ctx.layout(in);
            int[] part;
            if (l != null && l.axis() == axis) {
                part = l.atoms();
            } else {
                ctx.freeze(l, "node " + node + ": concatenated with channels on another axis");
                part = ctx.fixedAtoms((int) ctx.dims(in)[axis], node.name(), "node " + node + ": input '" + in
                        + "' of the Concat has channels Shears does not track");
            }
            for (int a : part) {
                atoms.add(a);
            }
        }
        ctx.setLayout(node.output(0), axis, atoms.stream().mapToInt(Integer::intValue).toArray());
    }

    /** A Split on the channel axis hands each output its range; the sizes are rewritten during surgery. */
    static final class Split implements ChannelRule {
        @Override
        public void propagate(Node node, ChannelContext ctx) {
            Layout in = ctx.layout(node.input(0));
            if (in == null) {
                return;
            }
            int rank = ctx.dims(node.input(0)).length;
            int axis = normalize(node.attrInt("axis", 0), rank);
            if (axis != in.axis()) {
                for (String out : node.outputs()) {
                    ctx.setLayout(out, in.axis(), in.atoms());
                }
                return;
            }
            boolean sizesEditable = node.has("split")
                    || !node.input(1).isEmpty() && ctx.ownsConstant(node, node.input(1));
            if (!sizesEditable) {
                ctx.freeze(in, "node " + node + ": Split sizes are implicit, computed or shared");
            }
            int offset = 0;
            for (String out : node.outputs()) {
                int size = (int) ctx.dims(out)[axis];
                int[] part = Arrays.copyOfRange(in.atoms(), offset, offset + size);
                ctx.setLayout(out, axis, part);
                ctx.requireNonEmpty(part);
                offset += size;
            }
        }

        @Override
        public void rewrite(Node node, SurgeryContext surgery) {
            Layout in = surgery.layout(node.input(0));
            Layout first = surgery.layout(node.output(0));
            if (in == null || first == null || first.atoms() == in.atoms() || first.axis() != in.axis()) {
                return;
            }
            long[] sizes = new long[node.outputs().size()];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = surgery.keptCount(node.output(i));
            }
            if (node.has("split")) {
                surgery.setIntsAttribute(node, "split", sizes);
            } else {
                surgery.replaceStoredInts(node.input(1), sizes);
            }
        }
    }

    /** A Slice of the channel axis keeps a range; its bounds are rewritten during surgery. */
    static final class Slice implements ChannelRule {
        @Override
        public void propagate(Node node, ChannelContext ctx) {
            Layout in = ctx.layout(node.input(0));
            if (in == null) {
                return;
            }
            long[] x = ctx.dims(node.input(0));
            Bounds b = Bounds.of(node, ctx::intValue, x.length);
            if (b == null) {
                ctx.freeze(in, "node " + node + ": Slice bounds are computed at run time");
                return;
            }
            int k = b.indexOf(in.axis());
            if (k < 0) {
                ctx.setLayout(node.output(0), in.axis(), in.atoms());
                return;
            }
            boolean editable = node.has("starts") || ctx.ownsConstant(node, node.input(1))
                    && ctx.ownsConstant(node, node.input(2));
            if (b.steps[k] != 1 || !editable) {
                ctx.freeze(in, "node " + node + ": Slice of the channel axis with a step or with computed or shared bounds");
                ctx.setLayout(node.output(0), in.axis(), Arrays.copyOfRange(in.atoms(), 0, (int) ctx.dims(node.output(0))[in.axis()]));
                return;
            }
            int start = (int) b.start(k, x[in.axis()]);
            int count = (int) ctx.dims(node.output(0))[in.axis()];
            int[] part = Arrays.copyOfRange(in.atoms(), start, start + count);
            ctx.setLayout(node.output(0), in.axis(), part);
            ctx.requireNonEmpty(part);
        }

        @Override
        public void rewrite(Node node, SurgeryContext surgery) {
            Layout in = surgery.layout(node.input(0));
            if (in == null) {
                return;
            }
            long[] x = surgery.originalDims(node.input(0));
            Bounds b = Bounds.of(node, surgery::storedInts, x.length);
            int k = b == null ? -1 : b.indexOf(in.axis());
            if (k < 0) {
                return;
            }
            boolean[] kept = surgery.kept(node.input(0));
            long dim = x[in.axis()];
            int start = (int) b.start(k, dim);
            long end = b.ends[k] < 0 ? b.ends[k] + dim : b.ends[k];
            int newStart = 0;
            for (int i = 0; i < start; i++) {
                newStart += kept[i] ? 1 : 0;
            }
            long[] starts = b.starts.clone();
            long[] ends = b.ends.clone();
            starts[k] = newStart;
            if (end < dim) {
                ends[k] = newStart + surgery.keptCount(node.output(0));
            }
            if (node.has("starts")) {
                surgery.setIntsAttribute(node, "starts", starts);
                surgery.setIntsAttribute(node, "ends", ends);
            } else {
                surgery.replaceStoredInts(node.input(1), starts);
                surgery.replaceStoredInts(node.input(2), ends);
            }
        }
    }

    /** Slice bounds from attributes (opset < 10) or inputs. */
    record Bounds(long[] starts, long[] ends, long[] axes, long[] steps, int rank) {
        static Bounds of(Node node, java.util.function.Function<String, long[]> values, int rank) {
            long[] starts;
            long[] ends;
            long[] axes;
            long[] steps;
            if (node.has("starts")) {
                starts = node.attrInts("starts");
                ends = node.attrInts("ends");
                axes = node.attrInts("axes");
                steps = null;
            } else {
                starts = values.apply(node.input(1));
                ends = values.apply(node.input(2));
                axes = node.input(3).isEmpty() ? null : values.apply(node.input(3));
                steps = node.input(4).isEmpty() ? null : values.apply(node.input(4));
                if (starts == null || ends == null || !node.input(3).isEmpty() && axes == null
                        || !node.input(4).isEmpty() && steps == null) {
                    return null;
                }
            }
            if (axes == null) {
                axes = new long[starts.length];
                for (int i = 0; i < axes.length; i++) {
                    axes[i] = i;
                }
            }
            if (steps == null) {
                steps = new long[starts.length];
                Arrays.fill(steps, 1);
            }
            return new Bounds(starts, ends, axes, steps, rank);
        }

        int indexOf(int axis) {
            for (int i = 0; i < axes.length; i++) {
                if (normalize(axes[i], rank) == axis) {
                    return i;
                }
            }
            return -1;
        }

        long start(int k, long dim) {
            long s = starts[k] < 0 ? starts[k] + dim : starts[k];
            return Math.max(0, Math.min(s, dim));
        }
    }

    static void pad(Node node, ChannelContext ctx) {
        Layout in = ctx.layout(node.input(0));
        if (in == null) {
            return;
        }
        long[] pads = node.attrInts("pads");
        if (pads == null) {
            pads = ctx.intValue(node.input(1));
        }
        int rank = ctx.dims(node.input(0)).length;
        boolean hasAxes = node.inputCount() > 3 && !node.input(3).isEmpty();
        if (pads == null || hasAxes || pads[in.axis()] != 0 || pads[in.axis() + rank] != 0) {
            ctx.freeze(in, "node " + node + ": Pad on the channel axis, or with computed pads");
        }
        ctx.setLayout(node.output(0), in.axis(), in.atoms());
    }

    /** Resize keeps channels when it does not scale them; a literal channel count in {@code sizes} is rewritten. */
    static final class Resize implements ChannelRule {
        private static int sizesInput(Node node, ChannelContext ctx) {
            return node.op().equals("Resize") && ctx.graph().opset() >= 11 && node.inputCount() > 3
                    && !node.input(3).isEmpty() ? 3 : -1;
        }

        @Override
        public void propagate(Node node, ChannelContext ctx) {
            Layout in = ctx.layout(node.input(0));
            if (in == null) {
                return;
            }
            int sizes = sizesInput(node, ctx);
            if (sizes >= 0 && !ctx.ownsConstant(node, node.input(sizes))) {
                ctx.freeze(in, "node " + node + ": Resize sizes are computed or shared");
            }
            ctx.setLayout(node.output(0), in.axis(), in.atoms());
        }

        @Override
        public void rewrite(Node node, SurgeryContext surgery) {
            Layout in = surgery.layout(node.input(0));
            long[] sizes = node.op().equals("Resize") && node.inputCount() > 3 && !node.input(3).isEmpty()
                    ? surgery.storedInts(node.input(3)) : null;
            if (in == null || sizes == null) {
                return;
            }
            surgery.replaceStoredEntry(node.input(3), in.axis(), surgery.keptCount(node.input(0)));
        }
    }

    static void expand(Node node, ChannelContext ctx) {
        Layout in = ctx.layout(node.input(0));
        if (in == null) {
            return;
        }
        long[] x = ctx.dims(node.input(0));
        long[] y = ctx.dims(node.output(0));
        long[] shape = ctx.intValue(node.input(1));
        int axis = in.axis() + y.length - x.length;
        int shapeAxis = shape == null ? -1 : axis - (y.length - shape.length);
        if (shape == null || shapeAxis >= 0 && shape[shapeAxis] != 1) {
            ctx.freeze(in, "node " + node + ": Expand spells out the channel count");
        }
        ctx.setLayout(node.output(0), axis, in.atoms());
    }

    /** Repeating other axes keeps the channels where they are; repeating the channel axis copies them. */
    static void tile(Node node, ChannelContext ctx) {
        Layout in = ctx.layout(node.input(0));
        if (in == null) {
            return;
        }
        long[] repeats = ctx.intValue(node.input(1));
        if (repeats == null || repeats[in.axis()] != 1) {
            ctx.freeze(in, "node " + node + ": Tile repeats the channel axis");
            return;
        }
        ctx.setLayout(node.output(0), in.axis(), in.atoms());
    }

    static void gather(Node node, ChannelContext ctx) {
        Layout in = ctx.layout(node.input(0));
        if (in == null) {
            return;
        }
        int rank = ctx.dims(node.input(0)).length;
        int axis = normalize(node.attrInt("axis", 0), rank);
        if (axis == in.axis()) {
            ctx.freeze(in, "node " + node + ": Gather picks channels by index");
            return;
        }
        int indicesRank = ctx.dims(node.input(1)).length;
        ctx.setLayout(node.output(0), in.axis() < axis ? in.axis() : in.axis() - 1 + indicesRank, in.atoms());
    }
}
