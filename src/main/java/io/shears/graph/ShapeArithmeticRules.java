package io.shears.graph;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.shears.onnx.ElementType;
import io.shears.onnx.TensorValues;

/**
 * Operators exporters use to compute shapes at run time (Shape, Gather, Cast, Constant, ConstantOfShape). Over
 * static shapes their results are known, so they are folded to values that later rules (Reshape) read.
 */
final class ShapeArithmeticRules {
    private static final int INT64 = DataType.INT64.getNumber();

    private ShapeArithmeticRules() {
    }

    static void register(OperatorRules.Registrar r) {
        r.shape(ShapeArithmeticRules::constant, "Constant");
        r.shape(ShapeArithmeticRules::shape, "Shape");
        r.shape(ShapeArithmeticRules::size, "Size");
        r.shape(ShapeArithmeticRules::gather, "Gather");
        r.shape(ShapeArithmeticRules::cast, "Cast");
        r.shape(ShapeArithmeticRules::constantOfShape, "ConstantOfShape");
        r.shape(ShapeArithmeticRules::range, "Range");
    }

    static void constant(ShapeContext ctx) {
        TensorProto t = ConstantValues.of(ctx.node());
        long[] dims = TensorValues.dims(t);
        ElementType type = TensorValues.elementType(t);
        if (type != null && !type.isFloating() && type != ElementType.BOOL && TensorValues.elementCount(t) <= 1024) {
            ctx.outputValue(0, t.getDataType(), dims, TensorValues.longs(t));
        } else {
            ctx.output(0, t.getDataType(), dims);
        }
    }

    static void shape(ShapeContext ctx) {
        long[] x = ctx.dims(0);
        int rank = x.length;
        long start = ctx.node().attrInt("start", 0);
        long end = ctx.node().attrInt("end", rank);
        int s = (int) Math.max(0, Math.min(rank, start < 0 ? start + rank : start));
        int e = (int) Math.max(0, Math.min(rank, end < 0 ? end + rank : end));
        long[] value = java.util.Arrays.copyOfRange(x, s, Math.max(s, e));
        ctx.outputValue(0, INT64, new long[] {value.length}, value);
    }

    static void size(ShapeContext ctx) {
        ctx.outputValue(0, INT64, new long[0], new long[] {ctx.input(0).elements()});
    }

    static void gather(ShapeContext ctx) {
        long[] data = ctx.dims(0);
        long[] indices = ctx.dims(1);
        int axis = Axes.normalize(ctx, ctx.node().attrInt("axis", 0), data.length);
        long[] out = new long[data.length - 1 + indices.length];
        int j = 0;
        for (int i = 0; i < axis; i++) {
            out[j++] = data[i];
        }
        for (long d : indices) {
            out[j++] = d;
        }
        for (int i = axis + 1; i < data.length; i++) {
            out[j++] = data[i];
        }
        long[] values = ctx.intValue(0);
        long[] index = ctx.intValue(1);
        if (values != null && index != null && data.length == 1) {
            long[] picked = new long[index.length];
            for (int i = 0; i < index.length; i++) {
                long k = index[i] < 0 ? index[i] + data[0] : index[i];
                if (k < 0 || k >= data[0]) {
                    throw ctx.fail("index " + index[i] + " is out of range for " + data[0]);
                }
                picked[i] = values[(int) k];
            }
            ctx.outputValue(0, ctx.elemType(0), out, picked);
        } else {
            ctx.output(0, ctx.elemType(0), out);
        }
    }

    static void cast(ShapeContext ctx) {
        int to = (int) ctx.node().attrInt("to", ctx.elemType(0));
        ElementType target = ElementType.of(to);
        long[] v = ctx.intValue(0);
        if (v != null && target != null && !target.isFloating()) {
            ctx.outputValue(0, to, ctx.dims(0), v);
        } else {
            ctx.output(0, to, ctx.dims(0));
        }
    }

    static void constantOfShape(ShapeContext ctx) {
        long[] dims = ctx.requireIntValue(0, "the shape");
        TensorProto value = ctx.node().attrTensor("value");
        int type = value == null ? DataType.FLOAT.getNumber() : value.getDataType();
        ElementType et = ElementType.of(type);
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        if (et != null && !et.isFloating() && et != ElementType.BOOL && count <= 1024) {
            long fill = value == null ? 0 : TensorValues.longs(value)[0];
            long[] values = new long[(int) count];
            java.util.Arrays.fill(values, fill);
            ctx.outputValue(0, type, dims, values);
        } else {
            ctx.output(0, type, dims);
        }
    }

    static void range(ShapeContext ctx) {
        ElementType type = ElementType.of(ctx.elemType(0));
        if (type != null && type.isFloating()) {
            floatRange(ctx);
            return;
        }
        long[] start = ctx.requireIntValue(0, "start");
        long[] limit = ctx.requireIntValue(1, "limit");
        long[] delta = ctx.requireIntValue(2, "delta");
        long n = Math.max(0, (limit[0] - start[0] + delta[0] - (delta[0] > 0 ? 1 : -1)) / delta[0]);
        long[] values = new long[(int) n];
        for (int i = 0; i < n; i++) {
            values[i] = start[0] + i * delta[0];
        }
        ctx.outputValue(0, ctx.elemType(0), new long[] {n}, values);
    }

    /** A float Range has a static length when its bounds are stored: ceil((limit - start) / delta), as ONNX says. */
    private static void floatRange(ShapeContext ctx) {
        float[] start = ctx.floatValue(0);
        float[] limit = ctx.floatValue(1);
        float[] delta = ctx.floatValue(2);
        if (start == null || limit == null || delta == null) {
            throw ctx.fail("a float Range's bounds are computed at run time, so its length is unknown");
        }
        long n = Math.max(0, (long) Math.ceil((limit[0] - start[0]) / delta[0]));
        ctx.output(0, ctx.elemType(0), n);
    }
}
