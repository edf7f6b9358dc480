package io.shears.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Operators that move, join, cut or resample data without arithmetic on it. */
final class LayoutRules {
    private LayoutRules() {
    }

    static void register(OperatorRules.Registrar r) {
        r.shape(LayoutRules::flatten, "Flatten");
        r.shape(LayoutRules::reshape, "Reshape");
        r.shape(LayoutRules::transpose, "Transpose");
        r.shape(LayoutRules::squeeze, "Squeeze");
        r.shape(LayoutRules::unsqueeze, "Unsqueeze");
        r.shape(LayoutRules::concat, "Concat");
        r.shape(LayoutRules::split, "Split");
        r.shape(LayoutRules::slice, "Slice");
        r.shape(LayoutRules::pad, "Pad");
        r.shape(LayoutRules::resize, "Resize", "Upsample");
        r.shape(LayoutRules::expand, "Expand");
        r.shape(LayoutRules::tile, "Tile");
        r.shape(ctx -> ctx.output(0, ctx.input(0)), "ScatterND");
    }

    static void flatten(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        long axis = ctx.node().attrInt("axis", 1);
        int a = axis < 0 ? (int) axis + x.length : (int) axis;
        if (a < 0 || a > x.length) {
            throw ctx.fail("axis " + axis + " is out of range for rank " + x.length);
        }
        ctx.output(0, ctx.elemType(0), Axes.product(x, 0, a), Axes.product(x, a, x.length));
    }

