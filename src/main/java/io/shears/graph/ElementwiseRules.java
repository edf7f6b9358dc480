package io.shears.graph;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;

import java.util.function.LongBinaryOperator;

/** Operators whose output has the shape of their (broadcast) inputs. Integer arithmetic on shapes is folded. */
final class ElementwiseRules {
    private static final int BOOL = DataType.BOOL.getNumber();

    private ElementwiseRules() {
    }

    static void register(OperatorRules.Registrar r) {
        r.shape(ElementwiseRules::unary, "Relu", "LeakyRelu", "PRelu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish",
                "Tanh", "Erf", "Elu", "Selu", "Celu", "Gelu", "Mish", "Softplus", "Softsign", "ThresholdedRelu",
                "Exp", "Log", "Sqrt", "Neg", "Abs", "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos",
                "Softmax", "LogSoftmax", "Hardmax", "LRN", "Identity", "Not", "IsNaN", "Shrink");
        r.shape(ElementwiseRules::dropout, "Dropout");
        r.shape(ctx -> binary(ctx, Math::addExact), "Add");
        r.shape(ctx -> binary(ctx, Math::subtractExact), "Sub");
        r.shape(ctx -> binary(ctx, Math::multiplyExact), "Mul");
        // ONNX integer Div truncates toward zero, as C does (-3 / 2 = -1), unlike Math.floorDiv
        r.shape(ctx -> binary(ctx, (a, b) -> a / b), "Div");
        r.shape(ctx -> binary(ctx, Math::max), "Max");
        r.shape(ctx -> binary(ctx, Math::min), "Min");
        r.shape(ctx -> binary(ctx, null), "Pow", "Mod", "Sum", "Mean", "BitShift");
        r.shape(ElementwiseRules::comparison, "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
                "And", "Or", "Xor");
        r.shape(ElementwiseRules::where, "Where");
    }

    static void unary(ShapeContext ctx) {
        ctx.output(0, ctx.input(0));
        long[] v = ctx.intValue(0);
        if (v != null && ctx.node().op().equals("Identity")) {
            ctx.outputValue(0, ctx.elemType(0), ctx.dims(0), v);
        }
        if (ctx.node().op().equals("PRelu")) {
            Axes.broadcast(ctx, ctx.dims(0), ctx.dims(1));
        }
    }

    static void dropout(ShapeContext ctx) {
        ctx.output(0, ctx.input(0));
        ctx.output(1, BOOL, ctx.dims(0).clone());
    }

    static void binary(ShapeContext ctx, LongBinaryOperator fold) {
        long[] shape = ctx.dims(0);
        for (int i = 1; i < ctx.inputCount(); i++) {
            shape = Axes.broadcast(ctx, shape, ctx.dims(i));
        }
        ctx.output(0, ctx.elemType(0), shape);
        if (fold != null && ctx.inputCount() == 2) {
            long[] a = ctx.intValue(0);
            long[] b = ctx.intValue(1);
            if (a != null && b != null && (a.length == b.length || a.length == 1 || b.length == 1)) {
                int n = Math.max(a.length, b.length);
                long[] out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = fold.applyAsLong(a[a.length == 1 ? 0 : i], b[b.length == 1 ? 0 : i]);
                }
                ctx.outputValue(0, ctx.elemType(0), shape, out);
            }
        }
    }

    static void comparison(ShapeContext ctx) {
        ctx.output(0, BOOL, Axes.broadcast(ctx, ctx.dims(0), ctx.dims(1)));
    }

    static void where(ShapeContext ctx) {
        long[] shape = Axes.broadcast(ctx, Axes.broadcast(ctx, ctx.dims(0), ctx.dims(1)), ctx.dims(2));
        ctx.output(0, ctx.elemType(1), shape);
    }
}
