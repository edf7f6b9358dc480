package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.shears.graph.Axes;
import io.shears.graph.Node;

import java.util.Arrays;
import java.util.Set;

/**
 * Resize (and the older Upsample). Each resized axis is resampled on its own, which is what ONNX's nearest, linear
 * and cubic modes are: nearest by picking source positions, linear and cubic by an interpolation matrix
 * ({@link AxisMatrix}). The source coordinate of each output position follows the node's coordinate transformation
 * mode exactly as ONNX Runtime computes it, in float.
 */
final class ResizeKernels {
    private static final Set<String> MODES = Set.of("nearest", "linear", "cubic");
    private static final Set<String> COORDINATE_MODES = Set.of("half_pixel", "half_pixel_symmetric",
            "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize");
    private static final Set<String> NEAREST_MODES = Set.of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil");
    private static final Set<String> ASPECT_POLICIES = Set.of("stretch", "not_larger", "not_smaller");

    private ResizeKernels() {
    }

    static void register(Kernels.Registrar r) {
        r.add(OpKernel.checked(ResizeKernels::check, ResizeKernels::resize), "Resize");
        r.add(OpKernel.checked(ResizeKernels::check, ResizeKernels::resize), "Upsample");
    }

    /** How one node resamples: its modes, as attributes give them or as the opset implies. */
    private record Settings(String mode, String coordinates, String nearest, float cubicA, boolean excludeOutside,
                            float extrapolation) {
    }

    private static boolean legacy(Node node, int opset) {
        return node.op().equals("Upsample") || opset < 11;
    }

    private static void check(Node node, int opset) {
        String mode = mode(node);
        if (!MODES.contains(mode)) {
            throw Kernels.unsupported(node, node.op() + " mode '" + mode + "' is not supported");
        }
        if (legacy(node, opset)) {
            return;
        }
        String coordinates = node.attrString("coordinate_transformation_mode", "half_pixel");
        if (!COORDINATE_MODES.contains(coordinates)) {
            throw Kernels.unsupported(node, "Resize coordinate_transformation_mode '" + coordinates
                    + "' is not defined");
        }
        String nearest = node.attrString("nearest_mode", "round_prefer_floor");
        if (!NEAREST_MODES.contains(nearest)) {
            throw Kernels.unsupported(node, "Resize nearest_mode '" + nearest + "' is not defined");
        }
        String policy = node.attrString("keep_aspect_ratio_policy", "stretch");
        if (!ASPECT_POLICIES.contains(policy)) {
            throw Kernels.unsupported(node, "Resize keep_aspect_ratio_policy '" + policy + "' is not defined");
        }
    }

    /** Upsample of opset 7 called linear interpolation "bilinear" in some exporters; it is the same thing. */
    private static String mode(Node node) {
        String mode = node.attrString("mode", "nearest");
        return mode.equals("bilinear") ? "linear" : mode;
    }

    static NDList resize(KernelContext ctx) {
        Node node = ctx.node();
        NDArray x = ctx.input(0);
        long[] in = ShapeMath.dims(x);
        int rank = in.length;
        boolean legacy = legacy(node, ctx.opset());
        // before opset 11 (and in Upsample) the source coordinate is out / scale, nearest truncating it
        Settings settings = legacy
                ? new Settings(mode(node), "asymmetric", "simple", -0.75f, false, 0f)
                : new Settings(mode(node), node.attrString("coordinate_transformation_mode", "half_pixel"),
                        node.attrString("nearest_mode", "round_prefer_floor"),
                        node.attrFloat("cubic_coeff_a", -0.75f), node.attrInt("exclude_outside", 0) != 0,
                        node.attrFloat("extrapolation_value", 0f));
        int[] axes = axes(ctx, rank, legacy);
        float[] roi = legacy ? null : ctx.optionalFloats(1);
        long[] out = in.clone();
        float[] scales = new float[rank];
        Arrays.fill(scales, 1f);
        targetSize(ctx, legacy, axes, in, out, scales);

        if (!legacy && node.attrInt("antialias", 0) != 0 && !settings.mode().equals("nearest")) {
            for (int axis : axes) {
                if (scales[axis] < 1f) {
                    throw ctx.unsupported("Resize with antialias = 1 when downscaling is not supported");
                }
            }
        }

        boolean cropAndResize = settings.coordinates().equals("tf_crop_and_resize");
        NDArray y = x;
        NDArray outside = null;
        for (int i = 0; i < axes.length; i++) {
            int axis = axes[i];
            if (out[axis] == in[axis] && scales[axis] == 1f && !cropAndResize) {
                continue;
            }
            float roiStart = roi == null ? 0f : roi[i];
            float roiEnd = roi == null ? 1f : roi[i + axes.length];
            AxisSampling sampling = AxisSampling.of(settings, in[axis], out[axis], scales[axis], roiStart, roiEnd);
            y = sampling.apply(y, axis);
            if (cropAndResize && sampling.hasOutside()) {
                NDArray mask = sampling.outsideMask(y.getManager(), rank, axis);
                outside = outside == null ? mask : outside.maximum(mask);
            }
        }
        if (outside != null) {
            y = y.mul(outside.neg().add(1f)).add(outside.mul(settings.extrapolation()));
        }
        return new NDList(y);
    }

