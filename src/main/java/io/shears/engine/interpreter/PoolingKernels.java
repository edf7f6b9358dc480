package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl.AttributeProto;
import io.shears.graph.Node;

import java.util.function.BinaryOperator;

/**
 * Windowed and global pooling. PyTorch pools take symmetric pads of at most half the kernel and no dilation, so other
 * pads are applied explicitly (see {@link Padding}) and dilated windows are reduced slice by slice. ceil_mode follows
 * ONNX: PyTorch may produce one more trailing window, which is cut off.
 */
final class PoolingKernels {
    private PoolingKernels() {
    }

    static void register(Kernels.Registrar r) {
        r.add(OpKernel.checked(PoolingKernels::checkMaxPool, PoolingKernels::maxPool), "MaxPool");
        r.add(PoolingKernels::averagePool, "AveragePool");
        r.add(PoolingKernels::lpPool, "LpPool");
        r.add(ctx -> new NDList(Reductions.reduce(ctx.input(0), spatialAxes(ctx.input(0)), true,
                Reductions.Kind.MEAN)), "GlobalAveragePool");
        r.add(ctx -> new NDList(Reductions.reduce(ctx.input(0), spatialAxes(ctx.input(0)), true,
                Reductions.Kind.MAX)), "GlobalMaxPool");
        r.add(PoolingKernels::globalLpPool, "GlobalLpPool");
    }

    private static void checkMaxPool(Node node, int opset) {
        if (!node.output(1).isEmpty()) {
            throw Kernels.unsupported(node, "MaxPool's Indices output is not supported");
        }
    }

    private static WindowGeometry geometry(KernelContext ctx, NDArray x) {
        long[] kernel = ctx.node().attrInts("kernel_shape");
        if (kernel == null) {
            throw ctx.failure("kernel_shape is missing");
        }
        boolean ceil = ctx.node().attrInt("ceil_mode", 0) != 0;
        return WindowGeometry.resolve(ctx.node(), ShapeMath.dims(x), kernel, ceil);
    }

    static NDList maxPool(KernelContext ctx) {
        NDArray x = ctx.input(0);
        WindowGeometry g = geometry(ctx, x);
        if (g.dilated()) {
            NDArray padded = padForWindows(x, g, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY);
            return new NDList(reduceWindows(padded, g, NDArray::maximum));
        }
        NDArray y;
        if (g.symmetricPads() && g.padsWithinHalfKernel()) {
            y = x.getNDArrayInternal().maxPool(g.kernelShape(), g.strideShape(), g.padBeginShape(), g.ceilMode());
        } else {
            long[][] p = Padding.spatial(x.getShape().dimension(), g.padBegin(), g.padEnd());
            NDArray padded = Padding.padOrCrop(x, p[0], p[1], Double.NEGATIVE_INFINITY);
            y = padded.getNDArrayInternal().maxPool(g.kernelShape(), g.strideShape(), g.zeroPads(), g.ceilMode());
        }
        return new NDList(g.cropToOutput(y));
    }

    /**
     * PyTorch's average pool (through DJL) ignores count_include_pad = false and always divides by the window size
     * that includes padding. So the mean without padding is computed as avgPool(x) / avgPool(ones): the second term is
     * the share of each window that lies on real input.
     */
    static NDList averagePool(KernelContext ctx) {
        NDArray x = ctx.input(0);
        WindowGeometry g = geometry(ctx, x);
        boolean includePad = ctx.node().attrInt("count_include_pad", 0) != 0;
        Shape ones = onesShape(x);
        if (g.dilated()) {
            NDArray sums = reduceWindows(padForWindows(x, g, 0, 0), g, NDArray::add);
            NDArray counts = reduceWindows(padForWindows(ctx.manager().ones(ones), g, includePad ? 1 : 0, 0), g,
                    NDArray::add);
            return new NDList(sums.div(counts));
        }
        boolean nativePads = g.symmetricPads() && g.padsWithinHalfKernel();
        NDArray y = average(x, g, nativePads);
        if (!includePad && g.hasPads()) {
            y = y.div(average(ctx.manager().ones(ones), g, nativePads));
        }
        return new NDList(g.cropToOutput(y));
    }

