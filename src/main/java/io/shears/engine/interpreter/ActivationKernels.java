package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.shears.graph.Axes;
import io.shears.graph.Node;

import java.util.function.UnaryOperator;

/** Activations, the softmax family and Dropout. */
final class ActivationKernels {
    private ActivationKernels() {
    }

    static void register(Kernels.Registrar r) {
        unary(r, "Relu", x -> x.getNDArrayInternal().relu());
        unary(r, "Sigmoid", x -> x.getNDArrayInternal().sigmoid());
        unary(r, "Tanh", NDArray::tanh);
        unary(r, "Softplus", x -> x.getNDArrayInternal().softPlus());
        unary(r, "Softsign", x -> x.div(x.abs().add(1)));
        unary(r, "Mish", x -> x.mul(x.getNDArrayInternal().softPlus().tanh()));
        r.add(ctx -> new NDList(ctx.input(0).getNDArrayInternal()
                .leakyRelu(ctx.node().attrFloat("alpha", 0.01f))), "LeakyRelu");
        r.add(ActivationKernels::prelu, "PRelu");
        r.add(ActivationKernels::clip, "Clip");
        r.add(ctx -> new NDList(hardSigmoid(ctx.input(0), ctx.node().attrFloat("alpha", 0.2f),
                ctx.node().attrFloat("beta", 0.5f))), "HardSigmoid");
        r.add(ctx -> new NDList(ctx.input(0).mul(hardSigmoid(ctx.input(0), 1f / 6, 0.5f))), "HardSwish");
        r.add(ctx -> new NDList(exponentialLinear(ctx.input(0), ctx.node().attrFloat("alpha", 1f))), "Elu");
        r.add(ctx -> new NDList(exponentialLinear(ctx.input(0),
                ctx.node().attrFloat("alpha", 1.67326319217681884765625f))
                .mul(ctx.node().attrFloat("gamma", 1.05070102214813232421875f))), "Selu");
        r.add(ActivationKernels::celu, "Celu");
        r.add(OpKernel.checked(ActivationKernels::checkGelu, ActivationKernels::gelu), "Gelu");
        r.add(ActivationKernels::thresholdedRelu, "ThresholdedRelu");
        r.add(ActivationKernels::shrink, "Shrink");
        r.add(ctx -> new NDList(softmaxFamily(ctx, x -> x.softmax(-1))), "Softmax");
        r.add(ctx -> new NDList(softmaxFamily(ctx, x -> x.logSoftmax(-1))), "LogSoftmax");
        r.add(ctx -> new NDList(softmaxFamily(ctx, ActivationKernels::hardmaxLast)), "Hardmax");
        r.add(ActivationKernels::dropout, "Dropout");
    }

    private static void unary(Kernels.Registrar r, String op, UnaryOperator<NDArray> f) {
        r.add(ctx -> new NDList(f.apply(ctx.input(0))), op);
    }

    /** y = x for x >= 0, slope * x otherwise, the slope broadcast (per channel as exporters write it). DJL has none. */
    static NDList prelu(KernelContext ctx) {
        NDArray x = ctx.input(0);
        return new NDList(x.maximum(0f).add(x.minimum(0f).mul(ctx.input(1))));
    }

    /** Bounds from attributes before opset 11, from optional inputs after; an absent bound does not clip. */
    static NDList clip(KernelContext ctx) {
        NDArray x = ctx.input(0);
        Node node = ctx.node();
        boolean integer = x.getDataType().isInteger();
        double low;
        double high;
        if (ctx.opset() < 11) {
            low = node.attrFloat("min", -Float.MAX_VALUE);
            high = node.attrFloat("max", Float.MAX_VALUE);
        } else {
            low = bound(ctx, 1, integer ? Long.MIN_VALUE : Double.NEGATIVE_INFINITY);
            high = bound(ctx, 2, integer ? Long.MAX_VALUE : Double.POSITIVE_INFINITY);
        }
        if (integer) {
            return new NDList(x.clip((long) low, (long) high));
        }
        return new NDList(x.clip(low, high));
    }

    private static double bound(KernelContext ctx, int input, double fallback) {
        if (!ctx.hasInput(input)) {
            return fallback;
        }
        return ctx.input(input).getDataType().isInteger() ? ctx.longs(input)[0] : ctx.floats(input)[0];
    }

    static NDArray hardSigmoid(NDArray x, float alpha, float beta) {
        return x.mul(alpha).add(beta).clip(0f, 1f);
    }