    /** The resized axes: the opset-18 axes attribute, or all of them. */
    private static int[] axes(KernelContext ctx, int rank, boolean legacy) {
        long[] given = legacy ? null : ctx.node().attrInts("axes");
        if (given == null) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] axes = new int[given.length];
        for (int i = 0; i < given.length; i++) {
            axes[i] = Axes.normalize(given[i], rank);
        }
        return axes;
    }

    /**
     * Fills the output size and the scale per axis. From sizes, the scale is out / in (float, as ONNX Runtime
     * divides), adjusted by keep_aspect_ratio_policy; from scales, the size is in * scale truncated.
     */
    private static void targetSize(KernelContext ctx, boolean legacy, int[] axes, long[] in, long[] out,
                                   float[] scales) {
        Node node = ctx.node();
        long[] sizes = legacy ? null : ctx.optionalLongs(3);
        if (sizes != null) {
            if (sizes.length != axes.length) {
                throw ctx.failure("sizes " + Arrays.toString(sizes) + " do not match " + axes.length + " axes");
            }
            String policy = node.attrString("keep_aspect_ratio_policy", "stretch");
            if (policy.equals("stretch")) {
                for (int i = 0; i < axes.length; i++) {
                    out[axes[i]] = sizes[i];
                    scales[axes[i]] = (float) sizes[i] / (float) in[axes[i]];
                }
                return;
            }
            boolean notLarger = policy.equals("not_larger");
            float scale = notLarger ? Float.MAX_VALUE : -Float.MAX_VALUE;
            for (int i = 0; i < axes.length; i++) {
                float s = (float) sizes[i] / (float) in[axes[i]];
                scale = notLarger ? Math.min(scale, s) : Math.max(scale, s);
            }
            for (int axis : axes) {
                scales[axis] = scale;
                out[axis] = (long) roundHalfAway(scale * in[axis]);
            }
            return;
        }
        float[] given = node.op().equals("Upsample") && ctx.opset() < 9 ? node.attrFloats("scales")
                : ctx.optionalFloats(legacy ? 1 : 2);
        if (given == null || given.length != axes.length) {
            throw ctx.failure("Resize needs scales for " + axes.length + " axes or sizes, got "
                    + Arrays.toString(given));
        }
        for (int i = 0; i < axes.length; i++) {
            scales[axes[i]] = given[i];
            out[axes[i]] = (long) (in[axes[i]] * given[i]);
        }
    }

    /** C's round: halves away from zero (Java's Math.round rounds them up). */
    static double roundHalfAway(double v) {
        return Math.signum(v) * Math.floor(Math.abs(v) + 0.5);
    }

    /** The resampling of one axis: source positions (nearest) or an interpolation matrix (linear, cubic). */
    private record AxisSampling(long in, long out, long[] positions, float[] matrix, boolean[] outside) {
        static AxisSampling of(Settings s, long in, long out, float scale, float roiStart, float roiEnd) {
            int n = Math.toIntExact(out);
            boolean[] outside = new boolean[n];
            long[] positions = s.mode().equals("nearest") ? new long[n] : null;
            float[] matrix = positions == null ? new float[Math.toIntExact(out * in)] : null;
            for (int o = 0; o < n; o++) {
                float source = original(s.coordinates(), o, scale, in, out, roiStart, roiEnd);
                outside[o] = s.coordinates().equals("tf_crop_and_resize") && (source < 0 || source > in - 1);
                switch (s.mode()) {
                    case "nearest" -> positions[o] = Math.max(0, Math.min(in - 1,
                            nearest(s.nearest(), source, scale < 1f)));
                    case "linear" -> linearRow(matrix, o, source, in);
                    default -> cubicRow(matrix, o, source, in, s.cubicA(), s.excludeOutside());
                }
            }
            return new AxisSampling(in, out, positions, matrix, outside);
        }

        NDArray apply(NDArray x, int axis) {
            return positions != null ? AxisIndex.take(x, axis, positions) : AxisMatrix.apply(x, axis, matrix, out);
        }

        boolean hasOutside() {
            for (boolean b : outside) {
                if (b) {
                    return true;
                }
            }
            return false;
        }

        /** 1 where the output position maps outside the input (tf_crop_and_resize extrapolates there), else 0. */
        NDArray outsideMask(NDManager manager, int rank, int axis) {
            float[] values = new float[outside.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = outside[i] ? 1f : 0f;
            }
            long[] dims = new long[rank];
            Arrays.fill(dims, 1);
            dims[axis] = out;
            return manager.create(values, new Shape(dims));
        }
    }

    /** The input coordinate of output position {@code o}, as ONNX Runtime's get_original_coordinate computes it. */
    static float original(String mode, float o, float scale, long in, long out, float roiStart, float roiEnd) {
        return switch (mode) {
            case "half_pixel" -> (o + 0.5f) / scale - 0.5f;
            case "pytorch_half_pixel" -> out > 1 ? (o + 0.5f) / scale - 0.5f : 0f;
            case "align_corners" -> out == 1 ? 0f : o * (in - 1) / (float) (out - 1);
            case "tf_half_pixel_for_nn" -> (o + 0.5f) / scale;
            case "tf_crop_and_resize" -> out > 1
                    ? roiStart * (in - 1) + (o * (roiEnd - roiStart) * (in - 1)) / (out - 1)
                    : 0.5f * (roiStart + roiEnd) * (in - 1);
            case "half_pixel_symmetric" -> {
                float adjustment = out / (scale * in);
                float center = in / 2f;
                float offset = center * (1 - adjustment);
                yield offset + (o + 0.5f) / scale - 0.5f;
            }
            default -> o / scale;
        };
    }

    /** ONNX's nearest_mode; "simple" is what Resize-10 and Upsample do: truncate, or ceil when downscaling. */
    static long nearest(String mode, float x, boolean downscaling) {
        return switch (mode) {
            case "round_prefer_ceil" -> x == (long) x + 0.5f ? (long) Math.ceil(x) : (long) roundHalfAway(x);
            case "floor" -> (long) Math.floor(x);
            case "ceil" -> (long) Math.ceil(x);
            case "simple" -> downscaling ? (long) Math.ceil(x) : (long) x;
            default -> x == (long) x + 0.5f ? (long) Math.floor(x) : (long) roundHalfAway(x);
        };
    }

    /** The source coordinate clamped into the input, then split between its two neighbours. */
    private static void linearRow(float[] matrix, int o, float source, long in) {
        float x = Math.max(0f, Math.min(source, in - 1));
        long x1 = Math.min((long) x, in - 1);
        long x2 = Math.min(x1 + 1, in - 1);
        float toSecond = Math.abs(x - x1);
        float toFirst = Math.abs(x - x2);
        if (x1 == x2) {
            toSecond = 0.5f;
            toFirst = 0.5f;
        }
        matrix[Math.toIntExact(o * in + x1)] += toFirst;
        matrix[Math.toIntExact(o * in + x2)] += toSecond;
    }

    /**
     * Keys' cubic convolution over the four neighbours floor(x) - 1 .. floor(x) + 2. Neighbours outside the input
     * repeat the edge, or with exclude_outside drop out and the remaining weights are renormalised.
     */
    private static void cubicRow(float[] matrix, int o, float source, long in, float a, boolean excludeOutside) {
        long base = (long) Math.floor(source);
        float s = Math.abs(source - base);
        float[] c = {
            (((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a),
            (((a + 2) * s - (a + 3)) * s * s + 1),
            (((a + 2) * (1 - s) - (a + 3)) * (1 - s) * (1 - s) + 1),
            (((a * (2 - s) - 5 * a) * (2 - s) + 8 * a) * (2 - s) - 4 * a),
        };
        float sum = 0;
        for (int k = 0; k < 4; k++) {
            long index = base - 1 + k;
            if (excludeOutside && (index < 0 || index >= in)) {
                c[k] = 0;
            }
            sum += c[k];
        }
        for (int k = 0; k < 4; k++) {
            long index = Math.max(0, Math.min(in - 1, base - 1 + k));
            matrix[Math.toIntExact(o * in + index)] += excludeOutside ? c[k] / sum : c[k];
        }
    }
}
