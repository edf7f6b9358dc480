package io.shears.graph;

/** Conv, ConvTranspose and the normalizations (BatchNormalization, InstanceNormalization, LayerNormalization). */
final class ConvolutionRules {
    private ConvolutionRules() {
    }

    static void register(OperatorRules.Registrar r) {
        r.costed("Conv", ConvolutionRules::conv, ConvolutionRules::convMacs);
        r.costed("ConvTranspose", ConvolutionRules::convTranspose, ConvolutionRules::convTransposeMacs);
        r.shape(ConvolutionRules::batchNorm, "BatchNormalization", "InstanceNormalization");
        r.shape(ConvolutionRules::layerNorm, "LayerNormalization");
    }

    static void conv(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        long[] w = ctx.dims(1);
        Node n = ctx.node();
        long group = n.attrInt("group", 1);
        if (x.length < 3 || w.length != x.length) {
            throw ctx.fail("input rank " + x.length + " and weight rank " + w.length + " do not fit a convolution");
        }
        if (x[1] != w[1] * group || w[0] % group != 0) {
            throw ctx.fail("input has " + x[1] + " channels but the weight " + TensorType.format(w)
                    + " with group=" + group + " expects " + w[1] * group);
        }
        if (ctx.hasInput(2) && ctx.dims(2).length == 1 && ctx.dims(2)[0] != w[0]) {
            throw ctx.fail("bias has " + ctx.dims(2)[0] + " values for " + w[0] + " filters");
        }
        int spatial = x.length - 2;
        long[] kernel = kernel(n, w);
        long[] out = new long[x.length];
        out[0] = x[0];
        out[1] = w[0];
        long[] spatialOut = Windows.output(ctx, x, kernel, spatial, false);
        System.arraycopy(spatialOut, 0, out, 2, spatial);
        ctx.output(0, ctx.elemType(0), out);
    }

    /** The kernel_shape attribute, or the weight's spatial dimensions where it is absent. */
    private static long[] kernel(Node n, long[] w) {
        long[] kernel = n.attrInts("kernel_shape");
        return kernel != null ? kernel : java.util.Arrays.copyOfRange(w, 2, w.length);
    }

    static long convMacs(Node node, Shapes shapes) {
        long[] w = shapes.dims(node.input(1));
        long[] y = shapes.dims(node.output(0));
        return Axes.product(y, 0, y.length) * Axes.product(w, 1, w.length);
    }

    static void convTranspose(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        long[] w = ctx.dims(1);
        Node n = ctx.node();
        long group = n.attrInt("group", 1);
        if (x.length < 3 || w.length != x.length || x[1] != w[0]) {
            throw ctx.fail("input " + TensorType.format(x) + " does not fit the weight " + TensorType.format(w));
        }
        int spatial = x.length - 2;
        long[] kernel = kernel(n, w);
        long[] strides = Axes.ints(n.attrInts("strides"), spatial, 1);
        long[] dilations = Axes.ints(n.attrInts("dilations"), spatial, 1);
        long[] outputPadding = Axes.ints(n.attrInts("output_padding"), spatial, 0);
        long[] pads = Axes.ints(n.attrInts("pads"), 2 * spatial, 0);
        long[] outputShape = n.attrInts("output_shape");
        String autoPad = n.attrString("auto_pad", "NOTSET");
        long[] out = new long[x.length];
        out[0] = x[0];
        out[1] = w[1] * group;
        for (int i = 0; i < spatial; i++) {
            if (outputShape != null) {
                out[2 + i] = outputShape[outputShape.length - spatial + i];
            } else if (autoPad.startsWith("SAME")) {
                out[2 + i] = x[2 + i] * strides[i];
            } else {
                out[2 + i] = strides[i] * (x[2 + i] - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1
                        - pads[i] - pads[i + spatial];
            }
        }
        ctx.output(0, ctx.elemType(0), out);
    }

    static long convTransposeMacs(Node node, Shapes shapes) {
        long[] x = shapes.dims(node.input(0));
        long[] w = shapes.dims(node.input(1));
        return Axes.product(x, 0, x.length) * Axes.product(w, 1, w.length);
    }

    static void batchNorm(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        for (int i = 1; i < ctx.inputCount(); i++) {
            if (ctx.hasInput(i) && (ctx.dims(i).length != 1 || ctx.dims(i)[0] != x[1])) {
                throw ctx.fail("parameter " + i + " has shape " + TensorType.format(ctx.dims(i)) + " for "
                        + x[1] + " channels");
            }
        }
        ctx.output(0, ctx.input(0));
        for (int i = 1; i < ctx.node().outputs().size(); i++) {
            ctx.output(i, ctx.elemType(0), x[1]);
        }
    }

    /** Normalizes over the axes from {@code axis} on; scale and bias broadcast against those axes. */
    static void layerNorm(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        int axis = Axes.normalize(ctx, ctx.node().attrInt("axis", -1), x.length);
        long[] normalized = java.util.Arrays.copyOfRange(x, axis, x.length);
        for (int i = 1; i < ctx.inputCount(); i++) {
            if (ctx.hasInput(i) && !java.util.Arrays.equals(Axes.broadcast(ctx, normalized, ctx.dims(i)), normalized)) {
                throw ctx.fail("parameter " + i + " has shape " + TensorType.format(ctx.dims(i))
                        + ", which does not broadcast to the normalized axes " + TensorType.format(normalized));
            }
        }
        ctx.output(0, ctx.input(0));
        long[] stats = x.clone();
        java.util.Arrays.fill(stats, axis, stats.length, 1);
        int stashType = (int) ctx.node().attrInt("stash_type", ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT_VALUE);
        for (int i = 1; i < ctx.node().outputs().size(); i++) {
            ctx.output(i, stashType, stats.clone());
        }
    }
}