    /**
     * x for x > 0, alpha * (exp(x) - 1) otherwise. The exponential only sees min(x, 0): exp of a large positive x
     * overflows, and its infinite gradient times the zero of the unused branch would make a NaN.
     */
    static NDArray exponentialLinear(NDArray x, float alpha) {
        return x.maximum(0f).add(x.minimum(0f).exp().sub(1).mul(alpha));
    }

    static NDList celu(KernelContext ctx) {
        NDArray x = ctx.input(0);
        float alpha = ctx.node().attrFloat("alpha", 1f);
        return new NDList(x.maximum(0f).add(x.minimum(0f).div(alpha).exp().sub(1).mul(alpha)));
    }

    private static void checkGelu(Node node, int opset) {
        String approximate = node.attrString("approximate", "none");
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw Kernels.unsupported(node, "Gelu approximate='" + approximate + "' is not defined");
        }
    }

    static NDList gelu(KernelContext ctx) {
        NDArray x = ctx.input(0);
        if (ctx.node().attrString("approximate", "none").equals("none")) {
            return new NDList(x.getNDArrayInternal().gelu());
        }
        NDArray inner = x.add(x.pow(3).mul(0.044715f)).mul((float) Math.sqrt(2 / Math.PI));
        return new NDList(x.mul(0.5f).mul(inner.tanh().add(1)));
    }

    static NDList thresholdedRelu(KernelContext ctx) {
        NDArray x = ctx.input(0);
        return new NDList(x.mul(x.gt(ctx.node().attrFloat("alpha", 1f)).toType(x.getDataType(), false)));
    }

    /** y = x + bias below -lambd, x - bias above lambd, 0 between. */
    static NDList shrink(KernelContext ctx) {
        NDArray x = ctx.input(0);
        float lambd = ctx.node().attrFloat("lambd", 0.5f);
        float bias = ctx.node().attrFloat("bias", 0f);
        NDArray below = x.lt(-lambd).toType(x.getDataType(), false);
        NDArray above = x.gt(lambd).toType(x.getDataType(), false);
        return new NDList(x.add(bias).mul(below).add(x.sub(bias).mul(above)));
    }

    /**
     * Softmax, LogSoftmax and Hardmax work on one axis from opset 13 (default -1). Before, the input is seen as 2-D:
     * the axes before {@code axis} (default 1) flattened into rows, the rest into one row that is normalised whole.
     */
    static NDArray softmaxFamily(KernelContext ctx, UnaryOperator<NDArray> lastAxis) {
        NDArray x = ctx.input(0);
        int rank = x.getShape().dimension();
        if (ctx.opset() >= 13) {
            int axis = Axes.normalize(ctx.node().attrInt("axis", -1), rank);
            if (axis == rank - 1) {
                return lastAxis.apply(x);
            }
            return lastAxis.apply(x.swapAxes(axis, rank - 1)).swapAxes(axis, rank - 1);
        }
        long[] dims = ShapeMath.dims(x);
        int axis = rank == 0 ? 0 : Axes.normalize(ctx.node().attrInt("axis", 1), rank + 1);
        Shape rows = new Shape(Axes.product(dims, 0, axis), Axes.product(dims, axis, rank));
        return lastAxis.apply(x.reshape(rows)).reshape(x.getShape());
    }

    /** 1 at the first maximum along the last axis, 0 elsewhere. */
    static NDArray hardmaxLast(NDArray x) {
        long depth = x.getShape().get(x.getShape().dimension() - 1);
        NDArray positions = x.getManager().arange(0, (int) depth, 1, DataType.INT64);
        return x.argMax(-1).expandDims(-1).eq(positions).toType(x.getDataType(), false);
    }

    /**
     * Identity in inference. In training mode it drops with the node's ratio and rescales by 1 / (1 - ratio), as
     * the source framework's Dropout does in training; the optional mask output says which elements were kept.
     */
    static NDList dropout(KernelContext ctx) {
        NDArray x = ctx.input(0);
        float ratio = ctx.opset() >= 12 ? (ctx.hasInput(1) ? ctx.floats(1)[0] : 0.5f)
                : ctx.node().attrFloat("ratio", 0.5f);
        if (!ctx.mode().dropout() || ratio == 0f) {
            if (!ctx.wantsOutput(1)) {
                return new NDList(x);
            }
            return new NDList(x, ctx.manager().ones(x.getShape(), DataType.BOOLEAN));
        }
        NDArray keep = ctx.manager().randomUniform(0f, 1f, x.getShape()).gte(ratio);
        NDArray y = x.mul(keep.toType(x.getDataType(), false)).div(1f - ratio);
        return ctx.wantsOutput(1) ? new NDList(y, keep) : new NDList(y);
    }
}
