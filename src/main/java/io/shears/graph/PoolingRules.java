package io.shears.graph;

/** Windowed and global pooling, and the Reduce family. */
final class PoolingRules {
    private PoolingRules() {
    }

    static void register(OperatorRules.Registrar r) {
        r.shape(PoolingRules::pool, "MaxPool", "AveragePool", "LpPool");
        r.shape(PoolingRules::globalPool, "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool");
        r.shape(PoolingRules::reduce, "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd",
                "ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSumExp");
    }

    static void pool(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        int spatial = x.length - 2;
        long[] kernel = ctx.node().attrInts("kernel_shape");
        if (kernel == null || kernel.length != spatial) {
            throw ctx.fail("kernel_shape is missing or does not match input rank " + x.length);
        }
        long[] out = x.clone();
        long[] spatialOut = Windows.output(ctx, x, kernel, spatial, ctx.node().attrInt("ceil_mode", 0) != 0);
        System.arraycopy(spatialOut, 0, out, 2, spatial);
        ctx.output(0, ctx.elemType(0), out);
        ctx.output(1, ai.onnx.proto.OnnxMl.TensorProto.DataType.INT64.getNumber(), out.clone());
    }

    static void globalPool(ShapeContext ctx) {
        long[] out = ctx.dims(0).clone();
        for (int i = 2; i < out.length; i++) {
            out[i] = 1;
        }
        ctx.output(0, ctx.elemType(0), out);
    }

    static void reduce(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        Node n = ctx.node();
        long[] axes = n.attrInts("axes");
        if (axes == null && ctx.hasInput(1)) {
            axes = ctx.requireIntValue(1, "axes");
        }
        boolean keep = n.attrInt("keepdims", 1) != 0;
        boolean[] reduced = new boolean[x.length];
        if (axes == null || axes.length == 0) {
            if (n.attrInt("noop_with_empty_axes", 0) != 0) {
                ctx.output(0, ctx.input(0));
                return;
            }
            java.util.Arrays.fill(reduced, true);
        } else {
            for (long a : axes) {
                reduced[Axes.normalize(ctx, a, x.length)] = true;
            }
        }
        long[] out = new long[x.length];
        int rank = 0;
        for (int i = 0; i < x.length; i++) {
            if (!reduced[i]) {
                out[rank++] = x[i];
            } else if (keep) {
                out[rank++] = 1;
            }
        }
        ctx.output(0, ctx.elemType(0), java.util.Arrays.copyOf(out, rank));
    }
}
