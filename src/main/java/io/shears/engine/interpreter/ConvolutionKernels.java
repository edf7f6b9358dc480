package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.shears.graph.Node;

import java.util.Arrays;

/** Conv and ConvTranspose. */
final class ConvolutionKernels {
    private ConvolutionKernels() {
    }

    static void register(Kernels.Registrar r) {
        r.add(ConvolutionKernels::conv, "Conv");
        r.add(ConvolutionKernels::convTranspose, "ConvTranspose");
    }

    static NDList conv(KernelContext ctx) {
        NDArray x = ctx.input(0);
        NDArray w = ctx.input(1);
        NDArray bias = ctx.optionalInput(2);
        long[] xDims = ShapeMath.dims(x);
        long[] wDims = ShapeMath.dims(w);
        WindowGeometry g = WindowGeometry.resolve(ctx.node(), xDims, kernel(ctx.node(), wDims), false);
        int group = Math.toIntExact(ctx.node().attrInt("group", 1));
        NDArray input = x;
        Shape pads = g.padBeginShape();
        if (!g.symmetricPads()) {
            long[][] p = Padding.spatial(xDims.length, g.padBegin(), g.padEnd());
            input = Padding.padOrCrop(x, p[0], p[1], 0);
            pads = g.zeroPads();
        }
        return input.getNDArrayInternal().convolution(input, w, bias, g.strideShape(), pads, g.dilationShape(), group);
    }

    private static long[] kernel(Node node, long[] wDims) {
        long[] kernel = node.attrInts("kernel_shape");
        return kernel != null ? kernel : Arrays.copyOfRange(wDims, 2, wDims.length);
    }

    /**
     * DJL's PyTorch engine has no transposed convolution, so it is computed as what it is: the input with stride - 1
     * zeros inserted between elements, padded by dilation * (kernel - 1) minus the ONNX pads (plus output_padding at
     * the end), convolved with stride 1 by the weight flipped in space and with input and output channels swapped
     * per group.
     */
    static NDList convTranspose(KernelContext ctx) {
        Node node = ctx.node();
        NDArray x = ctx.input(0);
        NDArray w = ctx.input(1);
        NDArray bias = ctx.optionalInput(2);
        long[] xDims = ShapeMath.dims(x);
        long[] wDims = ShapeMath.dims(w);
        int spatial = xDims.length - 2;
        long group = node.attrInt("group", 1);
        long[] kernel = kernel(node, wDims);
        long[] strides = WindowGeometry.perAxis(node.attrInts("strides"), spatial, 1);
        long[] dilations = WindowGeometry.perAxis(node.attrInts("dilations"), spatial, 1);
        long[] outputPadding = WindowGeometry.perAxis(node.attrInts("output_padding"), spatial, 0);
        long[][] pads = transposePads(node, xDims, kernel, strides, dilations, outputPadding);

        NDArray spread = insertZeros(x, strides);
        long[] begin = new long[xDims.length];
        long[] end = new long[xDims.length];
        for (int i = 0; i < spatial; i++) {
            long full = dilations[i] * (kernel[i] - 1);
            begin[2 + i] = full - pads[0][i];
            end[2 + i] = full - pads[1][i] + outputPadding[i];
        }
        NDArray input = Padding.padOrCrop(spread, begin, end, 0);

        long inPerGroup = wDims[0] / group;
        long outPerGroup = wDims[1];
        long[] grouped = new long[wDims.length + 1];
        grouped[0] = group;
        grouped[1] = inPerGroup;
        grouped[2] = outPerGroup;
        System.arraycopy(wDims, 2, grouped, 3, spatial);
        long[] swapped = new long[wDims.length];
        swapped[0] = group * outPerGroup;
        swapped[1] = inPerGroup;
        System.arraycopy(wDims, 2, swapped, 2, spatial);
        int[] spatialAxes = Reductions.axesFrom(2, wDims.length);
        NDArray flipped = w.reshape(new Shape(grouped)).swapAxes(1, 2).reshape(new Shape(swapped)).flip(spatialAxes);

        long[] ones = new long[spatial];
        Arrays.fill(ones, 1);
        return input.getNDArrayInternal().convolution(input, flipped, bias, new Shape(ones),
                new Shape(new long[spatial]), new Shape(dilations), Math.toIntExact(group));
    }

    /** Begin and end pads: from output_shape or auto_pad where given (as ONNX Runtime computes them), else pads. */
    private static long[][] transposePads(Node node, long[] xDims, long[] kernel, long[] strides, long[] dilations,
                                          long[] outputPadding) {
        int spatial = xDims.length - 2;
        long[] outputShape = node.attrInts("output_shape");
        String autoPad = node.attrString("auto_pad", "NOTSET");
        long[] begin = new long[spatial];
        long[] end = new long[spatial];
        if (outputShape == null && !autoPad.startsWith("SAME")) {
            long[] pads = WindowGeometry.perAxis(node.attrInts("pads"), 2 * spatial, 0);
            System.arraycopy(pads, 0, begin, 0, spatial);
            System.arraycopy(pads, spatial, end, 0, spatial);
            return new long[][] {begin, end};
        }
        for (int i = 0; i < spatial; i++) {
            long in = xDims[2 + i];
            long out = outputShape != null ? outputShape[outputShape.length - spatial + i] : in * strides[i];
            long total = Math.max(0, strides[i] * (in - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1
                    - out);
            begin[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
            end[i] = total - begin[i];
        }
        return new long[][] {begin, end};
    }

    /** Puts stride - 1 zeros between neighbouring elements along every spatial axis of an NC... array. */
    static NDArray insertZeros(NDArray x, long[] strides) {
        if (Arrays.stream(strides).allMatch(s -> s == 1)) {
            return x;
        }
        long[] dims = ShapeMath.dims(x);
        int spatial = dims.length - 2;
        long[] interleaved = new long[2 + 2 * spatial];
        long[] begin = new long[interleaved.length];
        long[] end = new long[interleaved.length];
        long[] merged = new long[dims.length];
        interleaved[0] = dims[0];
        interleaved[1] = dims[1];
        merged[0] = dims[0];
        merged[1] = dims[1];
        for (int i = 0; i < spatial; i++) {
            interleaved[2 + 2 * i] = dims[2 + i];
            interleaved[3 + 2 * i] = 1;
            end[3 + 2 * i] = strides[i] - 1;
            merged[2 + i] = dims[2 + i] * strides[i];
        }
        NDArray spread = Padding.padOrCrop(x.reshape(new Shape(interleaved)), begin, end, 0).reshape(new Shape(merged));
        long[] trimEnd = new long[dims.length];
        for (int i = 0; i < spatial; i++) {
            trimEnd[2 + i] = -(strides[i] - 1);
        }
        return Padding.padOrCrop(spread, new long[dims.length], trimEnd, 0);
    }
}
