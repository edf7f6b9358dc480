package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import io.shears.graph.Axes;
import io.shears.graph.Node;

import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * Element-wise arithmetic, comparison and logic with numpy broadcasting (PyTorch's, which is ONNX's), and the
 * element-wise math functions.
 */
final class ArithmeticKernels {
    private ArithmeticKernels() {
    }

    static void register(Kernels.Registrar r) {
        binary(r, "Add", NDArray::add);
        binary(r, "Sub", NDArray::sub);
        binary(r, "Mul", NDArray::mul);
        binary(r, "Div", ArithmeticKernels::divide);
        binary(r, "Pow", (a, b) -> a.pow(b.toType(a.getDataType(), false)));
        binary(r, "Equal", NDArray::eq);
        binary(r, "Less", NDArray::lt);
        binary(r, "Greater", NDArray::gt);
        binary(r, "LessOrEqual", NDArray::lte);
        binary(r, "GreaterOrEqual", NDArray::gte);
        binary(r, "And", NDArray::logicalAnd);
        binary(r, "Or", NDArray::logicalOr);
        binary(r, "Xor", NDArray::logicalXor);
        variadic(r, "Max", NDArray::maximum);
        variadic(r, "Min", NDArray::minimum);
        variadic(r, "Sum", NDArray::add);
        r.add(ctx -> new NDList(fold(ctx, NDArray::add).div(ctx.inputCount())), "Mean");
        r.add(ArithmeticKernels::mod, "Mod");
        r.add(OpKernel.checked(ArithmeticKernels::checkBitShift, ArithmeticKernels::bitShift), "BitShift");
        r.add(ArithmeticKernels::where, "Where");
        unary(r, "Exp", NDArray::exp);
        unary(r, "Log", NDArray::log);
        unary(r, "Sqrt", NDArray::sqrt);
        unary(r, "Neg", NDArray::neg);
        unary(r, "Abs", NDArray::abs);
        unary(r, "Reciprocal", x -> x.getNDArrayInternal().rdiv(1f));
        unary(r, "Floor", NDArray::floor);
        unary(r, "Ceil", NDArray::ceil);
        unary(r, "Round", NDArray::round);
        unary(r, "Sign", NDArray::sign);
        unary(r, "Sin", NDArray::sin);
        unary(r, "Cos", NDArray::cos);
        unary(r, "Erf", NDArray::erf);
        unary(r, "IsNaN", NDArray::isNaN);
        unary(r, "Not", NDArray::logicalNot);
    }

    private static void unary(Kernels.Registrar r, String op, UnaryOperator<NDArray> f) {
        r.add(ctx -> new NDList(f.apply(ctx.input(0))), op);
    }

    private static void binary(Kernels.Registrar r, String op, BinaryOperator<NDArray> f) {
        r.add(ctx -> new NDList(f.apply(ctx.input(0), ctx.input(1))), op);
    }

    private static void variadic(Kernels.Registrar r, String op, BinaryOperator<NDArray> f) {
        r.add(ctx -> new NDList(fold(ctx, f)), op);
    }

    private static NDArray fold(KernelContext ctx, BinaryOperator<NDArray> f) {
        NDArray out = ctx.input(0);
        for (int i = 1; i < ctx.inputCount(); i++) {
            out = f.apply(out, ctx.input(i));
        }
        return out;
    }

    /** Integer division truncates toward zero in ONNX (as in C); PyTorch's div would return floats. */
    static NDArray divide(NDArray a, NDArray b) {
        if (!a.getDataType().isInteger()) {
            return a.div(b);
        }
        return a.toType(DataType.FLOAT64, false).div(b.toType(DataType.FLOAT64, false)).trunc()
                .toType(DataType.INT64, false);
    }

    /** fmod = 0 takes the divisor's sign (Python's %, PyTorch's remainder); fmod = 1 the dividend's (C's fmod). */
    static NDList mod(KernelContext ctx) {
        NDArray a = ctx.input(0);
        NDArray b = ctx.input(1);
        if (ctx.node().attrInt("fmod", 0) == 0) {
            return new NDList(a.mod(b));
        }
        DataType type = a.getDataType();
        NDArray a64 = a.toType(DataType.FLOAT64, false);
        NDArray b64 = b.toType(DataType.FLOAT64, false);
        return new NDList(a64.sub(a64.div(b64).trunc().mul(b64)).toType(type, false));
    }

    private static void checkBitShift(Node node, int opset) {
        String direction = node.attrString("direction", "");
        if (!direction.equals("LEFT") && !direction.equals("RIGHT")) {
            throw Kernels.unsupported(node, "BitShift direction '" + direction + "' is neither LEFT nor RIGHT");
        }
    }

    /** On the unsigned integers BitShift is defined for, shifts are multiplications and floored divisions by 2^y. */
    static NDList bitShift(KernelContext ctx) {
        NDArray x = ctx.input(0);
        NDArray factor = ctx.manager().create(2L).pow(ctx.input(1));
        if (ctx.node().attrString("direction", "").equals("LEFT")) {
            return new NDList(x.mul(factor));
        }
        return new NDList(x.toType(DataType.FLOAT64, false).div(factor.toType(DataType.FLOAT64, false)).floor()
                .toType(x.getDataType(), false));
    }

    /** DJL's where needs equal shapes, so the three inputs are broadcast first. */
    static NDList where(KernelContext ctx) {
        NDArray condition = ctx.input(0);
        NDArray x = ctx.input(1);
        NDArray y = ctx.input(2);
        long[] shape = Axes.broadcast(Axes.broadcast(ShapeMath.dims(condition), ShapeMath.dims(x)),
                ShapeMath.dims(y));
        NDArray c = ShapeMath.broadcastTo(condition.toType(DataType.BOOLEAN, false), shape);
        return new NDList(NDArrays.where(c, ShapeMath.broadcastTo(x, shape), ShapeMath.broadcastTo(y, shape)));
    }
}