    static void reshape(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        long[] target = ctx.requireIntValue(1, "the target shape");
        boolean allowZero = ctx.node().attrInt("allowzero", 0) != 0;
        long[] out = new long[target.length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (inferred >= 0) {
                    throw ctx.fail("shape has more than one -1");
                }
                inferred = i;
                continue;
            }
            out[i] = target[i] == 0 && !allowZero ? x[i] : target[i];
            known *= out[i];
        }
        long total = Axes.product(x, 0, x.length);
        if (inferred >= 0) {
            if (known == 0 || total % known != 0) {
                throw ctx.fail("cannot reshape " + TensorType.format(x) + " to " + Arrays.toString(target));
            }
            out[inferred] = total / known;
        } else if (known != total) {
            throw ctx.fail("cannot reshape " + TensorType.format(x) + " to " + Arrays.toString(target));
        }
        long[] v = ctx.intValue(0);
        if (v != null) {
            ctx.outputValue(0, ctx.elemType(0), out, v);
        } else {
            ctx.output(0, ctx.elemType(0), out);
        }
    }

    static void transpose(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        long[] perm = ctx.node().attrInts("perm");
        long[] out = new long[x.length];
        int[] source = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            source[i] = perm == null ? x.length - 1 - i : (int) perm[i];
            out[i] = x[source[i]];
        }
        long[] v = ctx.intValue(0);
        if (v != null) {
            ctx.outputValue(0, ctx.elemType(0), out, reindex(v, x, out, (o, in) -> {
                for (int i = 0; i < o.length; i++) {
                    in[source[i]] = o[i];
                }
            }));
        } else {
            ctx.output(0, ctx.elemType(0), out);
        }
    }

    /** Where an output element's index comes from in the input: fills {@code in} from {@code out}. */
    @FunctionalInterface
    private interface IndexMap {
        void source(long[] out, long[] in);
    }

    /** A folded value moved into another layout, element by element (shape values are small). */
    private static long[] reindex(long[] values, long[] inDims, long[] outDims, IndexMap map) {
        long[] result = new long[(int) Axes.product(outDims, 0, outDims.length)];
        long[] o = new long[outDims.length];
        long[] in = new long[inDims.length];
        for (int flat = 0; flat < result.length; flat++) {
            long rest = flat;
            for (int a = outDims.length - 1; a >= 0; a--) {
                o[a] = rest % outDims[a];
                rest /= outDims[a];
            }
            map.source(o, in);
            long index = 0;
            for (int a = 0; a < inDims.length; a++) {
                index = index * inDims[a] + in[a];
            }
            result[flat] = values[(int) index];
        }
        return result;
    }

    private static long[] axesOf(ShapeContext ctx) {
        long[] axes = ctx.node().attrInts("axes");
        if (axes == null && ctx.hasInput(1)) {
            axes = ctx.requireIntValue(1, "axes");
        }
        return axes;
    }

    static void squeeze(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        long[] axes = axesOf(ctx);
        boolean[] drop = new boolean[x.length];
        if (axes == null) {
            for (int i = 0; i < x.length; i++) {
                drop[i] = x[i] == 1;
            }
        } else {
            for (long a : axes) {
                int i = Axes.normalize(ctx, a, x.length);
                if (x[i] != 1) {
                    throw ctx.fail("cannot squeeze axis " + a + " of size " + x[i]);
                }
                drop[i] = true;
            }
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (!drop[i]) {
                out.add(x[i]);
            }
        }
        emitWithValue(ctx, out.stream().mapToLong(Long::longValue).toArray());
    }

    static void unsqueeze(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        long[] axes = axesOf(ctx);
        if (axes == null) {
            throw ctx.fail("Unsqueeze has no axes");
        }
        int rank = x.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            inserted[Axes.normalize(ctx, a, rank)] = true;
        }
        long[] out = new long[rank];
        int j = 0;
        for (int i = 0; i < rank; i++) {
            out[i] = inserted[i] ? 1 : x[j++];
        }
        emitWithValue(ctx, out);
    }

    private static void emitWithValue(ShapeContext ctx, long[] dims) {
        long[] v = ctx.intValue(0);
        if (v != null) {
            ctx.outputValue(0, ctx.elemType(0), dims, v);
        } else {
            ctx.output(0, ctx.elemType(0), dims);
        }
    }

    static void concat(ShapeContext ctx) {
        long[] first = ctx.dims(0);
        int axis = Axes.normalize(ctx, ctx.node().attrInt("axis", 0), first.length);
        long[] out = first.clone();
        boolean foldable = first.length == 1;
        List<Long> values = new ArrayList<>();
        for (int i = 0; i < ctx.inputCount(); i++) {
            long[] d = ctx.dims(i);
            if (i > 0) {
                if (d.length != first.length) {
                    throw ctx.fail("inputs have ranks " + first.length + " and " + d.length);
                }
                for (int k = 0; k < d.length; k++) {
                    if (k != axis && d[k] != first[k]) {
                        throw ctx.fail("input " + i + " has shape " + TensorType.format(d) + ", which does not "
                                + "concatenate with " + TensorType.format(first) + " on axis " + axis);
                    }
                }
                out[axis] += d[axis];
            }
            long[] v = ctx.intValue(i);
            if (v == null) {
                foldable = false;
            } else {
                for (long x : v) {
                    values.add(x);
                }
            }
        }
        if (foldable) {
            ctx.outputValue(0, ctx.elemType(0), out, values.stream().mapToLong(Long::longValue).toArray());
        } else {
            ctx.output(0, ctx.elemType(0), out);
        }
    }

    /** The sizes a Split cuts its axis into, from the attribute, the input, num_outputs or an even split. */
    static long[] splitSizes(ShapeContext ctx, long extent) {
        Node n = ctx.node();
        long[] sizes = n.attrInts("split");
        if (sizes == null && ctx.hasInput(1)) {
            sizes = ctx.requireIntValue(1, "split sizes");
        }
        if (sizes == null) {
            int parts = (int) n.attrInt("num_outputs", n.outputs().size());
            long chunk = (extent + parts - 1) / parts;
            sizes = new long[parts];
            for (int i = 0; i < parts; i++) {
                sizes[i] = Math.min(chunk, extent - chunk * i);
            }
        }
        if (Arrays.stream(sizes).sum() != extent) {
            throw ctx.fail("split sizes " + Arrays.toString(sizes) + " do not add up to " + extent);
        }
        return sizes;
    }

    static void split(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        int axis = Axes.normalize(ctx, ctx.node().attrInt("axis", 0), x.length);
        long[] sizes = splitSizes(ctx, x[axis]);
        for (int i = 0; i < sizes.length; i++) {
            long[] out = x.clone();
            out[axis] = sizes[i];
            ctx.output(i, ctx.elemType(0), out);
        }
    }

    static SliceWindow sliceWindow(ShapeContext ctx, long[] x) {
        Node n = ctx.node();
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (ctx.opset() < 10 || n.has("starts")) {
            starts = n.attrInts("starts");
            ends = n.attrInts("ends");
            axes = n.attrInts("axes");
            if (starts == null || ends == null) {
                throw ctx.fail("a Slice that takes its window from attributes needs both 'starts' and 'ends'");
            }
        } else {
            starts = ctx.requireIntValue(1, "starts");
            ends = ctx.requireIntValue(2, "ends");
            axes = ctx.intValue(3);
            if (ctx.hasInput(3) && axes == null) {
                axes = ctx.requireIntValue(3, "axes");
            }
            steps = ctx.hasInput(4) ? ctx.requireIntValue(4, "steps") : null;
        }
        return SliceWindow.resolve(x, starts, ends, axes, steps);
    }

    static void slice(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        SliceWindow w = sliceWindow(ctx, x);
        long[] v = ctx.intValue(0);
        if (v != null) {
            ctx.outputValue(0, ctx.elemType(0), w.counts(), reindex(v, x, w.counts(), (o, in) -> {
                for (int a = 0; a < o.length; a++) {
                    in[a] = w.starts()[a] + o[a] * w.steps()[a];
                }
            }));
        } else {
            ctx.output(0, ctx.elemType(0), w.counts());
        }
    }

    static void pad(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        long[] pads = ctx.node().attrInts("pads");
        if (pads == null) {
            pads = ctx.requireIntValue(1, "pads");
        }
        long[] axes = ctx.inputCount() > 3 && ctx.hasInput(3) ? ctx.requireIntValue(3, "axes") : null;
        long[] out = x.clone();
        int n = axes == null ? x.length : axes.length;
        for (int i = 0; i < n; i++) {
            int axis = axes == null ? i : Axes.normalize(ctx, axes[i], x.length);
            out[axis] = x[axis] + pads[i] + pads[i + n];
        }
        ctx.output(0, ctx.elemType(0), out);
    }

    static void resize(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        boolean upsample = ctx.node().op().equals("Upsample");
        int scalesInput = upsample || ctx.opset() < 11 ? 1 : 2;
        long[] sizes = !upsample && ctx.opset() >= 11 && ctx.inputCount() > 3 && ctx.hasInput(3)
                ? ctx.requireIntValue(3, "sizes") : null;
        long[] out = x.clone();
        if (sizes != null && sizes.length > 0) {
            out = sizes.clone();
        } else {
            float[] scales = ctx.node().attrFloats("scales");
            if (scales == null) {
                scales = ctx.floatValue(scalesInput);
            }
            if (scales == null || scales.length != x.length) {
                throw ctx.fail("scales are computed at run time or do not match rank " + x.length);
            }
            for (int i = 0; i < x.length; i++) {
                out[i] = (long) Math.floor(x[i] * (double) scales[i]);
            }
        }
        ctx.output(0, ctx.elemType(0), out);
    }

    static void tile(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        long[] repeats = ctx.requireIntValue(1, "repeats");
        if (repeats.length != x.length) {
            throw ctx.fail(repeats.length + " repeats for rank " + x.length);
        }
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            if (repeats[i] < 0) {
                throw ctx.fail("repeat " + repeats[i] + " is negative");
            }
            out[i] = Math.multiplyExact(x[i], repeats[i]);
        }
        long[] v = ctx.intValue(0);
        if (v != null && Axes.product(out, 0, out.length) <= 1024) {
            ctx.outputValue(0, ctx.elemType(0), out, reindex(v, x, out, (o, in) -> {
                for (int a = 0; a < o.length; a++) {
                    in[a] = o[a] % x[a];
                }
            }));
        } else {
            ctx.output(0, ctx.elemType(0), out);
        }
    }

    static void expand(ShapeContext ctx) {
        long[] shape = ctx.requireIntValue(1, "the target shape");
        ctx.output(0, ctx.elemType(0), Axes.broadcast(ctx, ctx.dims(0), shape));
    }
}
