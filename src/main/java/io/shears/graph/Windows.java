package io.shears.graph;

/** Output extent of a sliding window (convolution or pooling) under ONNX's padding rules. */
final class Windows {
    private Windows() {
    }

    static long[] output(ShapeContext ctx, long[] x, long[] kernel, int spatial, boolean ceilMode) {
        Node n = ctx.node();
        long[] strides = Axes.ints(n.attrInts("strides"), spatial, 1);
        long[] dilations = Axes.ints(n.attrInts("dilations"), spatial, 1);
        long[] pads = Axes.ints(n.attrInts("pads"), 2 * spatial, 0);
        String autoPad = n.attrString("auto_pad", "NOTSET");
        long[] out = new long[spatial];
        for (int i = 0; i < spatial; i++) {
            long in = x[2 + i];
            long extent = (kernel[i] - 1) * dilations[i] + 1;
            switch (autoPad) {
                case "SAME_UPPER", "SAME_LOWER" -> out[i] = (in + strides[i] - 1) / strides[i];
                case "VALID" -> out[i] = (in - extent) / strides[i] + 1;
                default -> {
                    long padded = in + pads[i] + pads[i + spatial] - extent;
                    long o = ceilMode ? Math.floorDiv(padded + strides[i] - 1, strides[i]) + 1
                            : Math.floorDiv(padded, strides[i]) + 1;
                    if (ceilMode && (o - 1) * strides[i] >= in + pads[i]) {
                        o--;
                    }
                    out[i] = o;
                }
            }
            if (out[i] < 1) {
                throw ctx.fail("window " + kernel[i] + " does not fit spatial extent " + in);
            }
        }
        return out;
    }
}