    private static NDArray average(NDArray x, WindowGeometry g, boolean nativePads) {
        if (nativePads) {
            return x.getNDArrayInternal().avgPool(g.kernelShape(), g.strideShape(), g.padBeginShape(), g.ceilMode(),
                    true);
        }
        long[][] p = Padding.spatial(x.getShape().dimension(), g.padBegin(), g.padEnd());
        NDArray padded = Padding.padOrCrop(x, p[0], p[1], 0);
        return padded.getNDArrayInternal().avgPool(g.kernelShape(), g.strideShape(), g.zeroPads(), g.ceilMode(), true);
    }

    /** y = (sum over the window of |x|^p)^(1/p), padding counting as zeros. */
    static NDList lpPool(KernelContext ctx) {
        NDArray x = ctx.input(0);
        WindowGeometry g = geometry(ctx, x);
        float p = exponent(ctx.node());
        NDArray powered = x.abs().pow(p);
        NDArray sums = reduceWindows(padForWindows(powered, g, 0, 0), g, NDArray::add);
        return new NDList(sums.pow(1f / p));
    }

    static NDList globalLpPool(KernelContext ctx) {
        NDArray x = ctx.input(0);
        float p = exponent(ctx.node());
        NDArray sums = Reductions.reduce(x.abs().pow(p), spatialAxes(x), true, Reductions.Kind.SUM);
        return new NDList(sums.pow(1f / p));
    }

    /** The p of LpPool: a float attribute in opset 1, an int since. */
    private static float exponent(Node node) {
        AttributeProto p = node.attribute("p");
        if (p == null) {
            return 2f;
        }
        return p.getType() == AttributeProto.AttributeType.FLOAT ? p.getF() : p.getI();
    }

    private static int[] spatialAxes(NDArray x) {
        return Reductions.axesFrom(2, x.getShape().dimension());
    }

    /** [1, 1, spatial...]: a mask that broadcasts over batch and channels. */
    private static Shape onesShape(NDArray x) {
        long[] dims = ShapeMath.dims(x).clone();
        dims[0] = 1;
        dims[1] = 1;
        return new Shape(dims);
    }

    /**
     * x with the node's pads filled by {@code padValue} and, after the end pad, the elements a ceil_mode window
     * reaches beyond it filled by {@code overhangValue}.
     */
    static NDArray padForWindows(NDArray x, WindowGeometry g, double padValue, double overhangValue) {
        int rank = x.getShape().dimension();
        long[][] p = Padding.spatial(rank, g.padBegin(), g.padEnd());
        NDArray padded = Padding.padOrCrop(x, p[0], p[1], padValue);
        long[][] overhang = Padding.spatial(rank, new long[g.spatialRank()], g.ceilOverhang(ShapeMath.dims(x)));
        return Padding.padOrCrop(padded, overhang[0], overhang[1], overhangValue);
    }

    /**
     * Combines, for every kernel offset, the strided slice of the padded input that the offset's element of every
     * window forms. Exact for any dilation; kernels are small, so the number of slices is too.
     */
    static NDArray reduceWindows(NDArray padded, WindowGeometry g, BinaryOperator<NDArray> combine) {
        int spatial = g.spatialRank();
        long[] offset = new long[spatial];
        NDArray result = null;
        while (true) {
            NDIndex index = new NDIndex().addAllDim().addAllDim();
            for (int i = 0; i < spatial; i++) {
                long start = offset[i] * g.dilations()[i];
                long stop = start + (g.outputSize()[i] - 1) * g.strides()[i] + 1;
                index.addSliceDim(start, stop, g.strides()[i]);
            }
            NDArray slice = padded.get(index);
            result = result == null ? slice : combine.apply(result, slice);
            int axis = spatial - 1;
            while (axis >= 0 && ++offset[axis] == g.kernel()[axis]) {
                offset[axis] = 0;
                axis--;
            }
            if (axis < 0) {
                return result;
            }
        }
    }
}
