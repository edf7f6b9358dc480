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
        r.shape(ElementwiseRules::mod, "Mod");
        r.shape(ctx -> binary(ctx, null), "Pow", "Sum", "Mean", "BitShift");
        r.shape(ctx -> comparison(ctx, (a, b) -> a == b), "Equal");
        r.shape(ctx -> comparison(ctx, (a, b) -> a < b), "Less");
        r.shape(ctx -> comparison(ctx, (a, b) -> a > b), "Greater");
        r.shape(ctx -> comparison(ctx, (a, b) -> a <= b), "LessOrEqual");
        r.shape(ctx -> comparison(ctx, (a, b) -> a >= b), "GreaterOrEqual");
        r.shape(ctx -> comparison(ctx, (a, b) -> a != 0 && b != 0), "And");
        r.shape(ctx -> comparison(ctx, (a, b) -> a != 0 || b != 0), "Or");
        r.shape(ctx -> comparison(ctx, (a, b) -> (a != 0) != (b != 0)), "Xor");
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
            long[] values = folded(ctx, shape, fold, 0, 1);
            if (values != null) {
                ctx.outputValue(0, ctx.elemType(0), shape, values);
            }
        }
    }

    /** ONNX integer Mod takes the divisor's sign, as Python's % does; fmod=1 takes the dividend's, as C's % does. */
    static void mod(ShapeContext ctx) {
        binary(ctx, ctx.node().attrInt("fmod", 0) != 0 ? (a, b) -> a % b : Math::floorMod);
    }

    /** Comparisons of shape values are folded (true as 1), so that the Where a shape sub-graph ends in folds too. */
    static void comparison(ShapeContext ctx, LongComparison compare) {
        long[] shape = Axes.broadcast(ctx, ctx.dims(0), ctx.dims(1));
        long[] values = folded(ctx, shape, (a, b) -> compare.test(a, b) ? 1 : 0, 0, 1);
        if (values != null) {
            ctx.outputValue(0, BOOL, shape, values);
        } else {
            ctx.output(0, BOOL, shape);
        }
    }

    static void where(ShapeContext ctx) {
        long[] shape = Axes.broadcast(ctx, Axes.broadcast(ctx, ctx.dims(0), ctx.dims(1)), ctx.dims(2));
        long[] condition = ctx.intValue(0);
        long[] x = ctx.intValue(1);
        long[] y = ctx.intValue(2);
        long n = Axes.product(shape, 0, shape.length);
        if (elementwise(condition, n) && elementwise(x, n) && elementwise(y, n)) {
            long[] values = new long[(int) n];
            for (int i = 0; i < values.length; i++) {
                values[i] = at(condition, i) != 0 ? at(x, i) : at(y, i);
            }
            ctx.outputValue(0, ctx.elemType(1), shape, values);
        } else {
            ctx.output(0, ctx.elemType(1), shape);
        }
    }

    /**
     * Inputs a and b combined element by element, when both values are known and each is a single value or has the
     * output's every element (the forms shape values take). Null otherwise.
     */
    private static long[] folded(ShapeContext ctx, long[] shape, LongBinaryOperator fold, int a, int b) {
        long[] x = ctx.intValue(a);
        long[] y = ctx.intValue(b);
        long n = Axes.product(shape, 0, shape.length);
        if (!elementwise(x, n) || !elementwise(y, n)) {
            return null;
        }
        long[] out = new long[(int) n];
        for (int i = 0; i < n; i++) {
            out[i] = fold.applyAsLong(at(x, i), at(y, i));
        }
        return out;
    }

    private static boolean elementwise(long[] values, long n) {
        return values != null && (values.length == 1 || values.length == n);
    }

    private static long at(long[] values, int i) {
        return values[values.length == 1 ? 0 : i];
    }

    @FunctionalInterface
    interface LongComparison {
        boolean test(long a, long b);
    }
}
